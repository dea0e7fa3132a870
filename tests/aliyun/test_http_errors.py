"""Failures met before a route runs answer in the platform envelope (under /aliyun) or OSS XML (at the root)."""

import pytest

from tests.aliyun.conftest import assert_envelope


@pytest.mark.parametrize("path", ["/aliyun/nothing", "/aliyun/dicom/api/executeAnalysis/", "/aliyun"])
def test_unknown_url(client, path):
    assert_envelope(client.get(path), 404, "100011", "接口不存在", data=None)


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/aliyun/dicom/api/executeAnalysis"),
        ("POST", "/aliyun/dicom/api/getAnalysisResult"),
        ("PUT", "/aliyun/dicom/api/submitAnalysisFeedback"),
    ],
)
def test_wrong_method(client, method, path):
    response = client.open(path, method=method)
    assert_envelope(response, 405, "100012", "请求方法不支持", data=False if method == "POST" else None)
    assert "Allow" in response.headers


def test_unexpected_exception_is_a_500_envelope(client, monkeypatch):
    from mockservers.aliyun import backend

    def explode(self, *args):
        raise RuntimeError("boom")

    monkeypatch.setattr(backend.AliyunBackend, "result", explode)
    response = client.get(
        "/aliyun/dicom/api/getAnalysisResult?studyInstanceUid=1&studyType=1",
        headers={"tokenId": "demo", "namespace": "demo"},
    )
    assert_envelope(response, 500, "100001", "系统内部错误", data=None)


def test_unexpected_exception_on_the_oss_side_is_oss_xml(client, monkeypatch):
    from mockservers.aliyun.oss import store

    def explode(self, *args):
        raise RuntimeError("boom")

    monkeypatch.setattr(store.OssStore, "check_bucket_name", staticmethod(explode))
    response = client.get("/demo-bucket/k", headers={"Authorization": "OSS a:b"})
    assert response.status_code == 500 and b"<Code>InternalError</Code>" in response.data


def test_oss_fault_rule_renders_oss_xml(client):
    client.post(
        "/__admin/faults",
        json={"vendor": "aliyun", "path": "/demo-bucket/*", "times": 1, "action": {"error": "NoSuchKey"}},
    )
    response = client.get("/demo-bucket/k")
    assert response.status_code == 404 and b"<Code>NoSuchKey</Code>" in response.data
    assert b"<Code>AccessDenied</Code>" in client.get("/demo-bucket/k").data


def test_unknown_fault_code_is_refused(client):
    response = client.post("/__admin/faults", json={"vendor": "aliyun", "action": {"error": "999999"}})
    assert response.status_code == 400


def test_single_vendor_mode_serves_the_platform_at_root_and_keeps_each_dialect():
    from mockservers.app import create_app
    from tests.machinery import test_settings

    app = create_app(test_settings(vendors=["aliyun"]), start_background=False)
    try:
        c = app.test_client()
        response = c.get(
            "/dicom/api/getAnalysisResult?studyInstanceUid=x&studyType=1",
            headers={"tokenId": "demo", "namespace": "demo"},
        )
        assert_envelope(response, 404, "100008", "检查不存在", data=None)
        assert_envelope(
            c.get("/aliyun/dicom/api/getAnalysisResult?studyInstanceUid=x&studyType=1"), 401, "100002", data=None
        )
        assert b"<Code>AccessDenied</Code>" in c.get("/demo-bucket/k").data
    finally:
        app.extensions["mockservers"].close()


ODD_VALUES = [None, "", 0, -1, 10**30, 1.5, True, [], {}, [1, "a"], {"x": {"y": 1}}, "\u0000", "检查" * 300]


def valid_bodies(aliyun):
    from tests.aliyun.conftest import OSS_KEY

    return {
        "/aliyun/dicom/api/executeAnalysis": aliyun.body(callback="http://127.0.0.1:9/cb"),
        "/aliyun/dicom/api/submitAnalysisFeedback": {
            "studyInstanceUid": "1.2.3",
            "studyType": 1,
            "data": [{"indexId": "x", "credibility": "Y"}],
        },
        "/aliyun/oa/analysis": aliyun.oa_body(),
        "/aliyun/sts/token": {
            "accessKeyId": OSS_KEY["accessKeyId"],
            "accessKeySecret": OSS_KEY["accessKeySecret"],
            "durationSeconds": 900,
        },
    }


@pytest.mark.parametrize(
    "path",
    [
        "/aliyun/dicom/api/executeAnalysis",
        "/aliyun/dicom/api/submitAnalysisFeedback",
        "/aliyun/oa/analysis",
        "/aliyun/sts/token",
    ],
)
def test_an_odd_value_in_any_field_is_answered_in_the_envelope_never_a_500(aliyun, path):
    from tests.aliyun.conftest import TOKEN

    aliyun.put_object("studies/knee/1.dcm", b"x")
    aliyun.put_object("knee.png", b"x")
    valid = valid_bodies(aliyun)[path]
    for field in valid:
        for value in ODD_VALUES:
            response = aliyun.c.post(path, json={**valid, field: value}, headers=TOKEN)
            assert response.status_code < 500, (field, value, response.get_data(as_text=True))
            assert response.json["returnCode"] in ("000000", "100003", "100004", "100005", "100006", "100008", "100009")
            assert response.headers.get("X-Mock-Explain", "").isascii()


@pytest.mark.parametrize(
    "query",
    [
        {"studyInstanceUid": "检" * 600, "studyType": "1"},
        {"studyInstanceUid": "x", "studyType": "1.5"},
        {"studyInstanceUid": "x", "studyType": "-1"},
        {"studyInstanceUid": "x", "studyType": "9" * 40},
    ],
)
def test_odd_queries(aliyun, query):
    from tests.aliyun.conftest import TOKEN

    response = aliyun.c.get("/aliyun/dicom/api/getAnalysisResult", query_string=query, headers=TOKEN)
    assert response.status_code == 400 and response.json["returnCode"] == "100004"
