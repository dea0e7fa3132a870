"""cad4tb in `mockservers seed --scenario demo` and on the dashboard (jobs, studies, thumbnails)."""

import io

import pytest
from PIL import Image

from mockservers.app import create_app
from tests.cad4tb.conftest import Cad4tb, assert_error
from tests.demo_state import seeded_state
from tests.machinery import test_settings

pytestmark = pytest.mark.no_postgres_pass  # it picks its own state


def seeded(tmp_path, name, seed=0, studies=8):
    state = seeded_state(tmp_path, name, seed, studies)
    app = create_app(test_settings(state=state, seed=seed), start_background=False)
    app.testing = True
    return app


def test_demo_seed_fills_the_demo_archive(tmp_path, capsys):
    client = seeded(tmp_path, "a").test_client()
    assert "cad4tb   8 demo studies" in capsys.readouterr().out
    jobs = client.get("/__admin/jobs?vendor=cad4tb").json["jobs"]
    assert sorted(j["state"] for j in jobs) == ["done"] * 6 + ["processing"] * 2
    assert {j["kind"] for j in jobs} == {"cad4tb", "retina"}
    assert all(j["detail"].startswith("some-project/some-archive, patient ") for j in jobs)
    studies = client.get("/__admin/studies?vendor=cad4tb").json["studies"]
    assert len(studies) == 8 and all(s["patient"].endswith(")") and s["thumbnail"] for s in studies)
    assert client.post("/__admin/clock/advance", json={"seconds": 60}).status_code == 200
    assert {j["state"] for j in client.get("/__admin/jobs?vendor=cad4tb").json["jobs"]} == {"done"}


def test_same_seed_same_demo_data(tmp_path):
    def snapshot(app):
        client = app.test_client()
        return (
            sorted((j["id"], j["state"]) for j in client.get("/__admin/jobs?vendor=cad4tb").json["jobs"]),
            sorted((s["id"], s["patient"]) for s in client.get("/__admin/studies?vendor=cad4tb").json["studies"]),
        )

    first = snapshot(seeded(tmp_path, "x", seed=4, studies=4))
    assert first == snapshot(seeded(tmp_path, "y", seed=4, studies=4))
    assert first != snapshot(seeded(tmp_path, "z", seed=5, studies=4))


def test_demo_data_answers_through_the_api(tmp_path):
    api = Cad4tb(seeded(tmp_path, "api", studies=2).test_client())
    study = api.c.get("/__admin/studies?vendor=cad4tb").json["studies"][-1]
    patient_id = study["patient"].rsplit("(", 1)[1].rstrip(")")
    [listed] = api.get("patient/studies/list", PatientID=patient_id).json
    [series] = api.get(
        "patient/study/series/list", PatientID=patient_id, StudyInstanceUID=listed["StudyInstanceUID"]
    ).json
    assert series["status"] == "done" and series["form_1"] == {"tb_suspected": False, "conclusion": "normal"}
    assert_error(api.get("patient/get", PatientID="nobody"), 404, "object_not_found", "patient_not_found")


def test_an_uploaded_study_has_a_thumbnail(api, dx):
    ids = api.uploaded(dx)
    [study] = api.c.get("/__admin/studies?vendor=cad4tb").json["studies"]
    assert study["id"] == ids["StudyInstanceUID"] and study["vendor"] == "cad4tb"
    response = api.c.get(study["thumbnail"])
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert max(Image.open(io.BytesIO(response.data)).size) == 256
    assert api.c.get(study["thumbnail"] + "?size=5").status_code == 400


def test_a_deleted_study_has_no_thumbnail_any_more(api, dx):
    ids = api.uploaded(dx)
    thumbnail = api.c.get("/__admin/studies?vendor=cad4tb").json["studies"][0]["thumbnail"]
    assert api.get("study/delete", PatientID=ids["PatientID"], StudyInstanceUID=ids["StudyInstanceUID"]).json == {
        "status": "Ok"
    }
    assert api.c.get("/__admin/studies?vendor=cad4tb").json["studies"] == []
    assert api.c.get(thumbnail).status_code == 404


def test_a_study_without_stored_files_has_no_thumbnail(dx):
    from tests.cad4tb.conftest import make_app

    app = make_app(store_dicom=False)
    api = Cad4tb(app.test_client())
    api.uploaded(dx)
    [study] = api.c.get("/__admin/studies?vendor=cad4tb").json["studies"]
    assert study["thumbnail"] is None
    app.extensions["mockservers"].close()
