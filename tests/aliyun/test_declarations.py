"""Each route of the platform and of its OSS store is one declaration (routes.py, oss/routes.py), which validates
the request in the vendor's dialect after authentication and before the backend runs."""

import base64
import hashlib
import hmac
import re
from email.utils import formatdate

import pytest

from mockservers.aliyun.backend import AliyunBackend
from mockservers.aliyun.oss.store import OssStore
from mockservers.aliyun.vendor import AliyunVendor
from mockservers.core.openapi import openapi_path_shape
from tests.aliyun.conftest import TOKEN, assert_envelope

SAMPLE = {"bucket": "demo-bucket", "key": "studies/knee/1.dcm"}  # a value for each path parameter


def served(app, blueprint):
    """(method, rule, endpoint) of every route the blueprint serves; a GET rule's automatic HEAD is the GET's."""
    routes = []
    for rule in app.url_map.iter_rules():
        name, _, endpoint = rule.endpoint.partition(".")
        if name == blueprint:
            methods = rule.methods - {"OPTIONS"} - ({"HEAD"} if "GET" in rule.methods else set())
            routes += [(method, rule.rule, endpoint) for method in methods]
    return routes


def test_every_route_served_is_one_declaration(mock_app):
    endpoints = AliyunVendor().endpoints()
    assert [api.blueprint.name for api in endpoints] == ["aliyun", "aliyun_oss"]
    adapter = mock_app.url_map.bind("localhost")
    for api, prefix in zip(endpoints, ("/aliyun", ""), strict=False):
        declared = {d.endpoint: d for d in api.declared}
        assert len(declared) == len(api.declared)
        routes = served(mock_app, api.blueprint.name)
        assert len({(method, rule) for method, rule, _ in routes}) == len(routes), "no route served twice"
        assert {endpoint for _, _, endpoint in routes} == set(declared), "every declaration served, nothing else"
        for method, rule, endpoint in routes:
            operation = declared[endpoint].operation
            assert operation.method == method
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: SAMPLE[m[1]], rule)
            matched = adapter.match(path, method)[0]
            if (method, path) == ("GET", "/"):  # the dashboard's, unless signed for OSS (test_oss_service.py)
                assert (endpoint, matched) == ("list_buckets", "dashboard.page")
                continue
            assert matched == f"{api.blueprint.name}.{endpoint}", (method, path)
            shape = openapi_path_shape(operation.path)
            assert re.sub(r"<[^>]+>", "{}", rule.removeprefix(prefix)) in (shape, shape.rstrip("/"))


def test_the_published_document_is_the_platforms_and_the_oss_store_is_declared_but_not_published():
    platform, oss = AliyunVendor().endpoints()
    assert [op.name for op in AliyunVendor().operations()] == [
        "executeAnalysis",
        "getAnalysisResult",
        "submitAnalysisFeedback",
        "OA trigger",
        "STS token",
    ]
    assert [d.operation.name for d in platform.declared] == [op.name for op in platform.operations()]
    assert oss.operations() == []
    assert {d.operation.name for d in oss.declared} == {
        "ListObjects",
        "PutBucket",
        "DeleteBucket",
        "DeleteMultipleObjects",
        "HeadObject",
        "GetObject",
        "PutObject",
        "DeleteObject",
        "PostObject",
        "ListBuckets",
    }
    assert all(d.operation.source.startswith("inferred: the oss2 SDK") for d in oss.declared)


@pytest.fixture
def backend_calls(monkeypatch):
    calls = []
    for name in ("execute", "result", "feedback", "oa_trigger", "issue_sts"):
        monkeypatch.setattr(AliyunBackend, name, lambda *args, _name=name, **kwargs: calls.append(_name))
    return calls


