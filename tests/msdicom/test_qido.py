"""QIDO-RS on msdicom: its attribute lists per level and version (built as the server's QueryService does), exact
matching ignoring case (no wildcards, no UID lists), paging, 204, the server's own 400 messages."""

from __future__ import annotations

import pytest

from mockservers.dicom.synthetic import image_dataset, to_part10
from mockservers.msdicom.face import DEFAULTS_V1, DEFAULTS_V2, INCLUDE_ALL
from tests.dicom.files import dataset, uids
from tests.msdicom.conftest import text_error

# The server's lists (QueryResponseBuilder.cs at eeefbe4d), as the face holds them; the conformance port checks v2's
# against its own copy, the tests below single attributes of the others
V1_STUDY, V1_SERIES, V1_INSTANCE = (DEFAULTS_V1[level] for level in ("study", "series", "instance"))
V2_STUDY, V2_SERIES = DEFAULTS_V2["study"], DEFAULTS_V2["series"]
ALL_STUDY, ALL_SERIES = INCLUDE_ALL["study"], INCLUDE_ALL["series"]


def values(results, tag):
    return [r[tag]["Value"][0] if "Value" in r.get(tag, {}) else None for r in results]


def present(data: bytes, keywords) -> set[str]:
    """The tags (as DICOM JSON keys) of those keywords the instance holds with a value."""
    ds = dataset(data)
    return {f"{ds[kw].tag:08X}" for kw in keywords if kw in ds and not ds[kw].is_empty}


NOT_QUERYABLE = (
    "Invalid query: AttributeId {} is not queryable.  If the parameter is an attribute keyword, check the casing as "
    "they are case-sensitive. The conformance statement has a list of supported query parameters, attributes and the "
    "levels."
)
UNKNOWN = (
    "Invalid query: unknown query parameter '{}'. If the parameter is an attribute keyword, check the casing as they "
    "are case-sensitive. The conformance statement has a list of supported query parameters, attributes and the "
    "levels."
)


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
    """v2's default study attributes (QueryResponseBuilder.V2DefaultStudyTags), the ones the study has."""
    study, _, _ = uids(stored["ct1"])
    result = ms.search("/studies", StudyInstanceUID=study).json
    assert len(result) == 1
    assert set(result[0]) == present(stored["ct1"], V2_STUDY)
    assert "00080056" not in result[0]  # InstanceAvailability: no stored instance has it


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


def test_modalities_in_study_is_returned_when_it_is_the_filter(ms, stored):
    """The filters' attributes are returned (QueryResponseBuilder adds them), ModalitiesInStudy computed."""
    study, _, _ = uids(stored["ct1"])
    (found,) = ms.search("/studies", ModalitiesInStudy="MR").json
    assert found["0020000D"]["Value"] == [study]
    assert found["00080061"] == {"vr": "CS", "Value": ["CT", "MR"]}


@pytest.mark.parametrize("path", ["/series", "/instances"])
def test_modalities_in_study_filters_series_and_instances(ms, ms1, stored, path):
    """A study attribute filters the levels below it; the instance query joins the series table too, which the
    ModalitiesInStudy subquery must not take for its own (schemathesis found the 500)."""
    study, _, _ = uids(stored["ct1"])
    for client in (ms, ms1):
        found = client.search(path, ModalitiesInStudy="mr").json
        assert found and {r["0020000D"]["Value"][0] for r in found} == {study}
        assert client.search(path, ModalitiesInStudy="XA").status_code == 204


def test_no_wildcards_and_no_uid_lists_on_this_server(ms, stored):
    """A UID filter is matched as it is, never checked (BaseQueryParser.ParseStringTagValue): no match, 204."""
    assert ms.search("/studies", PatientID="P*").status_code == 204
    a, b = uids(stored["ct1"])[0], uids(stored["other"])[0]
    assert ms.search("/studies", StudyInstanceUID=f"{a},{b}").status_code == 204
    assert ms.search("/studies", StudyInstanceUID="1.02.x").status_code == 204


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


