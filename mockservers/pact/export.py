"""A REST vendor's contract fixtures (fixtures/contracts/KEY/*.yaml) as a pact file (specification V3): what the
vendor's document shows, as pact's stub server and verifier read it.

A case's `given` steps become one provider state of mockservers/pact/catalog.py; a value the state makes (a job id,
a Sigma-Token, a nodule's indexId) is injected by a ProviderState generator; `<placeholders>` become matchers. A case
a pact file cannot carry as the mock runs it by default (a DICOM file in the body, a user or a vendor setting the
default configuration lacks) is left out and listed, with the reason, in the pact's metadata."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from mockservers import samples

REST_VENDORS = ("sigma", "aliyun", "cad4tb")
SPECIFICATION = "3.0.0"
RECEIVER = "http://127.0.0.1:9"  # a callback target: the call is accepted; the callback itself is not in the pact

# given steps -> (provider state, params); other steps are left out (`LEFT_OUT`)
STATES: dict[str, dict[tuple[str, ...], tuple[str, dict[str, Any]]]] = {
    "sigma": {
        ("login",): ("user test exists in account sigma", {}),
        ("login", "open_upload"): ("an upload is open for series 222.222.222", {}),
        ("login", "upload"): ("series 222.222.222 is uploaded", {}),
        ("login", "upload", "job", "finish"): ("a finished job for series 222.222.222", {}),
    },
    "aliyun": {
        ("upload_knee",): ("study xxx is stored in OSS", {}),
        ("upload_knee", "execute_knee"): ("a running analysis for study xxx", {}),
        ("upload_knee", "execute_knee", "finish"): ("a finished analysis for study xxx", {}),
        ("upload_knee", "execute_cxr", "finish"): ("a finished analysis for study xxx", {"studyType": 2}),
        ("upload_ct", "execute_ct", "finish"): (
            "a finished analysis for study xxx",
            {"studyType": 1, "key": "demo/ct"},
        ),
        ("upload_ct", "execute_ct", "finish", "index_ids"): (
            "a finished analysis for study xxx",
            {"studyType": 1, "key": "demo/ct", "nodules": 2},  # the feedback names two
        ),
        ("upload_fundus", "execute_fundus", "finish"): (
            "a finished analysis for study xxx",
            {"studyType": 3, "key": "demo/eye"},
        ),
    },
    "cad4tb": {
        ("upload",): ("series 1.2.3.4.5.6 is uploaded", {}),
        ("upload", "done"): ("a finished analysis for series 1.2.3.4.5.6", {}),
        ("upload", "done", "form"): ("a report on series 1.2.3.4.5.6", {}),
    },
}
# The sigma fixtures run as the document's account accunt_1 and user user_1, which the tests configure; the pact
# uses the default configuration's demo identity instead.
RENAMED = {"sigma": {"accunt_1": "sigma", "user_1": "test"}}
LITERALS = {"sigma": {"series_id": "222.222.222"}}
# values a provider state makes: the example written in the pact, the state's value injected when verifying
FROM_STATE = {
    "job_id": "job-00000000-0000-0000-0000-000000000000",
    "upload_id": "00000000000000000000000000000000_1",
    "token": "token-from-the-provider-state",
}
CAD4TB_USERS = {
    None: {"X-USERNAME": "some-username", "X-PASSWORD": "some-password"},
    "no-permissions": {"X-USERNAME": "no-permissions", "X-PASSWORD": "no-permissions"},
}
MATCHERS: dict[str, tuple[Any, dict[str, Any]]] = {  # placeholder -> (example, matcher)
    "<str>": ("text", {"match": "type"}),
    "<int>": (1, {"match": "integer"}),
    "<float>": (1.5, {"match": "number"}),
    "<bool>": (True, {"match": "type"}),
    "<list>": ([], {"match": "type", "min": 0}),
    "<dict>": ({}, {"match": "type"}),
    "<hex>": ("0f", {"match": "regex", "regex": "^[0-9a-f]+$"}),
    "<job_id>": (FROM_STATE["job_id"], {"match": "regex", "regex": "^job-[0-9a-f-]{36}$"}),
    "<task_id>": ("task-00000000-0000-0000-0000-000000000000", {"match": "regex", "regex": "^task-[0-9a-f-]{36}$"}),
    "<upload_id>": (FROM_STATE["upload_id"], {"match": "regex", "regex": "^[0-9a-f]{32}_\\d+$"}),
}
VARIABLE = re.compile(r"\{(\w+)\}")


def contract_cases(key: str) -> list[tuple[str, dict]]:
    folder = samples.fixtures_dir() / "contracts" / key
    cases: list[tuple[str, dict]] = []
    for path in sorted(Path(folder).glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        for old, new in RENAMED.get(key, {}).items():
            text = text.replace(old, new)
        document = yaml.safe_load(text)
        cases.extend((f"{document['endpoint']}: {case['name']}", case) for case in document["cases"])
    return cases


def export(key: str) -> tuple[dict, list[tuple[str, str]]]:
    """The pact of vendor `key`, and the cases left out, each with why."""
    interactions: list[dict] = []
    left_out: list[tuple[str, str]] = []
    for description, case in contract_cases(key):
        why = _unexportable(key, case)
        if why:
            left_out.append((description, why))
            continue
        interactions.append(_interaction(key, description, case))
    pact = {
        "consumer": {"name": f"{key}-document"},
        "provider": {"name": key},
        "interactions": interactions,
        "metadata": {
            "pactSpecification": {"version": SPECIFICATION},
            "mockservers": {
                "source": f"fixtures/contracts/{key}/",
                "leftOut": [{"case": d, "why": w} for d, w in left_out],
            },
        },
    }
    return pact, left_out


def _unexportable(key: str, case: dict) -> str | None:
    request = case["request"]
    if case["given"] and tuple(case["given"]) not in STATES[key]:
        return f"its setup ({', '.join(case['given'])}) is a vendor setting or file the default server lacks"
    if request.get("file") or "form" in request:
        return "its request body is a DICOM file or a multipart form"
    if key == "cad4tb" and request.get("user") not in CAD4TB_USERS:
        return f"user {request['user']!r} is not in the default configuration"
    return None


class _Templated:
    """Fills a case's {variables}: literals in place; values a provider state makes as examples plus generators."""

    def __init__(self, key: str):
        self.literals = {"receiver": RECEIVER, **LITERALS.get(key, {})}
        self.generators: dict[str, Any] = {}

    def fill(self, value: Any, where: tuple[str, str]) -> Any:
        """`where`: (generator category, key in it: a JSON path for a body, a name for a header)."""
        if isinstance(value, dict):
            return {k: self.fill(v, (where[0], _path(where[1], k))) for k, v in value.items()}
        if isinstance(value, list):
            return [self.fill(v, (where[0], f"{where[1]}[{i}]")) for i, v in enumerate(value)]
        if not isinstance(value, str) or not VARIABLE.search(value):
            return value
        for name, literal in self.literals.items():
            value = value.replace("{" + name + "}", literal)
        if not VARIABLE.search(value):
            return value
        expression = VARIABLE.sub(lambda m: "${" + m.group(1) + "}", value)
        generator = {"type": "ProviderState", "expression": expression}
        if where[0] == "path":
            self.generators["path"] = generator
        else:
            self.generators.setdefault(where[0], {})[where[1]] = generator
        return VARIABLE.sub(lambda m: FROM_STATE.get(m.group(1), "0"), value)


