"""QIDO-RS on msdicom: its attribute lists, exact matching (no wildcards, no UID lists), paging, 204."""

from __future__ import annotations

import pytest

from mockservers.dicom.synthetic import image_dataset, to_part10
from tests.dicom.files import uids
from tests.msdicom.conftest import text_error


def values(results, tag):
    return [r[tag]["Value"][0] if "Value" in r.get(tag, {}) else None for r in results]


def test_every_level_and_nesting(ms, stored):
    study, series, sop = uids(stored["ct1"])
    assert len(ms.search("/studies").json) == 2
    assert len(ms.search("/series").json) == 3
    assert len(ms.search("/instances").json) == 4
    assert len(ms.search(f"/studies/{study}/series").json) == 2
    assert len(ms.search(f"/studies/{study}/instances").json) == 3
    assert values(ms.search(f"/studies/{study}/series/{series}/instances").json, "00080018") == [
        uids(stored["ct2"])[2],
        sop,
    ]  # newest first


def test_study_result_attributes(ms, stored):
    study, _, _ = uids(stored["ct1"])
    result = ms.search("/studies", StudyInstanceUID=study).json
    assert len(result) == 1
    assert set(result[0]) == {
        "00080005",
        "00080020",
        "00080030",
        "00080050",
        "00080056",
        "00080090",
        "00100010",
        "00100020",
        "00100030",
        "00100040",
        "00200010",
        "0020000D",
    }
    assert result[0]["00080056"] == {"vr": "CS", "Value": ["ONLINE"]}


def test_series_query_without_study_carries_study_attributes(ms, stored):
    result = ms.search("/series", Modality="MR").json
    assert len(result) == 1
    assert result[0]["00080060"] == {"vr": "CS", "Value": ["MR"]}
    assert "0020000D" in result[0] and "00100020" in result[0]


@pytest.mark.parametrize("key", ["PatientID", "00100020"])
def test_keyword_or_tag(ms, stored, key):
    patient = image_dataset(0, 3, "DX").PatientID
    assert values(ms.search("/studies", **{key: patient}).json, "00100020") == [patient]


def test_patient_name_ignores_case_and_accents(ms, stored):
    assert len(ms.search("/studies", PatientName="muller^jose").json) == 1
    assert ms.search("/studies", PatientName="muller").status_code == 204


def test_fuzzymatching_matches_any_name_component_by_prefix(ms, stored):
    r = ms.search("/studies", PatientName="jos", fuzzymatching="true")
    assert len(r.json) == 1
    assert len(ms.search("/studies", ReferringPhysicianName="greg", fuzzymatching="true").json) == 1
    assert ms.search("/studies", PatientName="jos", fuzzymatching="false").status_code == 204


def test_date_ranges(ms, stored):
    assert len(ms.search("/studies", StudyDate="20230101-20230131").json) == 1
    assert len(ms.search("/studies", StudyDate="-20231231").json) == 1
    assert len(ms.search("/studies", StudyDate="20230106-").json) == 1
    assert len(ms.search("/studies", StudyDate="20230105").json) == 1


def test_modalities_in_study(ms, stored):
    study, _, _ = uids(stored["ct1"])
    assert values(ms.search("/studies", ModalitiesInStudy="MR").json, "0020000D") == [study]
    r = ms.search("/studies", ModalitiesInStudy="MR", includefield="ModalitiesInStudy")
    assert r.json[0]["00080061"] == {"vr": "CS", "Value": ["CT", "MR"]}


def test_no_wildcards_and_no_uid_lists_on_this_server(ms, stored):
    assert ms.search("/studies", PatientID="P*").status_code == 204
    a, b = uids(stored["ct1"])[0], uids(stored["other"])[0]
    assert ms.search("/studies", StudyInstanceUID=f"{a},{b}").status_code == 400


def test_no_match_is_204_with_an_empty_body(ms, stored):
    r = ms.search("/studies", PatientID="nobody")
    assert r.status_code == 204 and r.get_data() == b""


