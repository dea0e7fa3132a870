"""Snapshot and restore of a namespace; export as a scenario file and load it back."""

import json

import pytest

from mockservers.app import create_app
from mockservers.dicom.synthetic import dx_file
from mockservers.sigma.client import SigmaClient
from tests.machinery import test_settings


def jobs_of(client, series):
    return client.list_jobs(series)["total_number"]


@pytest.fixture
def sigma(vendor_session):
    client = SigmaClient("https://api.12sigma.ai", session=vendor_session)
    client.login()
    return client


def test_snapshot_reset_restore(mock_app, sigma):
    admin = mock_app.test_client()
    ids = sigma.upload_dicom(dx_file(index=12))
    sigma.new_job(ids["study_id"], ids["series_id"], ids["patient_id"], ids["filename"])
    snap = admin.post("/__admin/snapshots", json={"label": "one job"})
    assert snap.status_code == 201 and snap.json["label"] == "one job" and snap.json["blobs"] == 1
    sigma.new_job(ids["study_id"], ids["series_id"], ids["patient_id"], ids["filename"])
    assert jobs_of(sigma, ids["series_id"]) == 2
    admin.post("/__admin/reset")
    assert admin.get("/__admin/snapshots").json["snapshots"][0]["id"] == snap.json["id"], "reset keeps snapshots"
    assert admin.post(f"/__admin/snapshots/{snap.json['id']}/restore").status_code == 200
    sigma.login()  # the session from before the snapshot is live again, but log in anew anyway
    assert jobs_of(sigma, ids["series_id"]) == 1
    assert sigma.download(ids["filename"]) == dx_file(index=12), "blobs come back too"
    admin.post("/__admin/clock/advance", json={"seconds": 60})
    assert sigma.list_jobs(ids["series_id"])["jobs"][0]["status"] == "success", "scheduled events come back"


def test_restore_unknown_snapshot(client):
    assert client.post("/__admin/snapshots/99/restore").status_code == 404


def test_export_and_load_a_scenario(tmp_path, mock_app, sigma):
    ids = sigma.upload_dicom(dx_file(index=13))
    sigma.new_job(ids["study_id"], ids["series_id"], ids["patient_id"], ids["filename"])
    scenario = mock_app.test_client().get("/__admin/export").json
    (tmp_path / "one-job.json").write_text(json.dumps(scenario))
    other = create_app(test_settings(scenarios_dir=str(tmp_path)), start_background=False)
    c = other.test_client()
    loaded = c.post("/__admin/scenarios/one-job", headers={"X-Mock-Namespace": "replay"})
    assert loaded.status_code == 200 and loaded.json["blobs"] == 1
    from mockservers.pytest_plugin import routed_session

    session = routed_session(other)
    session.headers["X-Mock-Namespace"] = "replay"
    replay = SigmaClient("https://api.12sigma.ai", session=session)
    replay.login()
    assert jobs_of(replay, ids["series_id"]) == 1 and replay.download(ids["filename"]) == dx_file(index=13)


@pytest.mark.parametrize(
    "name, content, status, fragment",
    [
        ("missing", None, 404, "no scenario"),
        ("broken", "{not yaml: [", 400, "scenario 'broken'"),
        ("wrong", '{"format": "other"}', 400, "not a scenario"),
        ("tables", '{"format": "mockservers-scenario/1", "tables": {"nope": []}}', 400, "unknown"),
    ],
)
def test_bad_scenarios(tmp_path, name, content, status, fragment):
    if content is not None:
        (tmp_path / f"{name}.yaml").write_text(content)
    app = create_app(test_settings(scenarios_dir=str(tmp_path)), start_background=False)
    response = app.test_client().post(f"/__admin/scenarios/{name}")
    assert response.status_code == status and fragment in response.json["error"]
