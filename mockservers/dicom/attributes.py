"""Every attribute the archive indexes: its level, its index column and how a QIDO filter matches it; and the one
way every vendor reads a header of a pydicom data set (text, integer, a value as a list)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from pydicom.datadict import tag_for_keyword
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue

LEVELS = ("study", "series", "instance")


@dataclass(frozen=True)
class Attr:
    keyword: str
    level: str
    column: str | None  # None: computed (counts, modalities, RetrieveURL, ...)
    kind: str  # uid | date | time | name | text | int | modalities | computed


_TABLE = [
    # study
    Attr("SpecificCharacterSet", "study", "specific_charset", "text"),
    Attr("StudyInstanceUID", "study", "study_uid", "uid"),
    Attr("PatientName", "study", "patient_name", "name"),
    Attr("PatientID", "study", "patient_id", "text"),
    Attr("PatientBirthDate", "study", "patient_birth_date", "date"),
    Attr("PatientSex", "study", "patient_sex", "text"),
    Attr("AccessionNumber", "study", "accession_number", "text"),
    Attr("ReferringPhysicianName", "study", "referring_physician_name", "name"),
    Attr("StudyDate", "study", "study_date", "date"),
    Attr("StudyTime", "study", "study_time", "time"),
    Attr("StudyDescription", "study", "study_description", "text"),
    Attr("StudyID", "study", "study_id", "text"),
    Attr("InstitutionName", "study", "institution_name", "text"),
    Attr("ProtocolName", "study", "protocol_name", "text"),
    Attr("ModalitiesInStudy", "study", None, "modalities"),
    Attr("NumberOfStudyRelatedSeries", "study", "n_series", "computed"),
    Attr("NumberOfStudyRelatedInstances", "study", "n_instances", "computed"),
    # series
    Attr("SeriesInstanceUID", "series", "series_uid", "uid"),
    Attr("Modality", "series", "modality", "text"),
    Attr("Manufacturer", "series", "manufacturer", "text"),
    Attr("ManufacturerModelName", "series", "manufacturer_model_name", "text"),
    Attr("BodyPartExamined", "series", "body_part_examined", "text"),
    Attr("SeriesDate", "series", "series_date", "date"),
    Attr("SeriesDescription", "series", "series_description", "text"),
    Attr("StationName", "series", "station_name", "text"),
    Attr("SeriesNumber", "series", "series_number", "int"),
    Attr("PerformedProcedureStepStartDate", "series", "pps_start_date", "date"),
    Attr("PerformedProcedureStepStartTime", "series", "pps_start_time", "time"),
    Attr("NumberOfSeriesRelatedInstances", "series", "n_instances", "computed"),
    # instance
    Attr("SOPInstanceUID", "instance", "sop_uid", "uid"),
    Attr("SOPClassUID", "instance", "sop_class_uid", "uid"),
    Attr("InstanceNumber", "instance", "instance_number", "int"),
    Attr("Rows", "instance", "rows", "int"),
    Attr("Columns", "instance", "columns", "int"),
    Attr("BitsAllocated", "instance", "bits_allocated", "int"),
    Attr("NumberOfFrames", "instance", "number_of_frames", "int"),
    # computed at every level
    Attr("InstanceAvailability", "any", None, "computed"),
    Attr("RetrieveURL", "any", None, "computed"),
    Attr("TimezoneOffsetFromUTC", "any", "timezone_offset", "computed"),
]

BY_KEYWORD: dict[str, Attr] = {a.keyword: a for a in _TABLE}


def is_multi_valued(value: Any) -> bool:
    """Whether a header's value holds several values (pydicom's MultiValue, or a list a data set was built with)."""
    return isinstance(value, (MultiValue, list, tuple))


def as_list(value: Any) -> list:
    """A header's value as a list of its values: a multi-valued one's values, a single one alone, none for None."""
    if value is None:
        return []
    return list(value) if is_multi_valued(value) else [value]


@functools.lru_cache(maxsize=1024)
def tag_of(keyword: str) -> int | None:
    """tag_for_keyword, remembered."""
    return tag_for_keyword(keyword)


def _get(ds: Dataset, keyword: str) -> Any:
    """ds.get(keyword), without looking the keyword up in pydicom's dictionary each time."""
    tag = tag_of(keyword)
    if tag is None:
        return ds.get(keyword)
    try:
        return ds[tag].value
    except KeyError:
        return None


def text(ds: Dataset, keyword: str) -> str | None:
    """A header as text, several values joined by a backslash (as DICOM writes them); None when absent or empty."""
    value = _get(ds, keyword)
    if value is None or value == "":
        return None
    return "\\".join(str(v) for v in as_list(value))


def integer(ds: Dataset, keyword: str) -> int | None:
    """A header as an integer; None when absent, empty or not a number."""
    try:
        value = _get(ds, keyword)
        return None if value in (None, "") else int(value)
    except (TypeError, ValueError):
        return None