def test_limit_offset_and_their_bounds(ms):
    for i in range(5):
        assert ms.stow([to_part10(image_dataset(9, i, "CT"))]).status_code == 200
    assert len(ms.search("/studies", limit="2").json) == 2
    assert len(ms.search("/studies", limit="2", offset="4").json) == 1
    assert ms.search("/studies", offset="5").status_code == 204
    text_error(ms.search("/studies", limit="201"), 400, "The limit must be between 1 and 200.")
    text_error(ms.search("/studies", limit="0"), 400, "The limit must be between 1 and 200.")
    text_error(ms.search("/studies", offset="-1"), 400)
    text_error(ms.search("/studies", limit="ten"), 400)


def test_default_limit_is_100(ms):
    for i in range(101):
        ms.stow([to_part10(image_dataset(11, i, "CT", rows=2, columns=2))])
    assert len(ms.search("/instances").json) == 100
    assert len(ms.search("/instances", limit="200").json) == 101


def test_includefield_list_and_all(ms, stored):
    study, _, _ = uids(stored["ct1"])
    r = ms.search("/studies", StudyInstanceUID=study, includefield="NumberOfStudyRelatedInstances,00081030").json[0]
    assert r["00201208"] == {"vr": "IS", "Value": [3]}
    assert r["00081030"]["Value"] == ["CT study"]
    every = ms.search("/studies", StudyInstanceUID=study, includefield="all").json[0]
    assert every["00201206"] == {"vr": "IS", "Value": [2]}
    assert "00080061" in every and "00080080" in every
    inst = ms.search(f"/studies/{study}/instances", includefield="BodyPartExamined").json
    assert all("00180015" in i for i in inst)


def test_unsupported_attribute_is_400_naming_it(ms, stored):
    text_error(
        ms.search("/studies", InstitutionName="x"),
        400,
        "The query parameter 'InstitutionName' is not supported: it is not a searchable attribute at the study level.",
    )
    text_error(ms.search("/studies", SOPInstanceUID="1.2.3"), 400)  # an instance attribute at the study level
    text_error(ms.search("/studies", Nonsense="1"), 400)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"StudyDate": "2023-01-01"}, "The date range '2023-01-01' of StudyDate is invalid."),
        (
            {"StudyDate": "20230131-20230101"},
            "The date range '20230131-20230101' of StudyDate is invalid: the start date is after the end date.",
        ),
        ({"StudyDate": "2023"}, "The value '2023' of StudyDate is not a valid date (YYYYMMDD)."),
        ({"PatientID": ""}, "The query parameter 'PatientID' has an empty value."),
        ({"fuzzymatching": "maybe"}, "The value 'maybe' of fuzzymatching must be true or false."),
        ({"includefield": "NotAKeyword"}, "The field 'NotAKeyword' in includefield is not a DICOM keyword or tag."),
        ({"StudyInstanceUID": "1.02.x"}, "The value '1.02.x' of StudyInstanceUID is not a valid UID."),
    ],
)
def test_malformed_values_are_400(ms, stored, params, message):
    text_error(ms.search("/studies", **params), 400, message)


def test_a_key_given_twice_is_400(ms, stored):
    r = ms.c.get("/msdicom/v2/studies?PatientID=a&PatientID=b", headers={"Accept": "application/dicom+json"})
    text_error(r, 400, "The query parameter 'PatientID' is given more than once.")
    r = ms.c.get("/msdicom/v2/studies?PatientID=a&00100020=b", headers={"Accept": "application/dicom+json"})
    text_error(r, 400, "The attribute 'PatientID' is given more than once.")


def test_unsupported_accept_is_406(ms, stored):
    text_error(ms.get("/studies", accept="application/dicom+xml"), 406)
    text_error(ms.get("/studies", accept="image/png"), 406)
    assert ms.get("/studies", accept=None).status_code == 200


def test_unknown_version_is_404(client):
    text_error(client.get("/msdicom/v3/studies"), 404, "The API version 'v3' is not supported.")
