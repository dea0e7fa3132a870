"""One declaration per endpoint (flask-smorest's habit): it registers the route, validates the request in the
vendor's own error dialect before the view runs, and is what the OpenAPI document and the fidelity ledger read."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, request
from marshmallow import Schema
from werkzeug.routing import BaseConverter

from mockservers.core.openapi import Operation
from mockservers.core.validation import load

Reject = Callable[[str, str], Exception]  # (field, message) -> the vendor's validation error
_PARAM = re.compile(r"\{([^}]+)\}")


def query_fields() -> dict[str, Any]:
    """The query string, first value of each name."""
    return request.args.to_dict()


@dataclass(frozen=True)
class Declared:
    """A registered endpoint: its Flask endpoint name and its Operation; `published`: in the OpenAPI document and
    the fidelity ledger."""

    endpoint: str
    operation: Operation
    published: bool = True


class Endpoints:
    """A vendor's endpoints, declared once each with `@endpoints(method, path, ...)`.

    `reject(field, message)` makes the vendor's validation error; `read_body()` reads a request body into fields
    (JSON, a form, whatever the vendor accepts) and raises the vendor's error for a body it refuses;
    `read_query()` does the same for the query string; `authenticate(**path_values)` runs first on endpoints declared
    with `auth=True` (the vendor checks credentials before it looks at parameters) and its result reaches the view
    as `caller` (an endpoint declared with another `auth` value, the permission it needs say, has it handed first:
    `authenticate(auth, **path_values)`); with `authenticate_options`, an OPTIONS request to such an endpoint's URL
    authenticates too before Flask's automatic answer (a server whose guard runs on every request). The view gets
    the path values under their OpenAPI names, then `caller`, `query` and `body` (each only when declared and
    validated), already validated.
    `reject` may be left out by a vendor none of whose declarations validate. `rule_names` gives a path value
    another name in the Flask rules (the one `mockservers routes` lists), e.g. {"res_account_name": "account"}.
    `url_converters` are Flask converters of the vendor's own ({"oss_bucket": BucketConverter}), added to the app
    when the blueprint is registered."""

    def __init__(
        self,
        name: str,
        import_name: str,
        *,
        reject: Reject | None = None,
        read_body: Callable[[], Any] | None = None,
        read_query: Callable[[], dict[str, Any]] = query_fields,
        authenticate: Callable[..., Any] | None = None,
        authenticate_options: bool = False,
        rule_names: dict[str, str] | None = None,
        url_converters: dict[str, type[BaseConverter]] | None = None,
    ):
        self.blueprint = Blueprint(name, import_name)
        self.rule_names = rule_names or {}
        self.documented_names = {rule: documented for documented, rule in self.rule_names.items()}
        self.reject = reject
        self.read_body = read_body
        self.read_query = read_query
        self.authenticate = authenticate
        self.authenticate_options = authenticate_options
        self.declared: list[Declared] = []
        if url_converters:
            self.blueprint.record_once(lambda state: state.app.url_map.converters.update(url_converters))

    def __call__(
        self,
        method: str,
        path: str,
        *,
        name: str,
        summary: str,
        source: str,
        auth: Any = False,
        query: type[Schema] | None = None,
        body: type[Schema] | None = None,
        converters: dict[str, str] | None = None,
        reject: Reject | None = None,
        before_transaction: Callable[[], None] | None = None,
        endpoint: str | None = None,
        also_at: tuple[str, ...] = (),
        published: bool = True,
        validate: bool = True,
        **documented: Any,
    ):
        """`path` is OpenAPI style, below the vendor's prefix (`/accounts/{res_account_name}/jobs/`);
        `converters` names a Flask converter for a path value (`{"filename": "path"}`); `reject` overrides the
        vendor's validation error for this endpoint; `endpoint` names the Flask endpoint (default: the view's name,
        which must then be unique); `also_at`: more paths the endpoint answers at, undocumented (`/{bucket}` beside
        `/{bucket}/`); `published=False` keeps it out of the OpenAPI document and the ledger (an endpoint the
        vendor's document does not have, spoken to an SDK); with `validate=False`, `query` and `body` only document
        the request and the view reads it itself (DICOMweb's QIDO, whose keys are free-form); `documented` is the
        rest of core.openapi.Operation (headers, path_params, responses, body_types, raw_body).

        A HEAD is declared before the GET of the same path: a GET rule answers HEAD too, and the first rule that
        allows a method wins."""
        operation = Operation(name, method, path, summary, source, query=query, body=body, **documented)
        rules = [_flask_rule(p, converters or {}, self.rule_names) for p in (path, *also_at)]
        to_error = reject or self.reject
        if auth and self.authenticate is None:
            raise ValueError(f"{name}: auth=True needs Endpoints(authenticate=...)")
        query_schema, body_schema = (query, body) if validate else (None, None)
        if body_schema is not None and self.read_body is None:
            raise ValueError(f"{name}: a body schema needs Endpoints(read_body=...)")
        if method == "HEAD" and any(d.operation.method == "GET" and d.operation.path == path for d in self.declared):
            raise ValueError(f"{name}: declare HEAD {path} before its GET, which would answer HEAD first")
        if (query_schema or body_schema) is not None and to_error is None:
            raise ValueError(f"{name}: validation needs Endpoints(reject=...) or reject=")
        guard_options = auth and self.authenticate_options
        needs = () if auth is True else (auth,)

        def register(view: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(view)
            def validated(**path_values: Any) -> Any:
                kwargs: dict[str, Any] = {self.documented_names.get(k, k): v for k, v in path_values.items()}
                # the declaration above refused auth without authenticate=, a schema without reject=, a body
                # schema without read_body=
                if guard_options and request.method == "OPTIONS":
                    assert self.authenticate is not None
                    self.authenticate(*needs, **kwargs)
                    return current_app.make_default_options_response()
                if auth:
                    assert self.authenticate is not None
                    kwargs["caller"] = self.authenticate(*needs, **kwargs)
                if query_schema is not None:
                    assert to_error is not None
                    kwargs["query"] = load(_instance(query_schema), self.read_query(), to_error)
                if body_schema is not None:
                    assert to_error is not None and self.read_body is not None
                    kwargs["body"] = load(_instance(body_schema), self.read_body(), to_error)
                return view(**kwargs)

            if before_transaction is not None:
                validated.before_transaction = before_transaction  # type: ignore[attr-defined]
            flask_endpoint = endpoint or view.__name__
            for rule in rules:
                if guard_options:
                    self.blueprint.add_url_rule(
                        rule, flask_endpoint, validated, methods=[method, "OPTIONS"], provide_automatic_options=False
                    )
                else:
                    self.blueprint.add_url_rule(rule, flask_endpoint, validated, methods=[method])
            self.declared.append(Declared(flask_endpoint, operation, published))
            return validated

        return register

    def operations(self) -> list[Operation]:
        """The published ones: what the OpenAPI document and the fidelity ledger show."""
        return [d.operation for d in self.declared if d.published]


@functools.cache
def _instance(schema: type[Schema]) -> Schema:
    """One instance of a schema for every request: making one costs twice what loading with it does, and loading
    changes nothing of it (marshmallow's load keeps its state in the call)."""
    return schema()


def _flask_rule(path: str, converters: dict[str, str], rule_names: dict[str, str] | None = None) -> str:
    """'/jobs/{job_id}/' -> '/jobs/<job_id>/'; with converters {"job_id": "path"}: '/jobs/<path:job_id>/'; with
    rule_names {"job_id": "id"}: '/jobs/<id>/'."""
    unknown = set(converters) - set(_PARAM.findall(path))
    if unknown:
        raise ValueError(f"{path}: converters for values it does not have: {sorted(unknown)}")

    def variable(match: re.Match[str]) -> str:
        name = (rule_names or {}).get(match[1], match[1])
        return f"<{converters[match[1]]}:{name}>" if match[1] in converters else f"<{name}>"

    return _PARAM.sub(variable, path)
