"""QIDO-RS on sphere: only the document's filters, keyword or tag, wildcards, paging, JSON by default."""

from __future__ import annotations

import pytest
from pydicom.dataset import Dataset

from mockservers.dicom.synthetic import image_dataset, to_part10
from tests.dicom.files import uids
from tests.sphere.conftest import detail, stow

JSON = {"Accept": "application/dicom+json"}


def sops(results):
    return [r["00080018"]["Value"][0] for r in results]


def test_the_six_endpoints(client, stored):
    study, series, _ = uids(stored["ct1"])
    assert len(client.get("/sphere/qidors/studies", headers=JSON).json) == 2
    assert len(client.get("/sphere/qidors/series", headers=JSON).json) == 3
    assert len(client.get("/sphere/qidors/instances", headers=JSON).json) == 4
    assert len(client.get(f"/sphere/qidors/studies/{study}/series", headers=JSON).json) == 2
    assert len(client.get(f"/sphere/qidors/studies/{study}/instances", headers=JSON).json) == 3
    assert len(client.get(f"/sphere/qidors/studies/{study}/series/{series}/instances", headers=JSON).json) == 2


def test_study_table_of_the_document(client, stored, host_url):
    study, _, _ = uids(stored["ct1"])
    (result,) = client.get(f"/sphere/qidors/studies?StudyInstanceUID={study}").json
    assert set(result) == {
        "00080005",
        "00080020",
        "00080030",
        "00080050",
        "00080056",
        "00080061",
        "00080090",
        "00081190",
        "00100010",
        "00100020",
        "00100030",
        "00100040",
        "0020000D",
        "00200010",
        "00201206",
        "00201208",
    }
    assert result["00201206"] == {"vr": "IS", "Value": [2]}
    assert result["00201208"] == {"vr": "IS", "Value": [3]}
    assert result["00080061"] == {"vr": "CS", "Value": ["CT", "MR"]}
    assert result["00081190"] == {"vr": "UR", "Value": [f"{host_url}/sphere/wadors/studies/{study}"]}


def test_series_and_instance_tables(client, stored, host_url):
    study, series, sop = uids(stored["ct1"])
    (s,) = client.get(f"/sphere/qidors/series?SeriesInstanceUID={series}").json
    assert s["00201209"] == {"vr": "IS", "Value": [2]} and s["00080060"]["Value"] == ["CT"]
    assert {"00080005", "0008103E", "00081190", "0020000E", "00200011"} <= set(s)
    (i,) = client.get(f"/sphere/qidors/instances?SOPInstanceUID={sop}").json
    assert {"00080016", "00080018", "00080056", "00081190", "00200013", "00280010", "00280011", "00280100"} <= set(i)
    assert i["00081190"]["Value"] == [f"{host_url}/sphere/wadors/studies/{study}/series/{series}/instances/{sop}"]


@pytest.mark.parametrize("key", ["StudyInstanceUID", "0020000D"])
def test_keyword_or_tag_as_in_the_document(client, stored, key):
    study, _, _ = uids(stored["ct1"])
    result = client.get(f"/sphere/qidors/studies?{key}={study}", headers=JSON).json
    assert [r["0020000D"]["Value"][0] for r in result] == [study]


@pytest.mark.parametrize(
    "level, key, value, count",
    [
        ("studies", "PatientSex", "{sex}", None),
        ("studies", "InstitutionName", "*General Hospital", 2),
        ("studies", "ProtocolName", "*CT", 1),
        ("studies", "StudyDescription", "CT stud?", 1),
        ("studies", "StudyDate", "20230101-20231231", 1),
        ("series", "Modality", "MR", 1),
        ("series", "ManufacturerModelName", "Mock CT 3000", 1),
        ("series", "Manufacturer", "Mock*", 3),
        ("series", "StationName", "DR01", 3),
        ("series", "SeriesDescription", "*series", 3),
        ("instances", "PatientID", "{patient}", 1),
    ],
)
def test_documented_filters(client, stored, level, key, value, count):
    other = image_dataset(0, 3, "DX")
    value = value.format(sex=other.PatientSex, patient=other.PatientID)
    result = client.get(f"/sphere/qidors/{level}", query_string={key: value}).json
    assert len(result) == (count if count is not None else len(result)) and result