def test_includefield_list(ms, stored):
    study, _, _ = uids(stored["ct1"])
    r = ms.search("/studies", StudyInstanceUID=study, includefield="NumberOfStudyRelatedInstances,00081030").json[0]
    assert r["00201208"] == {"vr": "IS", "Value": [3]}
    assert r["00081030"]["Value"] == ["CT study"]
    inst = ms.search(f"/studies/{study}/instances", includefield="BodyPartExamined").json
    assert all("00180015" in i for i in inst)


def test_includefield_of_what_no_instance_holds_returns_nothing_more(ms, stored):
    """Neither the index nor the newest instance's metadata (binary values left out) holds these."""
    study, _, _ = uids(stored["ct1"])
    (found,) = ms.search(
        "/studies", StudyInstanceUID=study, includefield="NumberOfStudyRelatedSeries,RetrieveURL,PixelData,00091001"
    ).json
    assert set(found) == present(stored["mr"], V2_STUDY)


def test_includefield_all_replaces_the_defaults_with_the_full_list(ms, ms1, stored):
    """includefield=all: QueryResponseBuilder's All* lists, the same on both versions; ManufacturerModelName, a v2
    default, is not on the series list."""
    study, series, _ = uids(stored["ct1"])
    for client in (ms, ms1):
        (found,) = client.search("/studies", StudyInstanceUID=study, includefield="all").json
        assert set(found) == present(stored["mr"], ALL_STUDY)
        assert "00101010" in found and "00201206" not in found and "00080080" not in found
        (found,) = client.search(f"/studies/{study}/series", SeriesInstanceUID=series, includefield="ALL").json
        assert set(found) == present(stored["ct2"], ALL_SERIES) | {"0020000D"}
        assert "00200011" in found and "00081090" not in found


@pytest.mark.parametrize("query", ["includefield=all,PatientAge", "includefield=all&includefield=StudyID"])
def test_includefield_all_with_other_fields_is_400(ms, stored, query):
    text_error(
        ms.c.get(f"/msdicom/v2/studies?{query}", headers={"Accept": "application/dicom+json"}),
        400,
        "Invalid query: cannot specify included fields in addition to 'all'.",
    )


def test_v1_defaults_per_level_only_what_the_newest_instance_holds(ms1, stored):
    """v1: QueryResponseBuilder's v1 lists, read from the newest instance's stored attributes; the path's UIDs
    too. InstanceAvailability and TimezoneOffsetFromUTC, never stored here, are not returned."""
    study, series, sop = uids(stored["ct1"])
    (found,) = ms1.search("/studies", StudyInstanceUID=study).json
    assert set(found) == present(stored["mr"], V1_STUDY)
    assert "00080056" not in found and "00080030" in found
    (found,) = ms1.search(f"/studies/{study}/series", SeriesInstanceUID=series).json
    assert set(found) == present(stored["ct2"], V1_SERIES) | {"0020000D"}
    (found,) = ms1.search(f"/studies/{study}/series/{series}/instances", SOPInstanceUID=sop).json
    assert set(found) == present(stored["ct1"], V1_INSTANCE) | {"0020000D", "0020000E"}


def test_v2_defaults_per_level_with_the_path_uids(ms, stored):
    study, series, sop = uids(stored["ct1"])
    (found,) = ms.search(f"/studies/{study}/series", SeriesInstanceUID=series).json
    assert set(found) == present(stored["ct2"], V2_SERIES) | {"0020000D"}
    (found,) = ms.search(f"/studies/{study}/instances", SOPInstanceUID=sop).json
    assert set(found) == present(stored["ct1"], V2_SERIES) | {"0020000D", "00080018"}
    (found,) = ms.search(f"/studies/{study}/series/{series}/instances", SOPInstanceUID=sop).json
    assert set(found) == {"0020000D", "0020000E", "00080018"}
    (found,) = ms.search("/instances", SOPInstanceUID=sop).json
    assert set(found) == present(stored["ct1"], V2_STUDY + V2_SERIES + ("SOPInstanceUID",))
    ct1 = dataset(stored["ct1"])
    assert found["00100010"] == ct1["PatientName"].to_json_dict(None, 0)
    assert found["00080020"] == ct1["StudyDate"].to_json_dict(None, 0)


