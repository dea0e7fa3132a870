"""The OA trigger (/aliyun/oa/analysis): answered at once, the Boxes POSTed to resultCallBackUrl, retried."""

import json

import pytest
from werkzeug import Response

from mockservers.dicom.synthetic import dx_file
from tests.aliyun.conftest import picture


def ack(code="000000"):
    return Response(json.dumps({"returnCode": code, "returnMessage": "OK"}), content_type="application/json")


@pytest.fixture
def knee(aliyun):
    aliyun.put_object("knee.png", picture("PNG", (400, 300)))
    return aliyun


def test_answered_at_once_then_the_result_is_posted(knee, httpserver):
    httpserver.expect_oneshot_request("/oa/result", method="POST").respond_with_response(ack())
    response = knee.oa(knee.oa_body(callback=httpserver.url_for("/oa/result")))
    assert response.status_code == 200 and response.json == {"returnCode": "000000", "returnMessage": "OK"}
    knee.advance(1.9)
    assert len(httpserver.log) == 0
    knee.advance(0.1)
    httpserver.check_assertions()
    body = httpserver.log[0][0].json
    assert list(body) == ["returnCode", "returnMessage", "namespace", "ImageUid", "Boxes"]
    assert body["returnCode"] == "000000" and body["returnMessage"] == "OK"
    assert body["namespace"] == "demo" and body["ImageUid"] == "knee-001"
    assert 1 <= len(body["Boxes"]) <= 2
    for box in body["Boxes"]:
        assert list(box) == ["BoxUid", "Coordinates", "Class"]
        assert len(box["BoxUid"]) == 5 and box["BoxUid"].isdigit()
        x1, y1, x2, y2 = box["Coordinates"]
        assert 0 <= x1 < x2 <= 400 and 0 <= y1 < y2 <= 300
        assert box["Class"] in ("KL0级", "KL1级", "KL2级", "KL3级", "KL4级")
    [cb] = knee.callbacks()
    assert cb["state"] == "delivered"


def test_dicom_input_too(aliyun, httpserver):
    aliyun.put_object("knee.dcm", dx_file(0, 2))
    httpserver.expect_request("/oa/result").respond_with_response(ack())
    assert aliyun.oa(aliyun.oa_body(key="knee.dcm", callback=httpserver.url_for("/oa/result"))).status_code == 200
    aliyun.advance(2)
    assert httpserver.log[0][0].json["returnCode"] == "000000"


def test_retried_until_return_code_000000(knee, httpserver):
    answers = iter([Response("", status=500), ack("100001"), ack()])
    httpserver.expect_request("/oa/result").respond_with_handler(lambda request: next(answers))
    knee.oa(knee.oa_body(callback=httpserver.url_for("/oa/result")))
    knee.advance(2)
    knee.advance(10)
    knee.advance(10)
    [cb] = knee.callbacks()
    assert cb["state"] == "delivered"
    assert [a["error"] for a in cb["attempts"]] == [
        'HTTP 500: not the {"returnCode": "000000"} acknowledgement',
        "receiver answered returnCode '100001'",
        None,
    ]
    assert next(entry[0].json for entry in httpserver.log) == [entry[0].json for entry in httpserver.log][2]


def test_unreadable_image_is_reported_in_the_callback(aliyun, httpserver):
    aliyun.put_object("knee.txt", b"not an image")
    httpserver.expect_request("/oa/result").respond_with_response(ack())
    aliyun.oa(aliyun.oa_body(key="knee.txt", callback=httpserver.url_for("/oa/result")))
    aliyun.advance(2)
    assert httpserver.log[0][0].json == {
        "returnCode": "100010",
        "returnMessage": "影像文件无法分析: knee.txt 不是DICOM、JPEG或PNG文件",
        "namespace": "demo",
        "ImageUid": "knee-001",
        "Boxes": [],
    }


@pytest.mark.parametrize(
    "change, status, code, message",
    [
        ({"namespace": ""}, 400, "100004", "参数错误: namespace"),
        ({"namespace": "unknown"}, 401, "100003", "namespace无效"),
        ({"ImageUid": None}, 400, "100004", "参数错误: ImageUid"),
        ({"analysis": "Ballooning"}, 400, "100004", "参数错误: analysis"),
        ({"resultCallBackUrl": "nowhere"}, 400, "100004", "参数错误: resultCallBackUrl"),
        ({"endpoint": ""}, 400, "100004", "参数错误: endpoint"),
        ({"accessKeySecret": "wrong"}, 403, "100006", "OSS访问被拒绝: SignatureDoesNotMatch"),
        ({"key": "missing.png"}, 400, "100005", "OSS文件不存在: NoSuchKey"),
        ({"bucketName": "no-such-bucket"}, 400, "100005", "OSS文件不存在: NoSuchBucket"),
    ],
)
def test_bad_triggers_answer_the_two_key_envelope_and_queue_nothing(knee, change, status, code, message):
    body = knee.oa_body(**change)
    if None in change.values():
        del body["ImageUid"]
    response = knee.oa(body)
    assert response.status_code == status and response.json == {"returnCode": code, "returnMessage": message}
    knee.advance(10)
    assert knee.callbacks() == []


