"""POST /dicom/api/executeAnalysis: headers, the body field by field, the OSS input, re-analysis."""

import pytest

from mockservers.dicom.synthetic import dx_file
from tests.aliyun.conftest import OSS_KEY, TOKEN, assert_envelope


@pytest.fixture
def knee(aliyun):
    aliyun.put_object("studies/knee/1.dcm", dx_file(0, 0))
    return aliyun


def analyses(aliyun):
    from sqlalchemy import func, select

    from mockservers.aliyun.models import Analysis

    with aliyun.runtime.store.transaction() as db:
        return db.scalar(select(func.count()).select_from(Analysis))


def test_accepted_with_data_true(knee):
    assert_envelope(knee.execute(), 200, "000000", "OK", data=True)
    assert analyses(knee) == 1


def test_an_integral_number_is_an_int_as_json_schema_has_it(knee):
    assert_envelope(knee.execute(knee.body(studyType=4.0)), 200, "000000", data=True)
    assert analyses(knee) == 1


def test_request_ids_are_fresh(knee):
    first, second = knee.execute().json, knee.execute().json
    assert first["requestId"] != second["requestId"]


@pytest.mark.parametrize(
    "headers, code, explain",
    [
        ({}, "100002", "tokenId: header missing"),
        ({"tokenId": "nope", "namespace": "demo"}, "100002", "tokenId: not a configured token"),
        ({"tokenId": "demo"}, "100003", "namespace: header missing"),
        ({"tokenId": "demo", "namespace": "other"}, "100003", None),
    ],
)
def test_token_and_namespace(knee, headers, code, explain):
    response = knee.execute(headers=headers)
    assert_envelope(response, 401, code, {"100002": "tokenId无效", "100003": "namespace无效"}[code], data=False)
    if explain:
        assert response.headers["X-Mock-Explain"] == explain
    assert analyses(knee) == 0


@pytest.mark.parametrize(
    "change, field",
    [
        ({"studyInstanceUid": None}, "studyInstanceUid"),
        ({"studyInstanceUid": ""}, "studyInstanceUid"),
        ({"studyType": 0}, "studyType"),
        ({"studyType": 5}, "studyType"),
        ({"studyType": "4"}, "studyType"),
        ({"studyType": True}, "studyType"),
        ({"studyType": 2.5}, "studyType"),
        ({"statusNotifyCallBackUrl": "not a url"}, "statusNotifyCallBackUrl"),
        ({"statusNotifyCallBackUrl": "ftp://x/y"}, "statusNotifyCallBackUrl"),
        ({"accessKeyId": ""}, "accessKeyId"),
        ({"accessKeySecret": 1}, "accessKeySecret"),
        ({"securityToken": 5}, "securityToken"),
        ({"endpoint": ""}, "endpoint"),
        ({"endpoint": "x" * 2049}, "endpoint"),
        ({"bucketName": ""}, "bucketName"),
        ({"key": ""}, "key"),
        ({"forceAnalysis": "true"}, "forceAnalysis"),
    ],
)
def test_each_body_field_is_validated(knee, change, field):
    body = knee.body(**change)
    if list(change.values()) == [None]:
        del body[field]
    assert_envelope(knee.execute(body), 400, "100004", f"参数错误: {field}", data=False)
    assert analyses(knee) == 0


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]"])
def test_body_must_be_a_json_object(knee, raw):
    response = knee.c.post(
        "/aliyun/dicom/api/executeAnalysis", data=raw, headers=TOKEN, content_type="application/json"
    )
    assert_envelope(response, 400, "100004", "参数错误: body", data=False)


@pytest.mark.parametrize("none", [None, ""])
def test_optional_fields_may_be_absent_null_or_empty(knee, none):
    body = knee.body(securityToken=none, statusNotifyCallBackUrl=none, extra="ignored")
    del body["forceAnalysis"]
    assert_envelope(knee.execute(body), 200, "000000", data=True)
    knee.advance(3)
    assert knee.callbacks() == []


@pytest.mark.parametrize(
    "change, code, message",
    [
        ({"accessKeyId": "someone-else"}, "100006", "OSS访问被拒绝: InvalidAccessKeyId"),
        ({"accessKeySecret": "wrong"}, "100006", "OSS访问被拒绝: SignatureDoesNotMatch"),
        ({"bucketName": "no-such-bucket"}, "100005", "OSS文件不存在: NoSuchBucket"),
        ({"key": "studies/none"}, "100005", "OSS文件不存在: NoSuchKey"),
        ({"bucketName": "Bad_Name"}, "100004", "参数错误: bucketName"),
    ],
)
def test_oss_input_is_checked_at_once(knee, change, code, message):
    status = {"100006": 403, "100005": 400, "100004": 400}[code]
    assert_envelope(knee.execute(knee.body(**change)), status, code, message, data=False)
    assert analyses(knee) == 0


