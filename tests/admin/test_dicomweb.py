"""/__admin/dicomweb: QIDO-RS and WADO-RS over what every vendor stored, read-only, per namespace, behind the admin
token; bad input answered 400/404 in /__admin's JSON, never a 500."""

from __future__ import annotations

import pytest

from mockservers.admin.dicomweb import READ_ONLY
from mockservers.app import create_app
from mockservers.dicom.synthetic import dx_file
from tests.admin.conftest import VIEW, cad4tb_upload, dicomweb, header, sigma_findings, value
from tests.aliyun.conftest import Aliyun, picture
from tests.dicom.files import dataset, study_files, uids
from tests.machinery import test_settings

STUDY_UID, SERIES_UID, DESCRIPTION, MODALITY = "0020000D", "0020000E", "0008103E", "00080060"


@pytest.fixture
def stored(client):
    """A study stored through msdicom (STOW), chest images uploaded to sigma (jobs run) and to cad4tb."""
    files = study_files(seed=3)
    dicomweb(client, "/msdicom/v2").store_instances([dataset(files["ct1"]), dataset(files["ct2"])])
    chest = sigma_findings(client, indices=(2, 3))
    tb = dx_file(seed=5, index=9, rows=128, columns=128)
    cad4tb_upload(client, tb)
    return {"msdicom": uids(files["ct1"]), "sigma": chest, "cad4tb": uids(tb)}


def test_every_vendor_in_one_view(view, stored):
    studies = {value(s, STUDY_UID): s for s in view.search_for_studies()}
    expected = {stored["msdicom"][0], stored["cad4tb"][0], *(ds.StudyInstanceUID for ds in stored["sigma"])}
    assert expected <= set(studies)
    series = view.search_for_series(stored["msdicom"][0])
    assert series and all(value(s, DESCRIPTION).startswith("msdicom: ") for s in series)
    described = {value(s, DESCRIPTION).split(":")[0] for s in view.search_for_series()}
    assert {"msdicom", "sigma", "cad4tb"} <= described


def test_series_are_named_by_vendor(view, stored):
    study, series, _ = stored["cad4tb"]
    found = view.search_for_series(study)
    assert [value(s, SERIES_UID) for s in found if value(s, MODALITY) != "SR"] == [series]
    assert [value(s, DESCRIPTION) for s in found if value(s, MODALITY) != "SR"] == ["cad4tb: Chest"]


def test_wado_instances_metadata_and_frames(view, stored, client):
    study, series, sop = stored["msdicom"]
    instance = view.retrieve_instance(study, series, sop)
    assert instance.SOPInstanceUID == sop and "PixelData" in instance
    metadata = view.retrieve_series_metadata(study, series)
    assert {value(m, "00080018") for m in metadata} >= {sop}
    assert all(value(m, DESCRIPTION).startswith("msdicom: ") for m in metadata)
    frames = view.retrieve_instance_frames(study, series, sop, frame_numbers=[1])
    assert len(frames) == 1 and frames[0] == instance.PixelData
    rendered = client.get(f"{VIEW}/studies/{study}/series/{series}/instances/{sop}/rendered")
    assert rendered.status_code == 200 and rendered.headers["Content-Type"] == "image/jpeg"


def test_qido_as_ohif_asks(client, stored):
    """OHIF's study list, then a study's series and their metadata."""
    study = stored["sigma"][0].StudyInstanceUID
    answer = client.get(
        f"{VIEW}/studies",
        query_string={
            "limit": "101",
            "offset": "0",
            "fuzzymatching": "false",
            "includefield": "00081030,00080060",
            "StudyInstanceUID": study,
        },
    )
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/dicom+json"
    (found,) = answer.json
    assert value(found, STUDY_UID) == study and value(found, "00201208") >= 1
    series = client.get(f"{VIEW}/studies/{study}/series").json
    assert {value(s, MODALITY) for s in series} <= {"DX", "SR"}
    for item in series:
        meta = client.get(f"{VIEW}/studies/{study}/series/{value(item, SERIES_UID)}/metadata")
        assert meta.status_code == 200 and meta.json


def test_no_match_is_an_empty_list(client, stored):
    answer = client.get(f"{VIEW}/studies", query_string={"PatientID": "nobody-has-this"})
    assert answer.status_code == 200 and answer.json == []


def test_files_that_are_not_dicom_are_left_out(mock_app):
    aliyun = Aliyun(mock_app)
    aliyun.put_object("pictures/knee.png", picture())
    answer = aliyun.c.get(f"{VIEW}/studies")
    assert answer.status_code == 200 and answer.json == []


