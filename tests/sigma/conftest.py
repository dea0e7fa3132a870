from __future__ import annotations

import base64
import hashlib
import io
import json

import pydicom
import pytest

from mockservers.dicom.synthetic import dx_file

PASSWORD_B64 = base64.urlsafe_b64encode(b"123456").decode()
FAIL_NEXT_JOB = {  # a fault rule: the next job created fails when it ends
    "vendor": "sigma",
    "method": "POST",
    "path": "/sigma/accounts/*/jobs/",
    "times": 1,
    "action": {"fail_job": "InternalServerError"},
}


class Sigma:
    """Drives the sigma routes through the Flask test client, the way the vendor's SDK does."""

    def __init__(self, client):
        self.c = client
        self.token = None

    def login(self, **overrides):
        params = {"account_name": "sigma", "user_name": "test", "password": PASSWORD_B64, "force_new": "False"}
        params.update(overrides)
        response = self.c.get("/sigma/login", query_string=params)
        if response.status_code == 200:
            self.token = response.json["data"]["user_info"]["token"]
        return response

    @property
    def headers(self):
        return {"Sigma-Token": self.token}

    def open_upload(self, series_id, quantity=1, overwrite=1, account="sigma", **extra):
        body = {"quantity": quantity, "converted": "1", "overwrite": overwrite, **extra}
        return self.c.post(
            f"/sigma/accounts/{account}/store/uploads/{series_id}/", data=json.dumps(body), headers=self.headers
        )

    def put(self, name, data, upload_id, md5=None, account="sigma"):
        md5 = hashlib.md5(data).hexdigest() if md5 is None else md5
        return self.c.put(
            f"/sigma/accounts/{account}/store/uploads/{name}/",
            query_string={"upload_id": upload_id},
            data=data,
            headers={**self.headers, "Content-MD5": md5},
        )

    def upload(self, data, name="image.dcm"):
        ds = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
        upload_id = self.open_upload(ds.SeriesInstanceUID).json["data"]["upload_id"]
        answer = self.put(name, data, upload_id)
        assert answer.status_code == 200, answer.json
        return ds

    def job_body(self, ds, filename="image.dcm", **overrides):
        body = {
            "account_name": "sigma",
            "user_name": "test",
            "study_id": ds.StudyInstanceUID,
            "series_id": ds.SeriesInstanceUID,
            "patient_id": ds.PatientID,
            "format": "dcm",
            "filename": filename,
            "job_type": "lung_dr_detection",
            "priority": "2",
            "type": "file",
        }
        body.update(overrides)
        return body

    def new_job(self, ds, **overrides):
        return self.c.post(
            "/sigma/accounts/sigma/jobs/", data=json.dumps(self.job_body(ds, **overrides)), headers=self.headers
        )

    def get_job(self, job_id):
        return self.c.get(f"/sigma/accounts/sigma/jobs/{job_id}/", headers=self.headers)

    def advance(self, seconds):
        assert self.c.post("/__admin/clock/advance", json={"seconds": seconds}).status_code == 200


@pytest.fixture
def sigma(client):
    s = Sigma(client)
    assert s.login().status_code == 200
    return s


@pytest.fixture
def sigma_with():
    """A Sigma on an app of its own, built with these settings (e.g. sigma_token_lifetime_seconds=60)."""
    from mockservers.app import create_app
    from tests.machinery import test_settings

    apps = []

    def make(**settings):
        app = create_app(test_settings(**settings), start_background=False)
        apps.append(app)
        s = Sigma(app.test_client())
        assert s.login().status_code == 200
        return s

    yield make
    for app in apps:
        app.extensions["mockservers"].close()


@pytest.fixture
def dx():
    return dx_file(seed=0, index=0)


def assert_error(response, status, code, message=None, message_chs=None):
    """The documented failure envelope, exactly."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.json
    assert list(body) == ["url", "message", "message_chs", "data", "error"]
    assert body["data"] == {} and body["message"] == "" and body["message_chs"] == "" and body["url"] == ""
    assert body["error"]["code"] == code
    if message is not None:
        assert body["error"]["message"] == message
    if message_chs is not None:
        assert body["error"]["message_chs"] == message_chs
    else:
        assert body["error"]["message_chs"], "every error but the documented ListStudyListError has a Chinese message"
    return body["error"]
