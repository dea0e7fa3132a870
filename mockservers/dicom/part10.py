"""Reading DICOM Part-10 files with pydicom: one place decides what counts as a DICOM file."""
from __future__ import annotations

import io

import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError


class NotDicomError(ValueError):
    """The bytes are not a readable DICOM Part-10 file; the message says why."""


def read_part10(data: bytes, stop_before_pixels: bool = False) -> Dataset:
    if not data:
        raise NotDicomError("the file is empty")
    try:
        ds = pydicom.dcmread(io.BytesIO(data), force=False, stop_before_pixels=stop_before_pixels)
    except InvalidDicomError as exc:
        raise NotDicomError(f"not a DICOM Part-10 file ({exc})") from None
    except Exception as exc:  # truncated or corrupt data makes pydicom raise many kinds of errors
        raise NotDicomError(f"unreadable DICOM data ({type(exc).__name__}: {exc})") from None
    if "SOPClassUID" not in ds and "MediaStorageSOPClassUID" not in getattr(ds, "file_meta", Dataset()):
        raise NotDicomError("the file has no SOP Class UID")
    try:
        # Touch every element once, so that a truncated file fails here and not later.
        for _ in ds.iterall():
            pass
    except Exception as exc:
        raise NotDicomError(f"unreadable DICOM data ({type(exc).__name__}: {exc})") from None
    return ds


def text(ds: Dataset, keyword: str, default: str = "") -> str:
    value = ds.get(keyword)
    if value is None or value == "":
        return default
    return str(value)
