"""What CAD4TB stores from a DICOM file's headers: flat keywords, ISO dates, null where absent."""

from __future__ import annotations

from typing import Any

from mockservers.dicom import attributes

OPHTHALMIC_PHOTOGRAPHY = {
    "1.2.840.10008.5.1.4.1.1.77.1.5.1",  # Ophthalmic Photography 8 Bit Image Storage
    "1.2.840.10008.5.1.4.1.1.77.1.5.2",  # Ophthalmic Photography 16 Bit Image Storage
}
PATIENT_KEYS = ("PatientName", "PatientID", "PatientSex", "PatientBirthDate")
STUDY_KEYS = (
    "StudyInstanceUID",
    "StudyDate",
    "StudyTime",
    "StudyDescription",
    "ReferringPhysicianName",
    "InstitutionName",
    "AccessionNumber",
)
SERIES_KEYS = (
    "SeriesInstanceUID",
    "SOPClassUID",
    "SeriesDate",
    "SeriesTime",
    "SeriesDescription",
    "Manufacturer",
    "ManufacturerModelName",
    "Modality",
    "SeriesNumber",
    "BodyPartExamined",
    "ViewPosition",
    "Rows",
    "Columns",
    "ImageType",
)
INTS = ("SeriesNumber", "Rows", "Columns")


def text(ds, keyword: str) -> str | None:
    """dicom.attributes' reading, without NUL padding or surrounding spaces; None when nothing is left."""
    return (attributes.text(ds, keyword) or "").replace("\x00", "").strip() or None


def iso_date(value: str | None) -> str | None:
    if value and len(value) == 8 and value.isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return None


def hhmmss(value: str | None) -> str | None:
    return value.split(".", 1)[0] if value else None


def integer(value: str | None) -> int | None:
    try:
        return int(float(value)) if value is not None else None
    except (ValueError, OverflowError):
        return None


def is_retina(ds) -> bool:
    sop_class = text(ds, "SOPClassUID") or text(getattr(ds, "file_meta", {}), "MediaStorageSOPClassUID")
    return text(ds, "Modality") == "OP" or sop_class in OPHTHALMIC_PHOTOGRAPHY


def read(ds) -> dict[str, Any]:
    """The UIDs, and the patient, study and series attributes as stored. The retina rule applies here."""
    raw = {k: text(ds, k) for k in set(PATIENT_KEYS + STUDY_KEYS + SERIES_KEYS + ("SOPInstanceUID",))}
    if raw["SOPClassUID"] is None:
        raw["SOPClassUID"] = text(getattr(ds, "file_meta", {}), "MediaStorageSOPClassUID")
    retina = is_retina(ds)
    if retina:
        raw["SeriesInstanceUID"] = raw["SOPInstanceUID"]
    for key in ("PatientBirthDate", "StudyDate", "SeriesDate"):
        raw[key] = iso_date(raw[key])
    for key in ("StudyTime", "SeriesTime"):
        raw[key] = hhmmss(raw[key])
    for key in INTS:
        raw[key] = integer(raw[key])
    return {
        "retina": retina,
        "SOPInstanceUID": raw["SOPInstanceUID"],
        "patient": {k: raw[k] for k in PATIENT_KEYS},
        "study": {k: raw[k] for k in STUDY_KEYS},
        "series": {k: raw[k] for k in SERIES_KEYS},
    }
