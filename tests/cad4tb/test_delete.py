import os

import pytest

from mockservers.dicom.synthetic import dx_file
from tests.cad4tb.conftest import assert_error, keys

SHARED = {"PatientID": "P1", "StudyInstanceUID": "1.2.3"}


@pytest.fixture
def tree(api):
    """Patient P1 with study 1.2.3 (series A: two instances, series B) and study 4.5.6; patient P2 aside."""
    a1 = api.uploaded(dx_file(0, 1, **SHARED, SeriesInstanceUID="1.2.3.1"))
    api.uploaded(dx_file(0, 2, **SHARED, SeriesInstanceUID="1.2.3.1"))
    b = api.uploaded(dx_file(0, 3, **SHARED, SeriesInstanceUID="1.2.3.2"))
    other_study = api.uploaded(dx_file(0, 4, PatientID="P1", StudyInstanceUID="4.5.6"))
    other_patient = api.uploaded(dx_file(0, 5, PatientID="P2"))
    api.advance(5)
    api.add_form(a1)
    return {"a": a1, "b": b, "study2": other_study, "p2": other_patient}


def _blobs(app):
    root = app.extensions["mockservers"].blobs.root
    return sorted(f for _, _, files in os.walk(root) for f in files)


def _gone_everywhere(api, ids, suberror_level):
    for call, suberror in [
        ("series/get", "series_not_found"),
        ("dicom/get", "series_not_found"),
        ("patient/study/series/forms/list", "series_not_found"),
        ("series/results", "result_not_found"),
    ]:
        response = api.get(call, **keys(ids), Type="cad4tb", Results="CAD4TB 5")
        assert_error(response, 404, "object_not_found", suberror)
    if suberror_level in ("study", "patient"):
        assert_error(api.get("study/get", **keys(ids, "study")), 404, "object_not_found", "study_not_found")
        assert_error(
            api.get("patient/study/series/list", **keys(ids, "study")), 404, "object_not_found", "study_not_found"
        )
    if suberror_level == "patient":
        assert_error(api.get("patient/get", **keys(ids, "patient")), 404, "object_not_found", "patient_not_found")


def test_delete_series_removes_it_its_files_and_its_forms(api, app, tree):
    before = _blobs(app)
    response = api.get("series/delete", **keys(tree["a"]))
    assert response.status_code == 200 and response.json == {"status": "Ok"}
    _gone_everywhere(api, tree["a"], "series")
    assert len(_blobs(app)) == len(before) - 2
    assert [s["SeriesInstanceUID"] for s in api.get("patient/study/series/list", **keys(tree["b"], "study")).json] == [
        "1.2.3.2"
    ]
    assert api.get("dicom/get", **keys(tree["b"])).status_code == 200
    assert_error(api.get("series/delete", **keys(tree["a"])), 404, "object_not_found", "series_not_found")


def test_delete_study_removes_its_series(api, app, tree):
    assert api.get("study/delete", **keys(tree["a"], "study")).json == {"status": "Ok"}
    _gone_everywhere(api, tree["a"], "study")
    _gone_everywhere(api, tree["b"], "study")
    assert [s["StudyInstanceUID"] for s in api.get("patient/studies/list", PatientID="P1").json] == ["4.5.6"]
    assert len(_blobs(app)) == 2
    assert_error(api.get("study/delete", **keys(tree["a"], "study")), 404, "object_not_found", "study_not_found")


def test_delete_patient_removes_everything_under_it(api, app, tree):
    assert api.get("patient/delete", PatientID="P1").json == {"status": "Ok"}
    for name in ("a", "b", "study2"):
        _gone_everywhere(api, tree[name], "patient")
    assert_error(api.get("patient/studies/list", PatientID="P1"), 404, "object_not_found", "patient_not_found")
    assert len(_blobs(app)) == 1
    assert api.get("dicom/get", **keys(tree["p2"])).status_code == 200
    assert_error(api.get("patient/delete", PatientID="P1"), 404, "object_not_found", "patient_not_found")


def test_a_deleted_patient_can_be_uploaded_again(api, tree):
    api.get("patient/delete", PatientID="P1")
    again = api.uploaded(dx_file(0, 1, **SHARED, SeriesInstanceUID="1.2.3.1"))
    assert api.get("series/get", **keys(again)).json["status"] == "processing"
    assert api.get("patient/study/series/forms/list", **keys(again)).json == []


def test_a_file_another_archive_holds_stays_until_its_last_record_goes(api, app):
    """The same bytes in two archives are one file on disk, held twice: deleting one copy keeps it."""
    from tests.cad4tb.conftest import Cad4tb, make_app

    app2 = make_app(users={"some-username": {"projects": {"some-project": ["some-archive", "archive-2"]}}})
    api2 = Cad4tb(app2.test_client())
    data = dx_file(0, 9)
    ids = api2.uploaded(data)
    assert api2.upload(data, Archive="archive-2").status_code == 200
    assert len(_blobs(app2)) == 1
    assert api2.get("patient/delete", PatientID=ids["PatientID"]).json == {"status": "Ok"}
    assert len(_blobs(app2)) == 1
    response = api2.get("dicom/get", **keys(ids), Archive="archive-2")
    assert response.status_code == 200 and data in _unzipped(response.data)
    assert api2.get("patient/delete", PatientID=ids["PatientID"], Archive="archive-2").json == {"status": "Ok"}
    assert _blobs(app2) == []
    app2.extensions["mockservers"].close()


def test_uploading_an_instance_again_replaces_its_file(api, app):
    ids = api.uploaded(dx_file(0, 1, PatientID="P1", SOPInstanceUID="1.2.3.9"))
    again = dx_file(0, 1, PatientID="P1", SOPInstanceUID="1.2.3.9", PatientName="Changed^Name")
    assert api.uploaded(again) == ids
    assert len(_blobs(app)) == 1
    assert _unzipped(api.get("dicom/get", **keys(ids)).data) == [again]
    api.get("patient/delete", PatientID="P1")
    assert _blobs(app) == []


def test_a_failed_delete_keeps_the_files(api, app, tree):
    before = _blobs(app)
    assert_error(api.get("patient/delete", PatientID="nobody"), 404, "object_not_found", "patient_not_found")
    assert _blobs(app) == before


def _unzipped(data: bytes) -> list[bytes]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [z.read(name) for name in z.namelist()]


@pytest.mark.parametrize(
    "level, command", [("patient", "patient/delete"), ("study", "study/delete"), ("series", "series/delete")]
)
def test_a_head_request_never_deletes(api, tree, level, command):
    from tests.cad4tb.conftest import API, OWNER, SCOPE

    response = api.c.head(f"{API}/{command}/", query_string={**SCOPE, **keys(tree["a"], level)}, headers=OWNER)
    assert response.status_code == 405
    assert api.get("series/get", **keys(tree["a"])).status_code == 200
