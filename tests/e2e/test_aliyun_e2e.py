"""An integrator's whole flow: upload a study with oss2, trigger with the thin client, receive the callbacks on a
real local receiver, fetch the result, send feedback; and the OA trigger with STS credentials."""

from __future__ import annotations

import io

import oss2
import pydicom
import pytest

from mockservers.aliyun.client import AliyunAPIError, AliyunClient, OssSource, ResultNotReady
from mockservers.dicom.synthetic import dx_file

KEY_ID, SECRET = "mock-access-key-id", "mock-access-key-secret"


def upload_ct_study(bucket, prefix: str, slices: int = 3) -> str:
    first = pydicom.dcmread(io.BytesIO(dx_file(seed=7, index=0, Modality="CT")))
    for i in range(slices):
        data = dx_file(
            seed=7,
            index=i,
            Modality="CT",
            StudyInstanceUID=first.StudyInstanceUID,
            SeriesInstanceUID=first.SeriesInstanceUID,
            SliceThickness=2.5,
            ImagePositionPatient=[-160.0, -160.0, -50.0 + 2.5 * i],
        )
        bucket.put_object(f"{prefix}/{i:04d}.dcm", data)
    return str(first.StudyInstanceUID)


def test_lung_ct_flow_through_oss2_and_the_thin_client(mock_server, httpserver):
    httpserver.expect_request("/api/taskStatus", method="POST").respond_with_json({"code": 0, "message": "OK"})
    bucket = oss2.Bucket(oss2.Auth(KEY_ID, SECRET), mock_server.base_url, "demo-bucket")
    study_uid = upload_ct_study(bucket, "demo/ct-study")
    client = AliyunClient(mock_server.url("aliyun"))
    source = OssSource(KEY_ID, SECRET, mock_server.base_url, "demo-bucket", "demo/ct-study")
    assert client.execute_analysis(study_uid, 1, source, httpserver.url_for("/api/taskStatus")) is True
    with pytest.raises(ResultNotReady):
        client.get_analysis_result(study_uid, 1)
    mock_server.admin.advance(3)
    [(request, _)] = httpserver.log
    assert request.get_json() == {
        "studyInstanceUid": study_uid,
        "studyType": 1,
        "status": 0,
        "errorCode": None,
        "errorMessage": None,
    }
    data = client.get_analysis_result(study_uid, 1)
    nodules = data["imageDataList"]
    assert nodules and all(n["credibility"] is None for n in nodules)
    assert {n["seriesInstanceUid"] for n in nodules} == {
        str(pydicom.dcmread(io.BytesIO(bucket.get_object("demo/ct-study/0000.dcm").read())).SeriesInstanceUID)
    }
    assert client.submit_feedback(study_uid, 1, {nodules[0]["indexId"]: "Y"}) is True
    assert client.get_analysis_result(study_uid, 1)["imageDataList"][0]["credibility"] == "Y"
    with pytest.raises(AliyunAPIError) as error:
        client.execute_analysis(study_uid, 1, source)
    assert error.value.code == "100009" and error.value.status == 409
    [cb] = mock_server.admin.callbacks("aliyun")
    assert cb["state"] == "delivered"


def test_a_study_that_is_not_dicom_fails_with_the_callback(mock_server, httpserver):
    httpserver.expect_request("/api/taskStatus").respond_with_json({"code": 0})
    bucket = oss2.Bucket(oss2.Auth(KEY_ID, SECRET), mock_server.base_url, "demo-bucket")
    bucket.put_object("demo/broken/readme.txt", b"no images here")
    client = AliyunClient(mock_server.url("aliyun"))
    source = OssSource(KEY_ID, SECRET, mock_server.base_url, "demo-bucket", "demo/broken")
    client.execute_analysis("broken", 2, source, httpserver.url_for("/api/taskStatus"))
    mock_server.admin.advance(3)
    callback = httpserver.log[0][0].get_json()
    assert callback["status"] == -1 and callback["errorCode"] == "100010"
    with pytest.raises(AliyunAPIError) as error:
        client.get_analysis_result("broken", 2)
    assert error.value.code == "100010" and error.value.message == callback["errorMessage"]


def test_missing_study_and_refused_credentials_are_answered_at_once(mock_server):
    client = AliyunClient(mock_server.url("aliyun"))
    with pytest.raises(AliyunAPIError) as error:
        client.execute_analysis("x", 4, OssSource(KEY_ID, SECRET, mock_server.base_url, "demo-bucket", "nothing"))
    assert (error.value.code, error.value.message) == ("100005", "OSS文件不存在: NoSuchKey")
    with pytest.raises(AliyunAPIError) as error:
        client.execute_analysis("x", 4, OssSource(KEY_ID, "bad", mock_server.base_url, "demo-bucket", "nothing"))
    assert error.value.code == "100006"
    with pytest.raises(AliyunAPIError) as error:
        AliyunClient(mock_server.url("aliyun"), token_id="nope").get_analysis_result("x", 4)
    assert error.value.code == "100002"


