"""QIDO answers from the index: the filters are SQL on indexed columns (SQLite's query plan says so)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from werkzeug.datastructures import MultiDict

from mockservers.dicom import qido
from mockservers.msdicom.face import make_face
from mockservers.sphere.face import make_face as sphere_face

pytestmark = pytest.mark.no_postgres_pass  # reads SQLite's own query plans


def plan(mock_app, face, level, args) -> str:
    runtime = mock_app.extensions["mockservers"]
    query = qido.parse(face, level, None, None, MultiDict(args))
    model = qido.MODELS[level]
    stmt = select(model).where(model.face == face.key)
    for attr, value in query.filters:
        stmt = stmt.where(qido.condition(face, query, attr, value))
    with runtime.store.transaction() as db:
        compiled = stmt.compile(db.get_bind(), compile_kwargs={"literal_binds": True})
        rows = db.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
    return " ".join(str(r[-1]) for r in rows)


def search_plan(mock_app, face, level, args) -> str:
    """The plan of the statement a search runs (prepared once per shape of query, its values bound)."""
    runtime = mock_app.extensions["mockservers"]
    query = qido.parse(face, level, None, None, MultiDict(args))
    with runtime.store.transaction() as db:
        statement, values = qido.prepared_search(db, face, query)
        rows = db.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement.sql}", statement.params(values)).all()
    return " ".join(str(r[-1]) for r in rows)


def test_searches_use_indexes(mock_app):
    face = make_face("2", "http://x/msdicom/v2")
    assert "ux_dicom_instances_uid" in search_plan(mock_app, face, "instance", {"SOPInstanceUID": "1.2.3"})
    # A study search answers in seq order: the equality's index ends in seq, so SQLite takes it rather than walk
    # the seq index through every study (with no statistics, it preferred that walk on the plain equality index).
    for args, index in (
        ({"PatientID": "P1"}, "ix_dicom_studies_patient_id_ci"),
        ({"AccessionNumber": "A1"}, "ix_dicom_studies_accession_ci"),
    ):
        found = search_plan(mock_app, face, "study", args)
        assert index in found and "ix_dicom_studies_seq" not in found, found
    sphere = sphere_face("http://x/sphere/wadors", {})
    found = search_plan(mock_app, sphere, "study", {"PatientID": "P1"})
    assert "ix_dicom_studies_patient_id " in found + " " and "ix_dicom_studies_seq" not in found, found


def test_filters_use_indexes(mock_app):
    face = make_face("2", "http://x/msdicom/v2")
    # msdicom's strings other than names match ignoring case: on indexes of their lower case
    assert "ix_dicom_studies_patient_id_ci" in plan(mock_app, face, "study", {"PatientID": "P1"})
    assert "ix_dicom_studies_accession_ci" in plan(mock_app, face, "study", {"AccessionNumber": "A1"})
    assert "ix_dicom_studies_date" in plan(mock_app, face, "study", {"StudyDate": "20200101-20201231"})
    assert "ix_dicom_studies_patient_name" in plan(mock_app, face, "study", {"PatientName": "DOE^JOHN"})
    assert "ux_dicom_studies_uid" in plan(mock_app, face, "study", {"StudyInstanceUID": "1.2.3"})
    assert "ix_dicom_series_modality_ci" in plan(mock_app, face, "series", {"Modality": "CT"})
    assert "ux_dicom_instances_uid" in plan(mock_app, face, "instance", {"SOPInstanceUID": "1.2.3"})
    sphere = sphere_face("http://x/sphere/wadors", {})
    assert "ux_dicom_studies_uid" in plan(mock_app, sphere, "study", {"StudyInstanceUID": "1.2.3,1.2.4"})
    assert "ix_dicom_studies_patient_id " in plan(mock_app, sphere, "study", {"PatientID": "P1"}) + " "
    assert "ix_dicom_series_modality " in plan(mock_app, sphere, "series", {"Modality": "CT"}) + " "


def test_dashboard_studies_and_demo_seeding(tmp_path):
    from mockservers.app import create_app
    from mockservers.cli import main
    from tests.machinery import test_settings

    state = f"sqlite:///{tmp_path}/state.db"
    assert main(["seed", "--scenario", "demo", "--studies", "4", "--state", state, "--clock", "virtual"]) == 0
    app = create_app(test_settings(state=state), start_background=False)
    try:
        client = app.test_client()
        for key, base in (("msdicom", "/msdicom/v2"), ("sphere", "/sphere/qidors")):
            studies = client.get(f"/__admin/studies?vendor={key}").json["studies"]
            assert len(studies) == 4 and all(s["thumbnail"] for s in studies)
            found = client.get(f"{base}/studies", headers={"Accept": "application/dicom+json"}).json
            assert len(found) == 4
            counts = sorted(
                len(client.get(f"{base}/studies/{s['0020000D']['Value'][0]}/instances").json) for s in found
            )
            assert counts == [1, 2, 4, 6]  # a radiograph; an ultrasound frame and cine; MR and CT series
            thumbnail = client.get(studies[0]["thumbnail"])
            assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/png"
    finally:
        app.extensions["mockservers"].close()