def test_uid_list_matches_any(client, stored):
    a, b = uids(stored["ct1"])[0], uids(stored["other"])[0]
    assert len(client.get(f"/sphere/qidors/studies?StudyInstanceUID={a},{b}").json) == 2


def test_filters_the_document_does_not_list_are_400(client, stored):
    detail(
        client.get("/sphere/qidors/studies?ReferringPhysicianName=x"),
        400,
        "The query parameter 'ReferringPhysicianName' is not supported: it is not a searchable attribute at the "
        "study level.",
    )
    detail(client.get("/sphere/qidors/studies?Modality=CT"), 400)
    detail(client.get("/sphere/qidors/instances?SOPClassUID=1.2.3"), 400)


def test_limit_offset_includefield(client, stored):
    assert len(client.get("/sphere/qidors/instances?limit=3").json) == 3
    assert len(client.get("/sphere/qidors/instances?offset=3").json) == 1
    first = client.get("/sphere/qidors/instances?limit=1").json[0]
    assert sops([first]) == [uids(stored["ct1"])[2]]  # oldest first
    r = client.get("/sphere/qidors/studies?includefield=InstitutionName&includefield=00181030").json[0]
    assert "00080080" in r and "00181030" in r
    detail(client.get("/sphere/qidors/studies?limit=-1"), 400)


def test_empty_filter_is_universal_and_no_match_is_an_empty_array(client, stored):
    assert len(client.get("/sphere/qidors/studies?PatientID=").json) == 2
    r = client.get("/sphere/qidors/studies?PatientID=nobody")
    assert r.status_code == 200 and r.json == []


def test_json_by_default_and_without_accept(client, stored):
    for headers in ({}, {"Accept": "*/*"}, JSON):
        r = client.get("/sphere/qidors/series", headers=headers)
        assert r.status_code == 200 and r.headers["Content-Type"] == "application/dicom+json"


def test_xml_is_in_development(client, stored):
    r = client.get("/sphere/qidors/instances", headers={"Accept": "application/dicom+xml"})
    assert r.status_code == 200 and r.mimetype == "text/plain"
    assert r.get_data(as_text=True) == "En cours de développement"


def test_other_accept_is_406(client, stored):
    detail(client.get("/sphere/qidors/studies", headers={"Accept": "image/png"}), 406)


def test_invalid_uid_in_path_is_400(client, stored):
    detail(client.get("/sphere/qidors/studies/x.y/series"), 400)


def test_series_search_returns_the_request_attributes_sequence_if_known(client):
    """The document's series table: RequestAttributesSequence (0040,0275) "shall be present if known", without
    includefield; the value stored with the series' first instance."""
    request = Dataset()
    request.RequestedProcedureID = "RP-17"
    request.ScheduledProcedureStepID = "SPS-3"
    with_request = image_dataset(30, 0, "CT")
    with_request.RequestAttributesSequence = [request]
    without = image_dataset(31, 0, "MR")
    assert stow(client, [to_part10(with_request), to_part10(without)]).status_code == 200
    expected = {
        "vr": "SQ",
        "Value": [{"00400009": {"vr": "SH", "Value": ["SPS-3"]}, "00401001": {"vr": "SH", "Value": ["RP-17"]}}],
    }
    study, series = with_request.StudyInstanceUID, with_request.SeriesInstanceUID
    for path in (f"/sphere/qidors/series?SeriesInstanceUID={series}", f"/sphere/qidors/studies/{study}/series"):
        (found,) = client.get(path).json
        assert found["00400275"] == expected
    (found,) = client.get(f"/sphere/qidors/series?SeriesInstanceUID={without.SeriesInstanceUID}").json
    assert "00400275" not in found  # not known: left out
    (found,) = client.get(f"/sphere/qidors/studies?StudyInstanceUID={study}").json
    assert "00400275" not in found  # a series attribute