def _path(parent: str, key: str) -> str:
    return f"{parent}.{key}" if re.fullmatch(r"\w+", key) else f"{parent}['{key}']"


def _interaction(key: str, description: str, case: dict) -> dict:
    request_in, response_in = case["request"], case["response"]
    states = []
    if case["given"]:
        name, params = STATES[key][tuple(case["given"])]
        states.append({"name": name, "params": params})
    asked = _Templated(key)
    request: dict[str, Any] = {"method": request_in["method"], "path": asked.fill(request_in["path"], ("path", ""))}
    headers = {k: str(v) for k, v in (request_in.get("headers") or {}).items()}
    if key == "sigma" and "login" in case["given"]:
        headers["Sigma-Token"] = "{token}"
    if key == "cad4tb":
        headers = {**CAD4TB_USERS[request_in.get("user")], **headers}
    if "body" in request_in:
        headers["Content-Type"] = "application/json"
        request["body"] = asked.fill(request_in["body"], ("body", "$"))
    if request_in.get("query"):
        request["query"] = {k: [_text(v)] for k, v in request_in["query"].items()}
    if headers:
        request["headers"] = {k: asked.fill(v, ("header", k)) for k, v in headers.items()}
    if asked.generators:
        request["generators"] = asked.generators
    return {
        "description": description,
        "providerStates": states,
        "request": request,
        "response": _response(key, response_in),
    }


def _response(key: str, expected: dict) -> dict:
    response: dict[str, Any] = {"status": expected["status"]}
    rules: dict[str, Any] = {}
    if "content_type" in expected:
        response["headers"] = {"Content-Type": expected["content_type"]}
        rules["header"] = {
            "Content-Type": {"matchers": [{"match": "regex", "regex": f"^{re.escape(expected['content_type'])}"}]}
        }
    if "body" in expected:
        told = _Templated(key)
        body = told.fill(expected["body"], ("body", "$"))
        matchers: dict[str, Any] = {}
        response["body"] = _examples(body, "$", matchers)
        for where in told.generators.get("body", {}):
            matchers.setdefault(where, {"matchers": [{"match": "type"}]})
        if told.generators:
            response["generators"] = told.generators
        if matchers:
            rules["body"] = matchers
    if rules:
        response["matchingRules"] = rules
    return response


def _examples(value: Any, where: str, matchers: dict[str, Any]) -> Any:
    """The body with each <placeholder> replaced by an example, and its matcher recorded; <any> fields dropped."""
    if isinstance(value, dict):
        return {k: _examples(v, _path(where, k), matchers) for k, v in value.items() if v != "<any>"}
    if isinstance(value, list):
        return [_examples(v, f"{where}[{i}]", matchers) for i, v in enumerate(value)]
    if isinstance(value, str) and value in MATCHERS:
        example, matcher = MATCHERS[value]
        matchers[where] = {"matchers": [matcher]}
        return example
    return value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