def test_a_deleted_study_leaves_the_view(client, view):
    files = study_files(seed=4)
    dicomweb(client, "/msdicom/v2").store_instances([dataset(files["other"])])
    study = uids(files["other"])[0]
    assert [value(s, STUDY_UID) for s in view.search_for_studies()] == [study]
    assert client.delete(f"/msdicom/v2/studies/{study}").status_code == 204
    assert view.search_for_studies() == []


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["", "/studies", "/studies/1.2.3", "/studies/1.2.3/series/1.2.4/instances/1.2.5"])
def test_read_only(client, method, path):
    answer = client.open(VIEW + path, method=method, data=b"x", content_type="application/dicom")
    assert answer.status_code == 405
    assert answer.json == {"error": READ_ONLY}
    assert answer.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_namespaces_are_apart(client):
    files = study_files(seed=5)
    dicomweb(client, "/msdicom/v2", namespace="view-a").store_instances([dataset(files["other"])])
    assert [value(s, STUDY_UID) for s in dicomweb(client, VIEW, namespace="view-a").search_for_studies()] == [
        uids(files["other"])[0]
    ]
    assert dicomweb(client, VIEW, namespace="view-b").search_for_studies() == []


def test_the_admin_token_guards_it():
    app = create_app(test_settings(admin_token="s3cret"), start_background=False)
    c = app.test_client()
    refused = c.get(f"{VIEW}/studies")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == 'Bearer realm="mockservers"'
    assert refused.json == {
        "error": "this server's /__admin needs 'Authorization: Bearer <admin token>' (serve --admin-token)"
    }
    assert c.get(f"{VIEW}/studies", headers={"Authorization": "Bearer wrong"}).status_code == 401
    answer = c.get(f"{VIEW}/studies", headers={"Authorization": "Bearer s3cret"})
    assert answer.status_code == 200 and answer.json == []


NOT_A_UID = (
    "DICOM100: StudyInstanceUID 'not-a-uid' is not a valid DICOM UID: it must be at most 64 characters of digits and "
    "dots, each component without a leading zero."
)


@pytest.mark.parametrize(
    "path, status, error",
    [
        ("/studies/not-a-uid", 400, NOT_A_UID),
        ("/studies/not-a-uid/series", 400, NOT_A_UID),
        ("/studies/not-a-uid/metadata", 400, NOT_A_UID),
        ("/studies/1.2.3/metadata", 404, "The specified study cannot be found."),
        ("/studies/1.2.3/series/1.2.4/metadata", 404, "The specified study cannot be found."),
        ("/studies/1.2.3/series/1.2.4/instances/1.2.5/frames/1", 404, "The specified study cannot be found."),
        ("/studies/1.2.3/series/1.2.4/instances/1.2.5/rendered", 404, "The specified study cannot be found."),
        (
            "/studies?NoSuchKeyword=1",
            400,
            "The query parameter 'NoSuchKeyword' is not supported: it is not a searchable attribute at the study "
            "level.",
        ),
        ("/studies?StudyDate=2024", 400, "The value '2024' of StudyDate is not a valid date (YYYYMMDD)."),
        ("/studies?limit=-1", 400, "The value '-1' of the query parameter 'limit' must not be negative."),
    ],
)
def test_bad_requests_answer_json(client, path, status, error):
    answer = client.get(VIEW + path, headers={"Accept": "*/*"})
    assert answer.status_code == status
    assert answer.json == {"error": error}


def test_bad_requests_on_stored_instances(client, stored):
    study, series, sop = stored["msdicom"]
    base = f"{VIEW}/studies/{study}/series/{series}/instances/{sop}"
    assert client.get(base + "/frames/9").json == {"error": "The specified frame cannot be found."}
    assert client.get(base + "/frames/0").status_code == 400
    assert client.get(f"{VIEW}/studies/{study}/series/1.2.4/metadata").json == {
        "error": "The specified series cannot be found."
    }
    unknown = client.get(f"{VIEW}/nothing/here")
    assert unknown.status_code == 404 and set(unknown.json) == {"error", "status"}


def test_an_instance_two_vendors_hold_is_shown_once(client, view):
    data = dx_file(seed=6, index=1, rows=64, columns=64)
    dicomweb(client, "/msdicom/v2").store_instances([dataset(data)])
    cad4tb_upload(client, data)
    study, _, sop = uids(data)
    instances = view.search_for_instances(study, search_filters={"Modality": "DX"})
    assert [value(i, "00080018") for i in instances] == [sop]
    assert value(view.search_for_series(study)[0], DESCRIPTION).startswith("msdicom")
    assert header(data).SOPInstanceUID == sop


def test_a_deleted_namespace_takes_its_view_with_it(mock_app):
    import gc

    from mockservers.admin import dicomweb as module

    c = mock_app.test_client()
    assert c.get(f"{VIEW}/studies", headers={"X-Mock-Namespace": "short-lived"}).json == []
    held = [r for r in list(module._views.keys()) if r.namespace == "short-lived"]
    assert len(held) == 1
    del held
    assert c.delete("/__admin/namespaces/short-lived").status_code == 200
    gc.collect()
    assert [r for r in list(module._views.keys()) if r.namespace == "short-lived"] == []