def test_oa_with_sts_credentials_and_a_receiver_that_comes_back(mock_server, httpserver):
    from werkzeug import Response

    answers = iter(
        [
            Response("", status=502),
            Response('{"returnCode": "000000", "returnMessage": "OK"}', content_type="application/json"),
        ]
    )
    httpserver.expect_request("/oa/result").respond_with_handler(lambda request: next(answers))
    client = AliyunClient(mock_server.url("aliyun"))
    cred = client.issue_sts(KEY_ID, SECRET)
    bucket = oss2.Bucket(
        oss2.StsAuth(cred["AccessKeyId"], cred["AccessKeySecret"], cred["SecurityToken"]),
        mock_server.base_url,
        "demo-bucket",
    )
    bucket.put_object("demo/oa/knee.dcm", dx_file(seed=3, index=0))
    source = OssSource(
        cred["AccessKeyId"],
        cred["AccessKeySecret"],
        mock_server.base_url,
        "demo-bucket",
        "demo/oa/knee.dcm",
        security_token=cred["SecurityToken"],
    )
    client.trigger_oa("knee.dcm", source, httpserver.url_for("/oa/result"))
    mock_server.admin.advance(2)
    mock_server.admin.advance(5)
    bodies = [entry[0].get_json() for entry in httpserver.log]
    assert len(bodies) == 2 and bodies[0] == bodies[1]
    assert bodies[0]["ImageUid"] == "knee.dcm" and bodies[0]["Boxes"]
    [cb] = mock_server.admin.callbacks("aliyun")
    assert cb["state"] == "delivered" and [a["status"] for a in cb["attempts"]] == [502, 200]


def test_hard_coded_vendor_url_through_vendor_session(vendor_session, mock_app):
    from mockservers.aliyun.oss.store import OssStore

    runtime = mock_app.extensions["mockservers"]
    with runtime.store.transaction() as db:
        OssStore(runtime.context(db, "aliyun")).put("demo-bucket", "knee.png", _png())
    client = AliyunClient("https://medical.aliyun.com", session=vendor_session)
    client.execute_analysis("knee", 4, OssSource(KEY_ID, SECRET, "http://127.0.0.1:8080", "demo-bucket", "knee.png"))
    runtime.advance(3)
    assert client.get_analysis_result("knee", 4)["boxes"]


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (300, 200), 100).save(buffer, format="PNG")
    return buffer.getvalue()


def test_client_raises_on_a_refused_oa_trigger(mock_server):
    client = AliyunClient(mock_server.url("aliyun"), namespace="not-configured")
    with pytest.raises(AliyunAPIError) as error:
        client.trigger_oa(
            "x", OssSource(KEY_ID, SECRET, mock_server.base_url, "demo-bucket", "x.png"), "http://127.0.0.1:9/oa"
        )
    assert (error.value.code, error.value.message, error.value.status) == ("100003", "namespace无效", 401)


def test_the_dashboard_shows_a_knee_analysis_with_its_boxes(mock_server):
    import requests

    bucket = oss2.Bucket(oss2.Auth(KEY_ID, SECRET), mock_server.base_url, "demo-bucket")
    bucket.put_object("demo/knee/0001.dcm", dx_file(seed=3, index=0, rows=256, columns=256))
    client = AliyunClient(mock_server.url("aliyun"))
    client.execute_analysis("knee-9", 4, OssSource(KEY_ID, SECRET, mock_server.base_url, "demo-bucket", "demo/knee"))
    admin = mock_server.base_url + "/__admin"
    [job] = requests.get(admin + "/jobs", params={"vendor": "aliyun"}, timeout=10).json()["jobs"]
    assert job["id"] == "demo/knee-9/4" and job["state"] == "running"
    mock_server.admin.advance(3)
    boxes = client.get_analysis_result("knee-9", 4)["boxes"]
    [study] = requests.get(admin + "/studies", params={"vendor": "aliyun"}, timeout=10).json()["studies"]
    assert [f["box"] for f in study["findings"]] == [b["coordinates"] for b in boxes] and boxes
    thumbnail = requests.get(mock_server.base_url + study["thumbnail"], timeout=10)
    assert thumbnail.status_code == 200 and thumbnail.headers["Content-Type"] == "image/png"
