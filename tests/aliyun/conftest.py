from __future__ import annotations

import io

import pytest
from PIL import Image

from mockservers.aliyun.oss.store import OssStore
from mockservers.dicom.synthetic import dx_file

TOKEN = {"tokenId": "demo", "namespace": "demo"}
OSS_KEY = {
    "accessKeyId": "mock-access-key-id",
    "accessKeySecret": "mock-access-key-secret",
    "securityToken": "",
    "endpoint": "http://127.0.0.1:8080",
    "bucketName": "demo-bucket",
}
ENVELOPE_KEYS = ["returnCode", "returnMessage", "solution", "requestId", "data", "success"]


def ct_slices(n=3, seed=0):
    """A CT-like series: DX pixels with CT headers, one slice per index, one study and series."""
    first = dx_file(seed=seed, index=0, Modality="CT")
    import pydicom

    ds = pydicom.dcmread(io.BytesIO(first))
    return [
        dx_file(
            seed=seed,
            index=i,
            Modality="CT",
            StudyInstanceUID=ds.StudyInstanceUID,
            SeriesInstanceUID=ds.SeriesInstanceUID,
            SliceThickness=1.25,
            ImagePositionPatient=[-150.0, -150.0, -100.0 + 1.25 * i],
        )
        for i in range(n)
    ]


def fundus_file(laterality="L", index=0):
    return dx_file(seed=0, index=index, Modality="OP", ImageLaterality=laterality)


def picture(fmt="PNG", size=(320, 200)):
    buffer = io.BytesIO()
    Image.new("L", size, 128).save(buffer, format=fmt)
    return buffer.getvalue()


class Aliyun:
    """Drives the platform routes through the Flask test client, with the JSON a real integration sends."""

    def __init__(self, app):
        self.app = app
        self.c = app.test_client()
        self.runtime = app.extensions["mockservers"]

    def put_object(self, key, data, bucket="demo-bucket"):
        with self.runtime.store.transaction() as db:
            OssStore(self.runtime.context(db, "aliyun")).put(bucket, key, data)

    def delete_object(self, key, bucket="demo-bucket"):
        with self.runtime.store.transaction() as db:
            OssStore(self.runtime.context(db, "aliyun")).delete(bucket, key)

    def body(self, study="1.2.3", study_type=4, key="studies/knee", callback=None, **overrides):
        body = {"studyInstanceUid": study, "studyType": study_type, **OSS_KEY, "key": key, "forceAnalysis": False}
        if callback:
            body["statusNotifyCallBackUrl"] = callback
        body.update(overrides)
        return body

    def execute(self, body=None, headers=TOKEN, **kwargs):
        return self.c.post("/aliyun/dicom/api/executeAnalysis", json=body or self.body(**kwargs), headers=headers)

    def result(self, study="1.2.3", study_type=4, headers=TOKEN):
        return self.c.get(
            "/aliyun/dicom/api/getAnalysisResult",
            query_string={"studyInstanceUid": study, "studyType": study_type},
            headers=headers,
        )

    def feedback(self, body, headers=TOKEN):
        return self.c.post("/aliyun/dicom/api/submitAnalysisFeedback", json=body, headers=headers)

    def oa_body(self, key="knee.png", callback="http://127.0.0.1:9/oa", **overrides):
        body = {
            "namespace": "demo",
            "ImageUid": "knee-001",
            **OSS_KEY,
            "key": key,
            "analysis": "OA",
            "resultCallBackUrl": callback,
        }
        body.update(overrides)
        return body

    def oa(self, body):
        return self.c.post("/aliyun/oa/analysis", json=body)

    def advance(self, seconds):
        assert self.c.post("/__admin/clock/advance", json={"seconds": seconds}).status_code == 200

    def callbacks(self):
        return self.c.get("/__admin/callbacks", query_string={"vendor": "aliyun"}).json["callbacks"]

    def analyse(self, files: dict, study="1.2.3", study_type=4, key="studies/knee", **kwargs):
        for name, data in files.items():
            self.put_object(f"{key}/{name}", data)
        response = self.execute(study=study, study_type=study_type, key=key, **kwargs)
        assert response.status_code == 200, response.json
        self.advance(3)
        return self.result(study, study_type)


@pytest.fixture
def aliyun(mock_app):
    return Aliyun(mock_app)


def assert_envelope(response, status, code, message=None, data=None):
    """The platform's envelope, exactly, with a fresh requestId."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.json
    assert list(body) == ENVELOPE_KEYS
    assert body["returnCode"] == code
    assert body["success"] is (code == "000000")
    assert body["solution"] == ""
    assert len(body["requestId"]) == 36 and body["requestId"].count("-") == 4
    if message is not None:
        assert body["returnMessage"] == message
    if data is not None or code != "000000":
        assert body["data"] == data
    return body
