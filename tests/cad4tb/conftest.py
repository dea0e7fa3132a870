from __future__ import annotations

import io

import pytest

from mockservers.app import create_app
from mockservers.cad4tb.backend import PERMISSIONS
from mockservers.dicom.synthetic import dx_file
from tests.machinery import test_settings

API = "/cad4tb/api/v1"
SCOPE = {"Project": "some-project", "Archive": "some-archive"}
OWNER = {"X-USERNAME": "some-username", "X-PASSWORD": "some-password"}
DOC_PATIENT = {  # the document's example values, as DICOM headers
    "PatientID": "12345",
    "PatientName": "Anonymous",
    "PatientSex": "M",
    "PatientBirthDate": "19000101",
    "StudyInstanceUID": "1.2.3.4.5",
    "SeriesInstanceUID": "1.2.3.4.5.6",
}
RETINA = {"Modality": "OP", "SOPClassUID": "1.2.840.10008.5.1.4.1.1.77.1.5.1"}
# Users for the permission matrix: one lacking each permission, one on another project with every permission.
DEMO_ARCHIVE = {"some-project": ["some-archive"]}
EXTRA_USERS = {
    **{
        f"all-but-{p}": {
            "password": "pw",
            "email": f"{p}@example.org",
            "permissions": [q for q in PERMISSIONS if q != p],
            "projects": DEMO_ARCHIVE,
        }
        for p in PERMISSIONS
    },
    **{
        f"only-{p}": {"password": "pw", "email": f"only-{p}@example.org", "permissions": [p], "projects": DEMO_ARCHIVE}
        for p in PERMISSIONS
    },
    "other-username": {
        "password": "other-password",
        "email": "other@example.org",
        "permissions": ["*"],
        "projects": {"other-project": ["other-archive"], "some-project": ["other-archive"]},
    },
}


def make_app(**cad4tb_config):
    config = {"users": EXTRA_USERS, **cad4tb_config}
    app = create_app(test_settings(vendors=["cad4tb"], vendor_config={"cad4tb": config}), start_background=False)
    app.testing = True
    return app


class Cad4tb:
    """Drives the API through the Flask test client, the way its clients do (JSON Content-Type on GETs)."""

    def __init__(self, client):
        self.c = client

    def upload(self, data: bytes | None, filename="image.dcm", headers=OWNER, **fields):
        form = {**SCOPE, **fields}
        if data is not None:
            form["file"] = (io.BytesIO(data), filename)
        return self.c.post(f"{API}/instance/upload/", data=form, headers=headers)

    def uploaded(self, data: bytes, filename="image.dcm") -> dict:
        response = self.upload(data, filename)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json

    def get(self, command: str, headers=OWNER, **params):
        return self.c.get(
            f"{API}/{command}/",
            query_string={**SCOPE, **params},
            headers={**headers, "Content-Type": "application/json"},
        )

    def add_form(
        self,
        ids: dict,
        form="TB report",
        submission='{"tb_suspected": true, "conclusion": "normal"}',
        headers=OWNER,
        **extra,
    ):
        body = {**SCOPE, **keys(ids), "FormName": form, "FormSubmission": submission, **extra}
        return self.c.post(f"{API}/patient/study/series/forms/add/", json=body, headers=headers)

    def advance(self, seconds: float):
        assert self.c.post("/__admin/clock/advance", json={"seconds": seconds}).status_code == 200


def keys(ids: dict, level: str = "series") -> dict:
    """The lookup parameters of an upload's answer, down to `level`."""
    order = ["PatientID", "StudyInstanceUID", "SeriesInstanceUID"]
    upto = {"patient": 1, "study": 2, "series": 3}[level]
    return {k: ids[k] for k in order[:upto]}


@pytest.fixture
def app():
    app = make_app()
    yield app
    app.extensions["mockservers"].close()


@pytest.fixture
def api(request, client):
    """The API through `client` (in-process, or a live server with --mock-live: default users only), or through
    the test's own `app` (every user of EXTRA_USERS, its files on disk) when the test asks for `app`."""
    if "app" in request.fixturenames:
        return Cad4tb(request.getfixturevalue("app").test_client())
    return Cad4tb(client)


@pytest.fixture
def dx():
    return dx_file(seed=0, index=0, PatientID="12345")


def assert_error(response, status: int, error: str, suberror: str | None = None, message: str | None = None):
    """The one error body, exactly."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.json
    assert list(body) == ["status", "error", "suberror", "message"]
    assert body["status"] == "Error" and body["error"] == error and body["suberror"] == suberror
    assert isinstance(body["message"], str) and body["message"]
    if message is not None:
        assert body["message"] == message
    return body