def test_a_series_attribute_asked_of_a_study_is_its_newest_instances_series(ms, ms1, stored):
    """QueryService.GetInstanceMetadataAsync reads the series result of the study's newest instance (the MR)."""
    study, _, _ = uids(stored["ct1"])
    for client in (ms, ms1):
        (found,) = client.search("/studies", StudyInstanceUID=study, includefield="Modality").json
        assert found["00080060"] == {"vr": "CS", "Value": ["MR"]}


def test_the_filters_attributes_are_returned(ms1, stored):
    (found,) = ms1.search("/studies", StudyDescription="CT study").json
    assert found["00081030"] == {"vr": "LO", "Value": ["CT study"]}
    (found,) = ms1.search("/series", ManufacturerModelName="Mock MR 3000").json
    assert found["00081090"] == {"vr": "LO", "Value": ["Mock MR 3000"]}


def test_never_an_empty_attribute(ms, ms1):
    ds = image_dataset(21, 0, "CT", ReferringPhysicianName="", AccessionNumber="", StudyTime="")
    assert ms.stow([to_part10(ds)]).status_code == 200
    for client in (ms, ms1):
        for path in ("/studies", "/series", "/instances"):
            (found,) = client.search(path, StudyInstanceUID=ds.StudyInstanceUID, includefield="AccessionNumber").json
            assert found and all(element.get("Value") for element in found.values())
            assert not {"00080090", "00080050", "00080030"} & set(found)


def test_study_attributes_come_from_the_newest_instance(ms1):
    """'latest will win' (conformance statement): v1 reads the study's newest instance (SqlQueryGenerator: TOP 1
    ORDER BY Watermark DESC)."""
    first = image_dataset(22, 0, "CT")
    second = image_dataset(22, 1, "CT", study=first, StudyTime="101010")
    assert ms1.stow([to_part10(first)]).status_code == 200
    assert ms1.stow([to_part10(second)]).status_code == 200
    (found,) = ms1.search("/studies", StudyInstanceUID=first.StudyInstanceUID).json
    assert found["00080030"]["Value"] == ["101010"]


@pytest.mark.parametrize(
    "path, key, value, found",
    [
        ("/studies", "PatientID", "pat-ab12", True),
        ("/studies", "AccessionNumber", "ACC9X", True),
        ("/studies", "StudyDescription", "THORAX ÜBER", True),
        ("/studies", "StudyDescription", "Thorax Uber", False),  # accents still count
        ("/studies", "ModalitiesInStudy", "ct", True),
        ("/series", "Modality", "Ct", True),
        ("/series", "ManufacturerModelName", "MOCK CT 3000", True),
        ("/instances", "PatientID", "PAT-AB12", True),
    ],
)
def test_strings_match_ignoring_case_but_not_accents(ms, path, key, value, found):
    """The server's SQL collation, SQL_Latin1_General_CP1_CI_AS (case-insensitive, accent-sensitive)."""
    ds = image_dataset(23, 0, "CT", PatientID="Pat-Ab12", AccessionNumber="Acc9x", StudyDescription="Thorax Über")
    assert ms.stow([to_part10(ds)]).status_code == 200
    response = ms.search(path, **{key: value})
    if found:
        assert values(response.json, "0020000D") == [ds.StudyInstanceUID]
    else:
        assert response.status_code == 204


@pytest.mark.parametrize("wanted, found", [("CT\0", True), ("CT\0\0", True), ("C\0T", False), ("\0", False)])
def test_a_filters_trailing_nulls_weigh_nothing(ms, wanted, found):
    """SQL Server's collation gives a null no weight: `Modality=CT%00` finds what `CT` finds; a filter of nulls
    alone is not empty (no 400) and matches nothing."""
    ds = image_dataset(29, 0, "CT")
    assert ms.stow([to_part10(ds)]).status_code == 200
    response = ms.search("/series", Modality=wanted)
    if found is False:
        assert response.status_code == 204 and response.data == b""
    else:
        assert values(response.json, "0020000E") == [ds.SeriesInstanceUID]


