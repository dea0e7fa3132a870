"""The msdicom face of the DICOMweb machinery, per API version (the conformance statement's differences)."""

from __future__ import annotations

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
DEFAULTS = {
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
        "Modality",
        "SeriesDescription",
        "SeriesInstanceUID",
        "PerformedProcedureStepStartDate",
        "PerformedProcedureStepStartTime",
        "SeriesNumber",
    ),
    "instance": (
        "SOPClassUID",
        "SOPInstanceUID",
        "InstanceAvailability",
        "InstanceNumber",
        "Rows",
        "Columns",
        "BitsAllocated",
        "NumberOfFrames",
    ),
}
VERSIONS = ("1", "2")


def make_face(version: str, base_url: str) -> Face:
    v2 = version == "2"
    return Face(
        key="msdicom",
        base_url=base_url,
        queryable=QUERYABLE,
        defaults=DEFAULTS,
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
    )
