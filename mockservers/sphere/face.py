"""The sphere face of the DICOMweb machinery: the filters and result tables of its document."""

from __future__ import annotations

from mockservers.dicom.face import Face

PATIENT = ("PatientID", "PatientName", "PatientSex", "PatientBirthDate")
QUERYABLE = {
    "study": (
        *PATIENT,
        "StudyInstanceUID",
        "InstitutionName",
        "AccessionNumber",
        "ProtocolName",
        "StudyDescription",
        "StudyDate",
    ),
    "series": (
        "PatientID",
        "SeriesInstanceUID",
        "StudyInstanceUID",
        "Modality",
        "Manufacturer",
        "ManufacturerModelName",
        "BodyPartExamined",
        "SeriesDate",
        "SeriesDescription",
        "StationName",
    ),
    "instance": ("SOPInstanceUID", "SeriesInstanceUID", "StudyInstanceUID", "PatientID"),
}
DEFAULTS = {
    "study": (
        "SpecificCharacterSet",
        "StudyDate",
        "StudyTime",
        "AccessionNumber",
        "InstanceAvailability",
        "ModalitiesInStudy",
        "ReferringPhysicianName",
        "TimezoneOffsetFromUTC",
        "RetrieveURL",
        "PatientName",
        "PatientID",
        "PatientBirthDate",
        "PatientSex",
        "StudyInstanceUID",
        "StudyID",
        "NumberOfStudyRelatedSeries",
        "NumberOfStudyRelatedInstances",
    ),
    "series": (
        "SpecificCharacterSet",
        "Modality",
        "TimezoneOffsetFromUTC",
        "SeriesDescription",
        "RetrieveURL",
        "SeriesInstanceUID",
        "SeriesNumber",
        "NumberOfSeriesRelatedInstances",
        "PerformedProcedureStepStartDate",
        "PerformedProcedureStepStartTime",
        "RequestAttributesSequence",  # not indexed: read from the series' first stored instance
    ),
    "instance": (
        "SOPClassUID",
        "SOPInstanceUID",
        "InstanceAvailability",
        "TimezoneOffsetFromUTC",
        "RetrieveURL",
        "InstanceNumber",
        "Rows",
        "Columns",
        "BitsAllocated",
        "NumberOfFrames",
    ),
}


def make_face(base_url: str, config: dict) -> Face:
    return Face(
        key="sphere",
        base_url=base_url,
        queryable=QUERYABLE,
        defaults=DEFAULTS,
        wildcards=True,
        uid_lists=True,
        empty_filter_error=False,
        default_limit=None,
        max_limit=None,
        no_match_status=200,
        newest_first=False,
        searchable_invalid_fails=False,
        implicit_vr_warns=False,
        default_transfer_syntax=None,
        multi_instance_transcoding=True,
        frame_number_ignored=True,
        decompress_pixels=bool(config.get("DECOMPRESS_PIXELS")),
        xml_in_development=True,
        single_part_upload=False,
        metadata_upload=True,
        single_part_retrieve=False,
        rendered=False,
        instance_metadata_as_object=True,
        bulk_data_uris=bool((config.get("mock") or {}).get("bulk_data_uris")),
        delete_refused=None if (config.get("mock") or {}).get("allow_delete") else 'Method "DELETE" not allowed.',
    )
