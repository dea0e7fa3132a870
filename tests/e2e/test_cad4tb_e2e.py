"""The thin client and the document's own `requests` examples against a live server."""

from __future__ import annotations

import io
import json
import zipfile

import pydicom
import pytest
import requests

from mockservers.cad4tb.client import Cad4tbAPIError, Cad4tbClient
from mockservers.dicom.synthetic import dx_file

# The document's example patient and series.
DOC_FILE = dx_file(
    0,
    0,
    PatientID="12345",
    PatientName="Anonymous",
    PatientSex="M",
    PatientBirthDate="19000101",
    StudyInstanceUID="1.2.3.4.5",
    SeriesInstanceUID="1.2.3.4.5.6",
)


def test_whole_flow_through_the_thin_client(mock_server):
    client = Cad4tbClient(mock_server.url("cad4tb"))
    ids = client.upload(dx_file(index=1), filename="chest x-ray (PA).dcm")
    pid, study, series = ids["PatientID"], ids["StudyInstanceUID"], ids["SeriesInstanceUID"]
    assert client.get_patient(pid)["PatientID"] == pid
    assert [s["StudyInstanceUID"] for s in client.list_studies(pid)] == [study]
    assert client.get_study(pid, study)["StudyInstanceUID"] == study
    assert client.get_series(pid, study, series)["status"] == "processing"
    assert client.results(pid, study, series, ["CAD4TB 5"]) == []
    scores = client.wait_for_results(pid, study, series, ["CAD4TB 5"], interval=1, sleep=mock_server.admin.advance)
    assert scores[0]["name"] == "CAD4TB 5" and 0 <= scores[0]["value"] <= 100
    assert client.list_series(pid, study)[0]["status"] == "done"
    archive = zipfile.ZipFile(io.BytesIO(client.get_dicom_zip(pid, study, series)))
    assert archive.namelist() == ["chest_x-ray_PA.dcm"]
    assert pydicom.dcmread(io.BytesIO(archive.read("chest_x-ray_PA.dcm"))).SeriesInstanceUID == series
    bundle = zipfile.ZipFile(io.BytesIO(client.results(pid, study, series, ["CAD4TB 5", "Heatmap"])))
    assert bundle.namelist() == ["Heatmap.png", "results.xml"]
    report = client.add_form(pid, study, series, "TB report", {"tb_suspected": False, "conclusion": "normal"})
    assert client.list_forms(pid, study, series) == [report]
    assert client.delete_series(pid, study, series) == {"status": "Ok"}
    with pytest.raises(Cad4tbAPIError) as err:
        client.get_dicom_zip(pid, study, series)
    assert (err.value.error, err.value.suberror, err.value.status) == ("object_not_found", "series_not_found", 404)
    assert client.delete_study(pid, study) == {"status": "Ok"}
    assert client.delete_patient(pid) == {"status": "Ok"}
    with pytest.raises(Cad4tbAPIError) as err:
        client.get_patient(pid)
    assert err.value.suberror == "patient_not_found"
    journal = mock_server.admin.requests(vendor="cad4tb")
    assert journal and all(r["status"] < 500 for r in journal)


def test_the_user_without_permissions_gets_api_call_not_allowed(mock_server):
    Cad4tbClient(mock_server.url("cad4tb")).upload(DOC_FILE)
    client = Cad4tbClient(mock_server.url("cad4tb"), username="no-permissions", password="no-permissions")
    with pytest.raises(Cad4tbAPIError) as err:
        client.get_patient("12345")
    assert (err.value.error, err.value.status) == ("api_call_not_allowed", 403)


def test_the_documents_first_example_as_written(mock_server):
    Cad4tbClient(mock_server.url("cad4tb")).upload(DOC_FILE)
    server_address = mock_server.url("cad4tb")
    # -- the document's example; its 'X‐USERNAME' has a Unicode hyphen (U+2010), which no HTTP client can send
    payload = {"Project": "some-project", "Archive": "some-archive", "PatientID": "12345"}
    credentials = {"X-USERNAME": "some-username", "X-PASSWORD": "some-password"}
    r = requests.get(f"{server_address}/api/v1/patient/get/", params=payload, headers=credentials)
    # --
    assert json.loads(r.content) == {
        "PatientName": "Anonymous",
        "PatientID": "12345",
        "PatientSex": "M",
        "PatientBirthDate": "1900-01-01",
    }
    assert list(json.loads(r.content)) == ["PatientName", "PatientID", "PatientSex", "PatientBirthDate"]


def test_the_documents_second_example(mock_server):
    Cad4tbClient(mock_server.url("cad4tb")).upload(DOC_FILE)
    mock_server.admin.advance(5)
    server_address = mock_server.url("cad4tb")
    # -- the document's example, with its missing comma after 'cad4tb' put back
    payload = {
        "Project": "some-project",
        "Archive": "some-archive",
        "PatientID": "12345",
        "StudyInstanceUID": "1.2.3.4.5",
        "SeriesInstanceUID": "1.2.3.4.5.6",
        "Type": "cad4tb",
        "Results": "CAD4TB 5",
    }
    credentials = {"X-USERNAME": "some-username", "X-PASSWORD": "some-password"}
    r = requests.get(f"{server_address}/api/v1/series/results/", params=payload, headers=credentials)
    # --
    [result] = json.loads(r.content)
    assert list(result) == ["name", "algorithm", "value"]
    assert result["name"] == "CAD4TB 5" and result["algorithm"] == "CAD4TB"
    # The example's own URL is /patient/get/ (copied from the first): there the extra parameters are ignored.
    r = requests.get(f"{server_address}/api/v1/patient/get/", params=payload, headers=credentials)
    assert r.status_code == 200 and r.json()["PatientID"] == "12345"


def test_the_unicode_hyphen_header_fails_in_requests_itself(mock_server):
    """Why the examples are run with an ASCII hyphen: the document's header name cannot be sent."""
    with pytest.raises(UnicodeEncodeError):
        requests.get(mock_server.url("cad4tb") + "/api/v1/patient/get/", headers={"X‐USERNAME": "some-username"})


def test_the_demo_script_runs_the_whole_flow(mock_server, monkeypatch, capsys):
    """scripts/cad4tb_demo.py against a live server; its waits advance the virtual clock instead of sleeping."""
    import runpy
    import sys
    import time
    from pathlib import Path

    scripts = Path(__file__).resolve().parents[2] / "scripts"
    monkeypatch.syspath_prepend(str(scripts))
    monkeypatch.setattr(time, "sleep", mock_server.admin.advance)
    monkeypatch.setattr(sys, "argv", ["cad4tb_demo.py", "--base-url", mock_server.url("cad4tb"), "--cleanup"])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_path(str(scripts / "cad4tb_demo.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert exit_.value.code == 0, out
    assert "CAD4TB 5 (CAD4TB):" in out and "demo_chest_PA.dcm" in out and "Heatmap.png, results.xml" in out
    assert "Report #" in out and "6. Patient deleted" in out
