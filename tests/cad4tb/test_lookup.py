import re

import pytest

from mockservers.cad4tb.errors import Cad4tbError
from mockservers.dicom.synthetic import dx_file
from tests.cad4tb.conftest import API, DOC_PATIENT, OWNER, SCOPE, assert_error, keys


def test_get_patient_answers_the_documented_fields_in_order(api):
    api.uploaded(dx_file(0, 0, **DOC_PATIENT))
    response = api.get("patient/get", PatientID="12345")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_data(as_text=True).startswith('{"PatientName": "Anonymous", "PatientID": "12345"')
    assert response.json == {
        "PatientName": "Anonymous",
        "PatientID": "12345",
        "PatientSex": "M",
        "PatientBirthDate": "1900-01-01",
    }


def test_absent_patient_attributes_are_null(api):
    from mockservers.dicom.synthetic import dx_dataset, to_part10

    ds = dx_dataset(0, 1, PatientID="9")
    del ds.PatientName, ds.PatientSex, ds.PatientBirthDate
    api.uploaded(to_part10(ds))
    assert api.get("patient/get", PatientID="9").json == {
        "PatientName": None,
        "PatientID": "9",
        "PatientSex": None,
        "PatientBirthDate": None,
    }


def test_get_study_answers_iso_dates_and_plain_times(api):
    ids = api.uploaded(
        dx_file(
            0,
            0,
            StudyDate="20130305",
            StudyTime="142205.123",
            AccessionNumber="A1",
            ReferringPhysicianName="Doe^Jane",
            PatientID="12345",
        )
    )
    response = api.get("study/get", **keys(ids, "study"))
    assert response.status_code == 200
    assert response.json == {
        "StudyInstanceUID": ids["StudyInstanceUID"],
        "StudyDate": "2013-03-05",
        "StudyTime": "142205",
        "StudyDescription": "Chest PA",
        "ReferringPhysicianName": "Doe^Jane",
        "InstitutionName": response.json["InstitutionName"],
        "AccessionNumber": "A1",
    }
    assert response.json["InstitutionName"].endswith("General Hospital")


def test_list_studies_is_a_bare_array_in_upload_order(api):
    first = api.uploaded(dx_file(0, 1, PatientID="P", StudyInstanceUID="9.9"))
    second = api.uploaded(dx_file(0, 2, PatientID="P", StudyInstanceUID="1.1"))
    api.uploaded(dx_file(0, 3, PatientID="P", StudyInstanceUID="9.9"))  # a second series of the first study
    response = api.get("patient/studies/list", PatientID="P")
    assert [s["StudyInstanceUID"] for s in response.json] == [first["StudyInstanceUID"], second["StudyInstanceUID"]]
    assert response.json[0] == api.get("study/get", PatientID="P", StudyInstanceUID="9.9").json


def test_get_series_is_flat_dicom_keywords_with_status(api):
    ids = api.uploaded(dx_file(0, 0, PatientID="12345", SeriesDate="20130305", SeriesTime="142205"))
    series = api.get("series/get", **keys(ids)).json
    assert series["SeriesInstanceUID"] == ids["SeriesInstanceUID"]
    assert series["SOPClassUID"] == "1.2.840.10008.5.1.4.1.1.1.1"
    assert series["SeriesDate"] == "2013-03-05" and series["SeriesTime"] == "142205"
    assert series["SeriesDescription"] == "Chest" and series["Manufacturer"] == "Mock Medical Systems"
    assert series["ManufacturerModelName"] is None
    assert series["Rows"] == 128 and series["Columns"] == 128 and isinstance(series["SeriesNumber"], int)
    assert series["ImageType"] == "ORIGINAL\\PRIMARY" and series["Modality"] == "DX"
    assert series["status"] == "processing" and series["status_message"] == "Series is being processed"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", series["modified"])
    assert not [k for k in series if k.startswith("form_")]


def test_series_status_moves_to_done_on_the_clock(api):
    ids = api.uploaded(dx_file(0, 0))
    api.advance(2.9)
    assert api.get("series/get", **keys(ids)).json["status"] == "processing"
    before = api.get("series/get", **keys(ids)).json["modified"]
    api.advance(0.2)
    series = api.get("series/get", **keys(ids)).json
    assert series["status"] == "done" and series["status_message"] == "Series processed successfully"
    assert series["modified"] > before


def test_a_new_instance_restarts_processing(api):
    shared = {"StudyInstanceUID": "1.2.3", "SeriesInstanceUID": "1.2.3.4", "PatientID": "P1"}
    ids = api.uploaded(dx_file(0, 1, **shared))
    api.advance(2)
    api.uploaded(dx_file(0, 2, **shared))
    api.advance(2)  # the first upload's event is due, but the series is not done until 3s after the second
    assert api.get("series/get", **keys(ids)).json["status"] == "processing"
    api.advance(1)
    assert api.get("series/get", **keys(ids)).json["status"] == "done"


def test_list_series_is_a_bare_array_in_upload_order(api):
    a = api.uploaded(dx_file(0, 1, PatientID="P", StudyInstanceUID="1.2", SeriesInstanceUID="1.2.9"))
    b = api.uploaded(dx_file(0, 2, PatientID="P", StudyInstanceUID="1.2", SeriesInstanceUID="1.2.1"))
    listed = api.get("patient/study/series/list", PatientID="P", StudyInstanceUID="1.2").json
    assert [s["SeriesInstanceUID"] for s in listed] == [a["SeriesInstanceUID"], b["SeriesInstanceUID"]]
    assert listed[1] == api.get("series/get", **keys(b)).json


