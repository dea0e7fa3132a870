"""Replays every case in fixtures/contracts/cad4tb/ against the mock."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
import yaml

from mockservers.dicom.synthetic import dx_file
from tests.cad4tb.conftest import OWNER, RETINA, Cad4tb, make_app
from tests.contracts.matching import mismatches

CONTRACTS = Path(__file__).resolve().parents[2] / "fixtures" / "contracts" / "cad4tb"
CASES = [
    (path.name, case)
    for path in sorted(CONTRACTS.glob("*.yaml"))
    for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
]
DOC = dict(
    PatientID="12345",
    PatientName="Anonymous",
    PatientSex="M",
    PatientBirthDate="19000101",
    StudyInstanceUID="1.2.3.4.5",
    SeriesInstanceUID="1.2.3.4.5.6",
    StudyDate="20130305",
    StudyTime="142205",
    SeriesDate="20130305",
    SeriesTime="142205",
)
FILES = {
    True: dx_file(0, 0, **DOC),
    "retina": dx_file(0, 1, **DOC, **RETINA, SOPInstanceUID="1.2.3.4.5.99"),
    "garbage": b"this is not a DICOM file",
}
USERS = {
    "no-permissions": {"X-USERNAME": "no-permissions", "X-PASSWORD": "no-permissions"},
    "other-username": {"X-USERNAME": "other-username", "X-PASSWORD": "other-password"},
}
CONFIG_STEPS = {
    "no_dicom": {"store_dicom": False},
    "duplicate_forms": {"forms": [{"id": 8, "name": "Twin", "fields": []}, {"id": 9, "name": "Twin", "fields": []}]},
}


@pytest.mark.parametrize("source, case", CASES, ids=[f"{s}: {c['name']}" for s, c in CASES])
def test_contract(source, case):
    config = {}
    for step in case["given"]:
        config.update(CONFIG_STEPS.get(step, {}))
    app = make_app(**config)
    try:
        api = Cad4tb(app.test_client())
        for step in case["given"]:
            if step in ("upload", "retina"):
                api.uploaded(FILES[True if step == "upload" else "retina"])
            elif step == "done":
                api.advance(5)
            elif step == "form":
                assert (
                    api.add_form(
                        {"PatientID": "12345", "StudyInstanceUID": "1.2.3.4.5", "SeriesInstanceUID": "1.2.3.4.5.6"}
                    ).status_code
                    == 200
                )
        req = case["request"]
        headers = USERS.get(req.get("user"), OWNER)
        kwargs = {"query_string": req.get("query")}
        if "form" in req:
            form = dict(req["form"])
            if req.get("file"):
                form["file"] = (io.BytesIO(FILES[req["file"]]), "image.dcm")
            kwargs["data"] = form
        elif "body" in req:
            kwargs["data"] = json.dumps(req["body"])
            headers = {**headers, "Content-Type": "application/json"}
        response = api.c.open(req["path"], method=req["method"], headers=headers, **kwargs)
        expected = case["response"]
        assert response.status_code == expected["status"], response.get_data(as_text=True)
        if "content_type" in expected:
            assert response.mimetype == expected["content_type"]
        if "body" in expected:
            problems = mismatches(expected["body"], json.loads(response.get_data()))
            assert not problems, "\n".join(problems)
        if "zip" in expected:
            assert zipfile.ZipFile(io.BytesIO(response.data)).namelist() == expected["zip"]
    finally:
        app.extensions["mockservers"].close()


def test_every_documented_call_has_a_contract():
    names = {yaml.safe_load(p.read_text(encoding="utf-8"))["endpoint"] for p in CONTRACTS.glob("*.yaml")}
    assert names == {
        "Upload series",
        "Get patient",
        "Delete patient",
        "Get study",
        "List studies",
        "Delete study",
        "Get series",
        "List series",
        "Get series dicom",
        "Delete series",
        "Get algorithm results",
        "Get reportings",
        "Add reportings",
    }


def test_every_error_and_suberror_type_appears_in_a_contract():
    seen = {
        (c["response"].get("body") or {}).get(k)
        for _, c in CASES
        for k in ("error", "suberror")
        if isinstance(c["response"].get("body"), dict)
    }
    assert {
        "method_not_allowed",
        "api_call_not_allowed",
        "invalid_post_value",
        "object_not_found",
        "multiple_objects_found",
        "no_data_submitted",
        "patient_not_found",
        "study_not_found",
        "series_not_found",
        "no_dicom_available",
        "result_not_found",
        "form_not_found",
    } <= seen