def test_unsupported_attribute_is_400_naming_it(ms, stored):
    """DicomCoreResource.UnsupportedSearchParameter for a tag not queryable on the resource, UnknownQueryParameter
    for a name that is no keyword (keywords are case-sensitive) nor tag."""
    study, series, _ = uids(stored["ct1"])
    text_error(ms.search("/studies", InstitutionName="x"), 400, NOT_QUERYABLE.format("InstitutionName"))
    text_error(ms.search("/studies", SOPInstanceUID="1.2.3"), 400, NOT_QUERYABLE.format("SOPInstanceUID"))
    text_error(ms.search("/studies", **{"00080060": "CT"}), 400, NOT_QUERYABLE.format("00080060"))
    # under a study, only the attributes of the levels the resource answers
    text_error(ms.search(f"/studies/{study}/series", PatientID="x"), 400, NOT_QUERYABLE.format("PatientID"))
    text_error(
        ms.search(f"/studies/{study}/instances", StudyInstanceUID=study), 400, NOT_QUERYABLE.format("StudyInstanceUID")
    )
    text_error(
        ms.search(f"/studies/{study}/series/{series}/instances", Modality="CT"), 400, NOT_QUERYABLE.format("Modality")
    )
    text_error(ms.search("/studies", Nonsense="1"), 400, UNKNOWN.format("Nonsense"))
    text_error(ms.search("/studies", patientid="1"), 400, UNKNOWN.format("patientid"))


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"StudyDate": "2023-01-01"},
            "Invalid query: specified Date value '2023-01-01' is invalid for attribute 'StudyDate'. Date should be "
            "valid and formatted as yyyyMMdd.",
        ),
        (
            {"StudyDate": "20230131-20230101"},
            "Invalid query: specified date range '20230131-20230101' is invalid.\nThe first part date 20230131 should "
            "be lesser than or equal to the second part date 20230101.",
        ),
        (
            {"PatientBirthDate": "2023"},
            "Invalid query: specified Date value '2023' is invalid for attribute 'PatientBirthDate'. Date should be "
            "valid and formatted as yyyyMMdd.",
        ),
        (
            {"StudyDate": "20230230"},
            "Invalid query: specified Date value '20230230' is invalid for attribute 'StudyDate'. Date should be "
            "valid and formatted as yyyyMMdd.",
        ),
        (
            {"StudyDate": "-"},
            "Invalid query: specified range is invalid.\nBoth parts in the range cannot be empty.\nFor details on "
            "valid range queries, please refer to Search Matching section in Conformance Statement "
            "(https://github.com/microsoft/dicom-server/blob/main/docs/resources/conformance-statement.md"
            "#search-matching).",
        ),
        ({"PatientID": ""}, "Invalid query: AttributeId 'PatientID' has empty string value that is not supported."),
        ({"fuzzymatching": "maybe"}, "The value 'maybe' of fuzzymatching must be true or false."),
        ({"includefield": "NotAKeyword"}, "Invalid query: IncludeField has unknown attribute 'NotAKeyword'."),
        (
            {"PatientName": 'a"b', "fuzzymatching": "true"},
            "Invalid query: specified tag 'PatientName' value 'a\"b' contains unsupported character '\"'. Character "
            "is not supported with Fuzzy match, try exact match or removing the invalid character. ",
        ),
    ],
)
def test_malformed_values_are_400(ms, stored, params, message):
    """DicomCoreResource's messages, word for word."""
    text_error(ms.search("/studies", **params), 400, message)


def test_a_key_given_twice_is_400(ms, stored):
    r = ms.c.get("/msdicom/v2/studies?PatientID=a&PatientID=b", headers={"Accept": "application/dicom+json"})
    text_error(
        r,
        400,
        "Invalid QIDO-RS query. Duplicate AttributeId 'PatientID'. Each attribute is only allowed to be specified "
        "once.",
    )
    r = ms.c.get("/msdicom/v2/studies?PatientID=a&00100020=b", headers={"Accept": "application/dicom+json"})
    text_error(
        r,
        400,
        "Invalid query: attribute '00100020' has been specified more than once using different ID formats. Each "
        "attribute is only allowed to be specified once.",
    )


def test_unsupported_accept_is_406(ms, stored):
    text_error(ms.get("/studies", accept="application/dicom+xml"), 406)
    text_error(ms.get("/studies", accept="image/png"), 406)
    assert ms.get("/studies", accept=None).status_code == 200


def test_unknown_version_is_404(client):
    text_error(client.get("/msdicom/v3/studies"), 404, "The API version 'v3' is not supported.")
