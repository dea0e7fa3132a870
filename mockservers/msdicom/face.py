"""The msdicom face of the DICOMweb machinery, per API version (the conformance statement's differences)."""

from __future__ import annotations

import functools

from mockservers.dicom.face import Face

STUDY = (
    "StudyInstanceUID",
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "AccessionNumber",
    "ReferringPhysicianName",
    "StudyDate",
    "StudyDescription",
    "ModalitiesInStudy",
)
SERIES = ("SeriesInstanceUID", "Modality", "PerformedProcedureStepStartDate", "ManufacturerModelName")
# A series or instance query may also filter on the attributes of the levels above it.
QUERYABLE = {"study": STUDY, "series": STUDY + SERIES, "instance": STUDY + SERIES + ("SOPInstanceUID",)}
# QueryResponseBuilder.cs (eeefbe4d): each version's defaults per level, and what includefield=all returns
DEFAULTS_V1 = {
    "study": (
        "SpecificCharacterSet",
        "StudyDate",
        "StudyTime",
        "AccessionNumber",
        "InstanceAvailability",
        "ReferringPhysicianName",
        "TimezoneOffsetFromUTC",
        "PatientName",
        "PatientID",
        "PatientBirthDate",
        "PatientSex",
        "StudyID",
        "StudyInstanceUID",
    ),
    "series": (
        "SpecificCharacterSet",
        "Modality",
        "TimezoneOffsetFromUTC",
        "SeriesDescription",
        "SeriesInstanceUID",
        "PerformedProcedureStepStartDate",
        "PerformedProcedureStepStartTime",
        "RequestAttributesSequence",
    ),
    "instance": (
        "SpecificCharacterSet",
        "SOPClassUID",
        "SOPInstanceUID",
        "InstanceAvailability",
        "TimezoneOffsetFromUTC",
        "InstanceNumber",
        "Rows",
        "Columns",
        "BitsAllocated",
        "NumberOfFrames",
    ),
}
DEFAULTS_V2 = {
    "study": (
        "StudyInstanceUID",
        "StudyDate",
        "StudyDescription",
        "AccessionNumber",
        "ReferringPhysicianName",
        "PatientName",
        "PatientID",
        "PatientBirthDate",
    ),
    "series": ("SeriesInstanceUID", "Modality", "PerformedProcedureStepStartDate", "ManufacturerModelName"),
    "instance": ("SOPInstanceUID",),
}
INCLUDE_ALL = {
    "study": DEFAULTS_V1["study"]
    + (
        "StudyDescription",
        "AnatomicRegionsInStudyCodeSequence",
        "ProcedureCodeSequence",
        "NameOfPhysiciansReadingStudy",
        "AdmittingDiagnosesDescription",
        "ReferencedStudySequence",
        "PatientAge",
        "PatientSize",
        "PatientWeight",
        "Occupation",
        "AdditionalPatientHistory",
    ),
    "series": DEFAULTS_V1["series"] + ("SeriesNumber", "Laterality", "SeriesDate", "SeriesTime"),
    "instance": DEFAULTS_V1["instance"],
}
# StudyResult.cs and SeriesResult.cs: what the server's study and series tables answer (AvailableTags)
INDEX_RESULTS = {
    "study": (
        "StudyInstanceUID",
        "PatientID",
        "PatientName",
        "ReferringPhysicianName",
        "StudyDate",
        "StudyDescription",
        "AccessionNumber",
        "PatientBirthDate",
        "ModalitiesInStudy",
        "NumberOfStudyRelatedInstances",
    ),
    "series": (
        "SeriesInstanceUID",
        "Modality",
        "PerformedProcedureStepStartDate",
        "ManufacturerModelName",
        "NumberOfSeriesRelatedInstances",
    ),
}
_SEE_CONFORMANCE = (
    "If the parameter is an attribute keyword, check the casing as they are case-sensitive. The conformance "
    "statement has a list of supported query parameters, attributes and the levels."
)
# DicomCoreResource.resx and DicomApiResource.resx (eeefbe4d), word for word
QIDO_MESSAGES = {
    "unknown": "Invalid query: unknown query parameter '{name}'. " + _SEE_CONFORMANCE,
    "not_queryable": "Invalid query: AttributeId {name} is not queryable.  " + _SEE_CONFORMANCE,
    "given_twice": "Invalid QIDO-RS query. Duplicate AttributeId '{name}'. Each attribute is only allowed to be "
    "specified once.",
    "same_attribute": "Invalid query: attribute '{name}' has been specified more than once using different ID "
    "formats. Each attribute is only allowed to be specified once.",
    "empty": "Invalid query: AttributeId '{name}' has empty string value that is not supported.",
    "include_unknown": "Invalid query: IncludeField has unknown attribute '{item}'.",
    "include_all_mixed": "Invalid query: cannot specify included fields in addition to 'all'.",
    "bad_date": "Invalid query: specified Date value '{value}' is invalid for attribute '{keyword}'. Date should be "
    "valid and formatted as yyyyMMdd.",
    "empty_range": "Invalid query: specified range is invalid.\nBoth parts in the range cannot be empty.\nFor details "
    "on valid range queries, please refer to Search Matching section in Conformance Statement "
    "(https://github.com/microsoft/dicom-server/blob/main/docs/resources/conformance-statement.md#search-matching).",
    "range_parts": "Invalid query: specified Date value '{value}' is invalid for attribute '{keyword}'. Date should "
    "be valid and formatted as yyyyMMdd.",
    "reversed_range": "Invalid query: specified date range '{value}' is invalid.\nThe first part date {start} should "
    "be lesser than or equal to the second part date {end}.",
    "fuzzy_quote": "Invalid query: specified tag '{keyword}' value '{value}' contains unsupported character '\"'. "
    "Character is not supported with Fuzzy match, try exact match or removing the invalid character. ",
}
VERSIONS = ("1", "2")


@functools.lru_cache(maxsize=64)
def make_face(version: str, base_url: str) -> Face:
    """The face of an API version at a base URL; made once (a request's Face is read, never changed)."""
    v2 = version == "2"
    return Face(
        key="msdicom",
        base_url=base_url,
        queryable=QUERYABLE,
        defaults=DEFAULTS_V2 if v2 else DEFAULTS_V1,
        wildcards=False,
        uid_lists=False,
        empty_filter_error=True,
        default_limit=100,
        max_limit=200,
        no_match_status=204,
        newest_first=True,
        implicit_vr_warns=True,
        default_transfer_syntax="1.2.840.10008.1.2.1",
        retrieve_transfer_syntaxes=("*", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.4.90"),
        multi_instance_transcoding=False,
        single_part_upload=True,
        single_part_retrieve=True,
        rendered=True,
        bulk_data_uris=False,
        binary_in_metadata=False,
        metadata_etag=True,
        path_uid_trailing_spaces=True,
        validation="lenient" if v2 else "index",
        warning_status=202 if v2 else 200,
        empty_multipart_no_content=True,
        study_url_needs_stored=True,
        latest_wins=True,
        index_results=INDEX_RESULTS,
        include_all=INCLUDE_ALL,
        filters_by_resource=True,
        text_ignores_case=True,
        filter_trailing_nulls_ignored=True,
        uid_filters_checked=False,
        qido_messages=QIDO_MESSAGES,
    )