def test_sts_credentials_are_accepted_and_checked(knee):
    cred = knee.c.post(
        "/aliyun/sts/token", json={"accessKeyId": OSS_KEY["accessKeyId"], "accessKeySecret": OSS_KEY["accessKeySecret"]}
    ).json["data"]
    sts = {"accessKeyId": cred["AccessKeyId"], "accessKeySecret": cred["AccessKeySecret"]}
    assert_envelope(
        knee.execute(knee.body(**sts, securityToken="")),
        403,
        "100006",
        "OSS访问被拒绝: InvalidSecurityToken",
        data=False,
    )
    assert_envelope(knee.execute(knee.body(**sts, securityToken=cred["SecurityToken"])), 200, "000000", data=True)
    knee.advance(3600)
    assert_envelope(
        knee.execute(knee.body(**sts, securityToken=cred["SecurityToken"], forceAnalysis=True)),
        403,
        "100006",
        "OSS访问被拒绝: SecurityTokenExpired",
        data=False,
    )


def test_key_may_name_one_object_or_a_study_path(knee):
    knee.put_object("single.png", b"x")
    assert_envelope(knee.execute(knee.body(key="single.png", study="a")), 200, "000000", data=True)
    assert_envelope(knee.execute(knee.body(key="studies/knee/", study="b")), 200, "000000", data=True)
    assert_envelope(knee.execute(knee.body(key="studies/kn", study="c")), 400, "100005", data=False)


@pytest.mark.parametrize(
    "endpoint",
    ["oss-cn-beijing.aliyuncs.com", "https://oss-cn-beijing.aliyuncs.com", "http://127.0.0.1:8080", "oss-cn-beijing"],
)
def test_any_endpoint_form_is_accepted_and_never_contacted(knee, endpoint):
    """The document calls it the OSS server's domain name (OSS服务器域名), which oss2 also takes bare."""
    assert_envelope(knee.execute(knee.body(endpoint=endpoint)), 200, "000000", data=True)
    knee.advance(3)
    assert knee.result().json["returnCode"] == "000000", "the mock reads its own store whatever the endpoint"


def test_a_resubmit_while_running_is_idempotent(knee, httpserver):
    """A client that retries executeAnalysis on a timeout must not turn the running analysis into a failure."""
    httpserver.expect_request("/api/taskStatus").respond_with_json({"code": 0, "message": "OK"})
    body = knee.body(callback=httpserver.url_for("/api/taskStatus"))
    assert_envelope(knee.execute(body), 200, "000000", data=True)
    knee.advance(2)
    assert_envelope(knee.execute(body), 200, "000000", data=True)
    assert_envelope(knee.execute(knee.body(key="elsewhere")), 400, "100005", data=False)  # still checked first
    knee.advance(1)
    assert knee.result().json["returnCode"] == "000000", "the first run finishes on its own time, not restarted"
    assert len(knee.callbacks()) == 1 and len(httpserver.log) == 1
    assert analyses(knee) == 1


def test_reanalysis_of_a_finished_study_needs_force(knee):
    assert knee.execute().json["returnCode"] == "000000"
    knee.advance(3)
    response = knee.execute()
    assert_envelope(response, 409, "100009", "该检查已分析，重新分析请设置forceAnalysis为true", data=False)
    assert_envelope(knee.execute(knee.body(forceAnalysis=True)), 200, "000000", data=True)
    assert knee.result().json["returnCode"] == "100007", "a forced re-analysis runs again"
    assert_envelope(knee.execute(knee.body(forceAnalysis=True)), 200, "000000", data=True)  # restarts it once more
    knee.advance(2)
    assert knee.result().json["returnCode"] == "100007"
    knee.advance(1)
    assert knee.result().json["returnCode"] == "000000"
    assert analyses(knee) == 1


def test_the_same_study_as_another_type_or_namespace_is_another_analysis(knee):
    assert knee.execute(study_type=4).json["returnCode"] == "000000"
    assert knee.execute(study_type=2).json["returnCode"] == "000000"
    assert analyses(knee) == 2


def test_a_unicode_key_that_is_missing(knee):
    response = knee.execute(knee.body(key="检查/无"))
    assert_envelope(response, 400, "100005", "OSS文件不存在: NoSuchKey", data=False)
    assert response.headers["X-Mock-Explain"].startswith("key: no object '\\u68c0")