def test_not_json(knee):
    response = knee.c.post("/aliyun/oa/analysis", data=b"{", content_type="application/json")
    assert response.status_code == 400 and response.json == {"returnCode": "100004", "returnMessage": "参数错误: body"}
    assert knee.c.get("/aliyun/oa/analysis").json == {"returnCode": "100012", "returnMessage": "请求方法不支持"}


def test_a_study_path_analyses_every_image_under_it_in_one_callback(aliyun, httpserver):
    """The document's `"key": "xxx" // study path`: every image under `key/`, in key order, one callback whose Boxes
    hold each image's boxes in turn (as getAnalysisResult's boxes do for a bone-joint study of several images)."""
    aliyun.put_object("knees/2.png", picture("PNG", (400, 300)))
    aliyun.put_object("knees/1.dcm", dx_file(0, 2))
    aliyun.put_object("knee-alone.png", picture("PNG", (400, 300)))
    httpserver.expect_request("/oa/result").respond_with_response(ack())
    url = httpserver.url_for("/oa/result")
    for key in ("knees", "knees/", "knees/1.dcm", "knees/2.png"):
        response = aliyun.oa(aliyun.oa_body(key=key, callback=url))
        assert response.status_code == 200 and response.json == {"returnCode": "000000", "returnMessage": "OK"}
    aliyun.advance(2)
    study, study_slash, first, second = [entry[0].json for entry in httpserver.log]
    assert list(study) == ["returnCode", "returnMessage", "namespace", "ImageUid", "Boxes"]
    assert study["returnCode"] == "000000" and study == study_slash
    assert 2 <= len(study["Boxes"]) <= 4, "one or two boxes per image"
    assert 1 <= len(first["Boxes"]) <= 2 and 1 <= len(second["Boxes"]) <= 2
    [task_row] = [row for row in aliyun.c.get("/__admin/jobs").json["jobs"] if row["id"].startswith("oa/1/")]
    assert "2 image(s) at demo-bucket/knees" in task_row["detail"]


def test_a_study_path_with_an_unreadable_image_fails_the_whole_task(aliyun, httpserver):
    aliyun.put_object("mixed/1.png", picture("PNG", (400, 300)))
    aliyun.put_object("mixed/2.txt", b"not an image")
    httpserver.expect_request("/oa/result").respond_with_response(ack())
    aliyun.oa(aliyun.oa_body(key="mixed", callback=httpserver.url_for("/oa/result")))
    aliyun.advance(2)
    body = httpserver.log[0][0].json
    assert body["returnCode"] == "100010" and body["Boxes"] == []
    assert body["returnMessage"] == "影像文件无法分析: mixed/2.txt 不是DICOM、JPEG或PNG文件"


def test_a_prefix_that_is_not_a_path_is_no_such_key(knee):
    response = knee.oa(knee.oa_body(key="kne"))
    assert response.status_code == 400
    assert response.json == {"returnCode": "100005", "returnMessage": "OSS文件不存在: NoSuchKey"}
    knee.advance(10)
    assert knee.callbacks() == []


@pytest.mark.parametrize("endpoint", ["oss-cn-beijing.aliyuncs.com", "https://oss-cn-beijing.aliyuncs.com"])
def test_any_endpoint_form_is_accepted(knee, httpserver, endpoint):
    httpserver.expect_request("/oa/result").respond_with_response(ack())
    body = knee.oa_body(endpoint=endpoint, callback=httpserver.url_for("/oa/result"))
    assert knee.oa(body).json == {"returnCode": "000000", "returnMessage": "OK"}
    knee.advance(2)
    assert httpserver.log[0][0].json["returnCode"] == "000000"


def test_the_documents_example_request(aliyun, httpserver):
    """The trigger as the document writes it, with its placeholders made real (a study path in `key`)."""
    aliyun.put_object("demo/study-1/0001.dcm", dx_file(0, 2))
    httpserver.expect_request("/result").respond_with_response(ack())
    body = {
        "namespace": "demo",
        "ImageUid": "xxx",
        "accessKeyId": "mock-access-key-id",
        "accessKeySecret": "mock-access-key-secret",
        "securityToken": "",
        "endpoint": "oss-cn-beijing.aliyuncs.com",
        "bucketName": "demo-bucket",
        "key": "demo/study-1",
        "analysis": "OA",
        "resultCallBackUrl": httpserver.url_for("/result"),
    }
    assert aliyun.oa(body).json == {"returnCode": "000000", "returnMessage": "OK"}
    aliyun.advance(2)
    assert httpserver.log[0][0].json["ImageUid"] == "xxx" and httpserver.log[0][0].json["Boxes"]
