"""QueryTransactionTests.cs, the abstract class, run as its subclasses QueryTransactionV1Tests.cs (/v1, checked
with ValidationHelpers.ValidateResponseDataset) and QueryTransactionLatestTests.cs (/v2, checked with
ValidateResponseDatasetV2): the `versioned` fixture runs every test once per version."""

from __future__ import annotations

import hashlib

from pydicom.datadict import tag_for_keyword

from tests.msdicom.conformance.conftest import body_json, value
from tests.msdicom.conformance.samples import random_instance

UNSUPPORTED = (
    "Invalid query: AttributeId {} is not queryable.  If the parameter is an attribute keyword, check "
    "the casing as they are case-sensitive. The conformance statement has a list of supported query "
    "parameters, attributes and the levels."
)

# ValidationHelpers.ValidateResponseDataset: what v1 returns of the stored instance, per resource
V1_TAGS = {
    "AllStudies": ["StudyInstanceUID", "PatientID", "PatientName", "StudyDate"],
    "AllSeries": ["StudyInstanceUID", "PatientID", "PatientName", "StudyDate", "SeriesInstanceUID", "Modality"],
    "AllInstances": [
        "StudyInstanceUID",
        "PatientID",
        "PatientName",
        "StudyDate",
        "SeriesInstanceUID",
        "Modality",
        "SOPInstanceUID",
        "SOPClassUID",
        "BitsAllocated",
    ],
    "StudySeries": ["StudyInstanceUID", "SeriesInstanceUID", "Modality"],
    "StudyInstances": [
        "StudyInstanceUID",
        "SeriesInstanceUID",
        "Modality",
        "SOPInstanceUID",
        "SOPClassUID",
        "BitsAllocated",
    ],
    "StudySeriesInstances": ["StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "SOPClassUID", "BitsAllocated"],
}
# ValidateResponseDatasetV2: QueryResponseBuilder's V2 defaults at eeefbe4d, plus the UID filters of the path
V2_STUDY = [
    "StudyInstanceUID",
    "StudyDate",
    "StudyDescription",
    "AccessionNumber",
    "ReferringPhysicianName",
    "PatientName",
    "PatientID",
    "PatientBirthDate",
]
V2_SERIES = ["SeriesInstanceUID", "Modality", "PerformedProcedureStepStartDate", "ManufacturerModelName"]
V2_TAGS = {
    "AllStudies": V2_STUDY,
    "AllSeries": V2_STUDY + V2_SERIES,
    "AllInstances": V2_STUDY + V2_SERIES + ["SOPInstanceUID"],
    "StudySeries": [*V2_SERIES, "StudyInstanceUID"],
    "StudyInstances": [*V2_SERIES, "SOPInstanceUID", "StudyInstanceUID"],
    "StudySeriesInstances": ["SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID"],
}


def assert_query_item(dw, resource: str, stored, item: dict):
    """The answer holds exactly the stored attributes the version returns for this resource."""
    keywords = (V1_TAGS if dw.version == "1" else V2_TAGS)[resource]
    expected = {}
    for keyword in keywords:
        if keyword in stored:
            expected[f"{tag_for_keyword(keyword):08X}"] = stored[keyword].to_json_dict(None, 0)
    assert item == expected


def post(dw, uid, **attributes):
    """QueryTransactionTests.PostDicomFileAsync: a random instance with the given attributes, stored."""
    ds = random_instance(uid)
    for keyword, text in attributes.items():
        setattr(ds, keyword, text)
    response = dw.store_one(ds)
    assert response.status_code == 200, response.get_data(as_text=True)
    return ds


def found(response) -> list[dict]:
    assert response.status_code in (200, 204), response.get_data(as_text=True)
    return body_json(response) or []


def of_study(items, study: str) -> dict | None:
    return next((item for item in items if value(item, "0020000D") == study), None)


def random_letters(uid, length: int = 7) -> str:
    """RandomString(7): capital letters, here a function of the test's UIDs."""
    digest = hashlib.sha256(uid().encode()).digest()
    return "".join(chr(ord("A") + b % 26) for b in digest[:length])


def test_given_search_with_unsupported_tag_then_bad_request(versioned):
    """GivenSearchRequest_WithUnsupportedTag_ReturnBadRequest: Modality at study level, word for word."""
    response = versioned.query("/studies", "Modality=CT")
    assert response.status_code == 400
    assert response.get_data(as_text=True) == UNSUPPORTED.format("Modality")


def test_given_search_with_no_matching_result_then_no_content(versioned):
    """GivenSearchRequest_WithValidParamsAndNoMatchingResult_ReturnNoContent."""
    assert versioned.query("/studies", "StudyDate=20200101").status_code == 204


def test_given_search_all_study_level_then_match(versioned, uid):
    """GivenSearchRequest_AllStudyLevel_MatchResult."""
    match = post(versioned, uid, StudyDate="20190101")
    post(versioned, uid, StudyDate="20190102")
    item = of_study(found(versioned.query("/studies", "StudyDate=20190101")), match.StudyInstanceUID)
    assert item is not None
    assert_query_item(versioned, "AllStudies", match, item)


def test_given_search_all_study_computed_columns_then_match(versioned, uid):
    """GivenSearchRequest_AllStudyComputedColumns_MatchResult: two CT and one MR in a study;
    ModalitiesInStudy is CT\\MR, NumberOfStudyRelatedInstances 3."""
    match = post(versioned, uid, Modality="CT")
    study = match.StudyInstanceUID
    post(versioned, uid, StudyInstanceUID=study, Modality="CT")
    post(versioned, uid, StudyInstanceUID=study, Modality="MR")
    item = of_study(found(versioned.query("/studies", "ModalitiesInStudy=CT")), study)
    assert item is not None and item["00080061"]["Value"] == ["CT", "MR"]
    item = of_study(
        found(versioned.query("/studies", "ModalitiesInStudy=CT&includefield=NumberOfStudyRelatedInstances")), study
    )
    assert item is not None and item["00080061"]["Value"] == ["CT", "MR"]
    assert value(item, "00201208") == 3


def test_given_search_on_patient_name_then_case_and_accent_insensitive(versioned, uid):
    """GivenSearchRequest_AllStudyLevelOnPatientName_MatchIsCaseIncensitiveAndAccentIncensitive: "Hall^R^Tá" in
    ISO_IR 192 is found by "Hall^R^Ta"."""
    letters = random_letters(uid)
    stored = post(versioned, uid, PatientName=f"Hall^{letters}^Tá", SpecificCharacterSet="ISO_IR 192")
    (item,) = found(versioned.query("/studies", f"PatientName=Hall%5E{letters}%5ETa"))
    assert item["00100010"]["Value"][0]["Alphabetic"] == str(stored.PatientName)


def test_given_search_study_series_level_then_match(versioned, uid):
    """GivenSearchRequest_StudySeriesLevel_MatchResult."""
    match = post(versioned, uid, Modality="MRI")
    post(versioned, uid, StudyInstanceUID=match.StudyInstanceUID, Modality="CT")
    (item,) = found(versioned.query(f"/studies/{match.StudyInstanceUID}/series", "Modality=MRI"))
    assert_query_item(versioned, "StudySeries", match, item)


def test_given_search_all_series_level_then_match(versioned, uid):
    """GivenSearchRequest_AllSeriesLevel_MatchResult."""
    match = post(versioned, uid, Modality="MRI")
    response = versioned.query("/series", "Modality=MRI")
    assert response.mimetype == "application/dicom+json"
    item = next((i for i in found(response) if value(i, "0020000E") == match.SeriesInstanceUID), None)
    assert item is not None
    assert_query_item(versioned, "AllSeries", match, item)


def test_given_search_all_series_computed_columns_then_match(versioned, uid):
    """GivenSearchRequest_AllSeriesComputedColumns_MatchResult: NumberOfSeriesRelatedInstances 2."""
    match = post(versioned, uid, Modality="CT")
    study, series = match.StudyInstanceUID, match.SeriesInstanceUID
    post(versioned, uid, StudyInstanceUID=study, SeriesInstanceUID=series, Modality="CT")
    post(versioned, uid, StudyInstanceUID=study, Modality="MR")
    item = of_study(found(versioned.query("/series", "Modality=CT&includefield=NumberOfSeriesRelatedInstances")), study)
    assert item is not None
    assert value(item, "00201209") == 2


def test_given_search_with_two_instances_study_series_level_then_match(versioned, uid):
    """GivenSearchRequestWith2Instances_StudySeriesLevel_MatchResult: two series, each with the study's UID."""
    match = post(versioned, uid, Modality="CT")
    study = match.StudyInstanceUID
    post(versioned, uid, StudyInstanceUID=study, Modality="MRI")
    items = found(versioned.query(f"/studies/{study}/series"))
    assert len(items) == 2
    assert all(value(item, "0020000D") == study for item in items)


def test_given_search_study_instances_level_then_match(versioned, uid):
    """GivenSearchRequest_StudyInstancesLevel_MatchResult."""
    match = post(versioned, uid, Modality="MRI")
    post(versioned, uid, StudyInstanceUID=match.StudyInstanceUID, Modality="CT")
    response = versioned.query(f"/studies/{match.StudyInstanceUID}/instances", "Modality=MRI")
    assert response.mimetype == "application/dicom+json"
    (item,) = found(response)
    assert_query_item(versioned, "StudyInstances", match, item)


def test_given_search_study_series_instances_level_then_match(versioned, uid):
    """GivenSearchRequest_StudySeriesInstancesLevel_MatchResult."""
    match = post(versioned, uid)
    post(versioned, uid, StudyInstanceUID=match.StudyInstanceUID, SeriesInstanceUID=match.SeriesInstanceUID)
    response = versioned.query(
        f"/studies/{match.StudyInstanceUID}/series/{match.SeriesInstanceUID}/instances",
        f"SOPInstanceUID={match.SOPInstanceUID}",
    )
    assert response.mimetype == "application/dicom+json"
    (item,) = found(response)
    assert_query_item(versioned, "StudySeriesInstances", match, item)


def test_given_search_all_instances_level_then_match(versioned, uid):
    """GivenSearchRequest_AllInstancesLevel_MatchResult."""
    match = post(versioned, uid, Modality="XRAY")
    response = versioned.query("/instances", "Modality=XRAY")
    assert response.mimetype == "application/dicom+json"
    item = of_study(found(response), match.StudyInstanceUID)
    assert item is not None
    assert_query_item(versioned, "AllInstances", match, item)


def test_given_search_patient_name_fuzzy_match_then_match(versioned, uid):
    """GivenSearchRequest_PatientNameFuzzyMatch_MatchResult: a word of either name finds both."""
    letters = random_letters(uid)
    second = post(versioned, uid, PatientName=f"Jonathan^{letters}^Stone Hall^^")
    first = post(versioned, uid, PatientName=f"Jon^{letters}^StoneHall")
    response = versioned.query("/studies", f"PatientName={letters}&FuzzyMatching=true")
    items = found(response)
    if items:
        assert response.mimetype == "application/dicom+json"
    for stored in (first, second):
        item = of_study(items, stored.StudyInstanceUID)
        assert item is not None
        assert_query_item(versioned, "AllStudies", stored, item)


def test_given_search_referring_physician_name_fuzzy_match_then_match(versioned, uid):
    """GivenSearchRequest_ReferringPhysicianNameFuzzyMatch_MatchResult."""
    letters = random_letters(uid)
    stored = post(versioned, uid, ReferringPhysicianName=f"dr^{letters}^Stone Hall^^")
    items = found(versioned.query("/studies", f"ReferringPhysicianName={letters}&FuzzyMatching=true"))
    item = of_study(items, stored.StudyInstanceUID)
    assert item is not None
    assert item["00080090"]["Value"][0]["Alphabetic"] == str(stored.ReferringPhysicianName)


def test_given_ohif_viewer_study_query_then_ok(versioned):
    """GivenSearchRequest_OHIFViewerStudyQuery_ReturnsOK: limit, offset, includefield by tags, a date range."""
    response = versioned.query(
        "/studies", "limit=25&offset=0&includefield=00081030%2C00080060&StudyDate=19521125-20210507"
    )
    assert response.status_code in (200, 204)
