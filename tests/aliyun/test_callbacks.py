"""The status callback to statusNotifyCallBackUrl: its body, and retries until the receiver answers code 0."""

import json

from werkzeug import Response

from mockservers.dicom.synthetic import dx_file


def start(aliyun, httpserver, files=None, **kwargs):
    for name, data in (files or {"1.dcm": dx_file(0, 0)}).items():
        aliyun.put_object(f"s/{name}", data)
    response = aliyun.execute(key="s", callback=httpserver.url_for("/api/taskStatus"), **kwargs)
    assert response.json["returnCode"] == "000000"


def ack(code=0):
    return Response(json.dumps({"code": code, "message": "OK"}), content_type="application/json")


def test_success_callback(aliyun, httpserver):
    httpserver.expect_oneshot_request(
        "/api/taskStatus",
        method="POST",
        json={
            "studyInstanceUid": "1.2.3",
            "studyType": 4,
            "status": 0,
            "errorCode": None,
            "errorMessage": None,
        },
    ).respond_with_response(ack())
    start(aliyun, httpserver)
    aliyun.advance(2.9)
    assert len(httpserver.log) == 0, "not before the analysis ends"
    aliyun.advance(0.1)
    httpserver.check_assertions()
    [cb] = aliyun.callbacks()
    assert cb["state"] == "delivered" and len(cb["attempts"]) == 1


def test_failure_callback(aliyun, httpserver):
    httpserver.expect_oneshot_request(
        "/api/taskStatus",
        method="POST",
        json={
            "studyInstanceUid": "1.2.3",
            "studyType": 1,
            "status": -1,
            "errorCode": "100010",
            "errorMessage": "影像文件无法分析: s/1.dcm 的Modality为DX，肺结节CT分析需要CT",
        },
    ).respond_with_response(ack())
    start(aliyun, httpserver, study_type=1)
    aliyun.advance(3)
    httpserver.check_assertions()


def test_retried_until_the_receiver_answers_code_0(aliyun, httpserver):
    answers = iter([Response("down", status=503), ack(code=1), Response("ok, but no JSON"), ack()])
    httpserver.expect_request("/api/taskStatus").respond_with_handler(lambda request: next(answers))
    start(aliyun, httpserver)
    aliyun.advance(3)
    for _ in range(3):
        aliyun.advance(10)
    [cb] = aliyun.callbacks()
    assert cb["state"] == "delivered"
    assert [a["error"] for a in cb["attempts"]] == [
        'HTTP 503: not the {"code": 0} acknowledgement',
        "receiver answered code 1",
        'HTTP 200: not the {"code": 0} acknowledgement',
        None,
    ]
    assert len(httpserver.log) == 4


def test_a_receiver_that_is_down_gets_it_once_back(aliyun, httpserver):
    url = httpserver.url_for("/api/taskStatus")
    httpserver.stop()
    start(aliyun, httpserver)
    aliyun.advance(3)
    aliyun.advance(1)
    [cb] = aliyun.callbacks()
    assert cb["state"] == "pending" and all("ConnectionError" in a["error"] for a in cb["attempts"])
    httpserver.start()
    assert httpserver.url_for("/api/taskStatus") == url
    httpserver.expect_request("/api/taskStatus").respond_with_response(ack())
    aliyun.advance(60)
    [cb] = aliyun.callbacks()
    assert cb["state"] == "delivered" and len(httpserver.log) == 1


def test_no_callback_without_url(aliyun):
    aliyun.analyse({"1.dcm": dx_file(0, 0)})
    assert aliyun.callbacks() == []


def test_a_forced_reanalysis_calls_back_again(aliyun, httpserver):
    httpserver.expect_request("/api/taskStatus").respond_with_response(ack())
    start(aliyun, httpserver)
    aliyun.advance(1)
    aliyun.execute(key="s", callback=httpserver.url_for("/api/taskStatus"), forceAnalysis=True)
    aliyun.advance(5)
    assert len(aliyun.callbacks()) == 1, "the superseded run does not call back"
    aliyun.execute(key="s", callback=httpserver.url_for("/api/taskStatus"), forceAnalysis=True)
    aliyun.advance(3)
    assert [cb["state"] for cb in aliyun.callbacks()] == ["delivered", "delivered"]


REFUSED = "refused: 203.0.113.5 is not in callback_allow (set MOCKSERVERS_CALLBACK_ALLOW to allow it)"


def test_a_status_callback_url_outside_callback_allow_is_accepted_but_never_called(aliyun):
    aliyun.put_object("s/1.dcm", dx_file(0, 0))
    response = aliyun.execute(key="s", callback="http://203.0.113.5/api/taskStatus")
    assert response.status_code == 200 and response.json["returnCode"] == "000000"
    aliyun.advance(3)
    [cb] = aliyun.callbacks()
    assert cb["state"] == "refused" and [a["error"] for a in cb["attempts"]] == [REFUSED]


def test_an_oa_result_callback_url_outside_callback_allow_is_accepted_but_never_called(aliyun):
    aliyun.put_object("knee.png", dx_file(0, 0))
    response = aliyun.oa(aliyun.oa_body(callback="http://203.0.113.5/oa/result"))
    assert response.status_code == 200 and response.json == {"returnCode": "000000", "returnMessage": "OK"}
    aliyun.advance(2)
    [cb] = aliyun.callbacks()
    assert cb["state"] == "refused" and [a["error"] for a in cb["attempts"]] == [REFUSED]