def test_processing_duration_is_configurable():
    from tests.cad4tb.conftest import Cad4tb, make_app

    app = make_app(processing_seconds=60)
    api = Cad4tb(app.test_client())
    ids = api.uploaded(dx_file(0, 0))
    api.advance(59)
    assert api.get("series/get", **keys(ids)).json["status"] == "processing"
    api.advance(1)
    assert api.get("series/get", **keys(ids)).json["status"] == "done"
    app.extensions["mockservers"].close()


def test_extra_parameters_are_ignored_and_json_content_type_on_get_is_fine(api):
    ids = api.uploaded(dx_file(0, 0))
    response = api.c.get(
        f"{API}/series/get/",
        query_string={**SCOPE, **keys(ids), "format": "json", "x": "1"},
        headers={**OWNER, "Content-Type": "application/json", "Content-Length": "0"},
    )
    assert response.status_code == 200 and response.json["SeriesInstanceUID"] == ids["SeriesInstanceUID"]


def test_a_double_slash_in_the_path_is_a_200_not_a_redirect(api):
    ids = api.uploaded(dx_file(0, 0))
    response = api.c.get("/cad4tb/api/v1//series/get/", query_string={**SCOPE, **keys(ids)}, headers=OWNER)
    assert response.status_code == 200 and response.json["SeriesInstanceUID"] == ids["SeriesInstanceUID"]


LOOKUPS = [  # call, level of its parameters, the suberror it documents
    ("patient/get", "patient", "patient_not_found"),
    ("patient/studies/list", "patient", "patient_not_found"),
    ("study/get", "study", "study_not_found"),
    ("patient/study/series/list", "study", "study_not_found"),
    ("series/get", "series", "series_not_found"),
    ("dicom/get", "series", "series_not_found"),
    ("patient/study/series/forms/list", "series", "series_not_found"),
    ("series/results", "series", "result_not_found"),
    ("patient/delete", "patient", "patient_not_found"),
    ("study/delete", "study", "study_not_found"),
    ("series/delete", "series", "series_not_found"),
]


LEVEL_PARAMS = {
    "patient": ["Project", "Archive", "PatientID"],
    "study": ["Project", "Archive", "PatientID", "StudyInstanceUID"],
    "series": ["Project", "Archive", "PatientID", "StudyInstanceUID", "SeriesInstanceUID"],
}
WRONG = [(call, level, suberror, wrong) for call, level, suberror in LOOKUPS for wrong in LEVEL_PARAMS[level]]


@pytest.mark.parametrize("call, level, suberror, wrong", WRONG)
def test_a_wrong_or_missing_id_at_any_level_is_the_calls_suberror(api, call, level, suberror, wrong):
    ids = api.uploaded(dx_file(0, 0))
    params = {**keys(ids, level), "Type": "cad4tb", "Results": "CAD4TB 5"}
    assert_error(api.get(call, **{**params, wrong: "0.0.0"}), 404, "object_not_found", suberror)
    missing = api.c.get(
        f"{API}/{call}/", headers=OWNER, query_string={k: v for k, v in {**SCOPE, **params}.items() if k != wrong}
    )
    assert_error(missing, 404, "object_not_found", suberror)
    assert api.get("series/get", **keys(ids)).status_code == 200  # nothing changed


def test_lookups_read_without_the_orm_answer_as_the_orms(app, api):
    """The read-only calls find patient, study and series as Records (core/prepared.py): every column as the ORM
    reads it (JSON attributes decoded, `retina` a bool) on any database, and unknown ids found by neither."""
    from mockservers.cad4tb.backend import Cad4tbBackend
    from mockservers.cad4tb.models import Cad4tbPatient, Cad4tbSeries, Cad4tbStudy

    ids = api.uploaded(dx_file(0, 0, PatientID="12345", Modality="OP"))
    user = {"name": "t", "projects": {SCOPE["Project"]: [SCOPE["Archive"]]}}
    p = {**SCOPE, **keys(ids)}
    runtime = app.extensions["mockservers"]
    with runtime.store.transaction() as db:
        backend = Cad4tbBackend(runtime.context(db, "cad4tb"))
        records = backend._series(user, p, "series_not_found")
        orms = (
            backend._patient(user, p, "series_not_found", read_only=False),
            backend._study(user, p, "series_not_found", read_only=False)[1],
            backend._series(user, p, "series_not_found", read_only=False)[2],
        )
        for record, orm, model in zip(records, orms, (Cad4tbPatient, Cad4tbStudy, Cad4tbSeries), strict=True):
            assert isinstance(orm, model) and not isinstance(record, model)
            for column in model.__table__.columns:
                assert getattr(record, column.name) == getattr(orm, column.name), column.name
                assert type(getattr(record, column.name)) is type(getattr(orm, column.name)), column.name
        assert records[2].retina is orms[2].retina is True  # Modality OP
        assert backend.series_dict(records[2]) == backend.series_dict(orms[2])
        for unknown in ({"PatientID": "nobody"}, {"StudyInstanceUID": "9.9"}, {"SeriesInstanceUID": "9.9"}):
            with pytest.raises(Cad4tbError):
                backend._series(user, {**p, **unknown}, "series_not_found")
