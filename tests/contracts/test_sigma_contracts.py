"""Replays every documented SigmaCloud DR example in fixtures/contracts/sigma/ against the mock."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
import yaml

from mockservers.app import create_app
from mockservers.dicom.synthetic import dx_dataset, to_part10
from tests.contracts.matching import mismatches, substitute
from tests.machinery import test_settings

CONTRACTS = Path(__file__).resolve().parents[2] / "fixtures" / "contracts" / "sigma"
CASES = [
    (path.name, case)
    for path in sorted(CONTRACTS.glob("*.yaml"))
    for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
]
# The document's NewJob example uses account `accunt_1`, user `user_1` and these UIDs; the contracts run as them.
DOCUMENT_FILE = to_part10(
    dx_dataset(
        seed=0, index=0, StudyInstanceUID="11111.11111.11111", SeriesInstanceUID="222.222.222", PatientID="622747"
    )
)


class Given:
    def __init__(self, client):
        self.c = client
        self.vars = {"series_id": "222.222.222"}
        self.headers = {}

    def login(self):
        r = self.c.get(
            "/sigma/login",
            query_string={
                "account_name": "accunt_1",
                "user_name": "user_1",
                "password": base64.urlsafe_b64encode(b"123456").decode(),
            },
        )
        self.headers = {"Sigma-Token": r.json["data"]["user_info"]["token"]}

    def open_upload(self):
        r = self.c.post(
            "/sigma/accounts/accunt_1/store/uploads/222.222.222/",
            headers=self.headers,
            data=json.dumps({"quantity": 1, "converted": "1", "overwrite": "1"}),
        )
        self.vars["upload_id"] = r.json["data"]["upload_id"]

    def upload(self):
        self.open_upload()
        r = self.c.put(
            "/sigma/accounts/accunt_1/store/uploads/222.222.222.dcm/",
            data=DOCUMENT_FILE,
            query_string={"upload_id": self.vars["upload_id"]},
            headers={**self.headers, "Content-MD5": hashlib.md5(DOCUMENT_FILE).hexdigest()},
        )
        assert r.status_code == 200, r.json

    def job(self):
        body = {
            "account_name": "accunt_1",
            "user_name": "user_1",
            "study_id": "11111.11111.11111",
            "series_id": "222.222.222",
            "patient_id": "622747",
            "format": "dcm",
            "filename": "222.222.222.dcm",
            "job_type": "lung_dr_detection",
            "priority": "2",
            "type": "file",
        }
        r = self.c.post("/sigma/accounts/accunt_1/jobs/", data=json.dumps(body), headers=self.headers)
        self.vars["job_id"] = r.json["data"]["job_id"]

    def finish(self):
        self.c.post("/__admin/clock/advance", json={"seconds": 600})


@pytest.fixture
def contract_client():
    settings = test_settings(
        vendor_config={"sigma": {"accounts": {"accunt_1": {"users": {"user_1": {"password": "123456"}}}}}}
    )
    app = create_app(settings, start_background=False)
    yield app.test_client()
    app.extensions["mockservers"].close()


@pytest.mark.parametrize("source, case", CASES, ids=[f"{s}: {c['name']}" for s, c in CASES])
def test_contract(contract_client, httpserver, source, case):
    given = Given(contract_client)
    given.vars["receiver"] = httpserver.url_for("/notify")
    httpserver.expect_request("/notify", method="POST").respond_with_data("ok")
    for step in case["given"]:
        getattr(given, step)()
    req = substitute(case["request"], given.vars)
    headers = {**given.headers, **req.get("headers", {})}
    data = None
    if req.get("file"):
        data = DOCUMENT_FILE
        headers.setdefault("Content-MD5", hashlib.md5(DOCUMENT_FILE).hexdigest())
    elif "body" in req:
        data = json.dumps(req["body"], ensure_ascii=False)  # the SDK sends JSON without a Content-Type
    response = contract_client.open(
        req["path"], method=req["method"], query_string=req.get("query"), headers=headers, data=data
    )
    expected = substitute(case["response"], given.vars)
    assert response.status_code == expected["status"], response.get_data(as_text=True)
    if "content_type" in expected:
        assert response.mimetype == expected["content_type"]
    if "body" in expected:
        problems = mismatches(expected["body"], json.loads(response.get_data()))
        assert not problems, "\n".join(problems)
    if "callback" in case:
        contract_client.post("/__admin/clock/advance", json={"seconds": 600})
        [(request, _)] = httpserver.log
        problems = mismatches(substitute(case["callback"]["body"], given.vars), request.get_json(), "callback")
        assert not problems, "\n".join(problems)


def test_every_documented_endpoint_has_a_contract():
    names = {yaml.safe_load(p.read_text(encoding="utf-8"))["endpoint"] for p in CONTRACTS.glob("*.yaml")}
    assert {
        "Login",
        "Logout",
        "Upload (POST)",
        "Upload (PUT)",
        "DownloadFile",
        "NewJob",
        "GetJob",
        "ListJobs",
        "GetStudylist",
        "notify_url callback",
    } <= names