@pytest.mark.parametrize(
    "method, path, payload, field, explain",
    [
        ("POST", "/dicom/api/executeAnalysis", {"studyType": "4"}, "studyType", "studyType: Not a valid integer."),
        (
            "GET",
            "/dicom/api/getAnalysisResult",
            {"studyType": "9"},
            "studyType",
            "studyType: Must be greater than or equal to 1 and less than or equal to 4.",
        ),
        ("POST", "/dicom/api/submitAnalysisFeedback", {"data": []}, "data", "data: Shorter than minimum length 1."),
        (
            "POST",
            "/sts/token",
            {"durationSeconds": 60},
            "durationSeconds",
            "durationSeconds: Must be greater than or equal to 900 and less than or equal to 43200.",
        ),
    ],
)
def test_a_bad_parameter_is_refused_before_the_backend_runs(
    aliyun, backend_calls, method, path, payload, field, explain
):
    good = {
        "/dicom/api/executeAnalysis": aliyun.body(),
        "/dicom/api/getAnalysisResult": {"studyInstanceUid": "1.2.3", "studyType": "4"},
        "/dicom/api/submitAnalysisFeedback": {
            "studyInstanceUid": "1.2.3",
            "studyType": 1,
            "data": [{"indexId": "x", "credibility": "Y"}],
        },
        "/sts/token": {"accessKeyId": "mock-access-key-id", "accessKeySecret": "mock-access-key-secret"},
    }[path]
    sent = {"query_string": {**good, **payload}} if method == "GET" else {"json": {**good, **payload}}
    response = aliyun.c.open("/aliyun" + path, method=method, headers=TOKEN, **sent)
    assert_envelope(response, 400, "100004", f"参数错误: {field}", data=False if method == "POST" else None)
    assert response.headers["X-Mock-Explain"] == explain
    assert backend_calls == []
    if path.startswith("/dicom/api/"):  # the three that take tokenId and namespace check them first
        assert_envelope(
            aliyun.c.open("/aliyun" + path, method=method, **sent),
            401,
            "100002",
            "tokenId无效",
            data=False if method == "POST" else None,
        )
        assert backend_calls == []


def test_the_oa_trigger_refuses_a_bad_parameter_in_its_short_answer_before_the_backend_runs(aliyun, backend_calls):
    response = aliyun.oa(aliyun.oa_body(analysis="KL"))
    assert response.status_code == 400
    assert response.json == {"returnCode": "100004", "returnMessage": "参数错误: analysis"}
    assert response.headers["X-Mock-Explain"] == "analysis: Must be one of: OA."
    assert backend_calls == []


def oss_request(client, method, path, query="", secret="mock-access-key-secret"):
    """A request signed as oss2 signs it (signature v1)."""
    date = formatdate(usegmt=True)
    text = f"{method}\n\n\n{date}\n{path}"  # verb, Content-MD5, Content-Type, Date, the resource
    signature = base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha1).digest()).decode()
    return client.open(
        path + (f"?{query}" if query else ""),
        method=method,
        headers={"Date": date, "Authorization": f"OSS mock-access-key-id:{signature}"},
    )


def test_the_oss_store_refuses_a_bad_argument_after_the_signature_and_before_the_store_runs(mock_app, monkeypatch):
    listed = []
    monkeypatch.setattr(OssStore, "list", lambda *args, **kwargs: listed.append(args))
    client = mock_app.test_client()
    for value in ("0", "1001", "+5", "x"):
        response = oss_request(client, "GET", "/demo-bucket/", f"max-keys={value}")
        assert response.status_code == 400 and response.mimetype == "application/xml"
        text = response.get_data(as_text=True)
        assert "<Code>InvalidArgument</Code>" in text
        assert "<Message>Argument max-keys must be an integer between 1 and 1000.</Message>" in text
        assert response.headers["X-Mock-Explain"] == "max-keys: 1-1000"
    unsigned = oss_request(client, "GET", "/demo-bucket/", "max-keys=0", secret="other")
    assert unsigned.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in unsigned.get_data(as_text=True)
    assert listed == []
