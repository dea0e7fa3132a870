"""STOW-RS of metadata and bulk data (PS3.18 10.5.1.2.2, `multipart/related; type="application/dicom+json"`):
DICOM JSON parts, each an array of instances (or one), and the bulk data parts their BulkDataURIs name by
Content-Location. Each instance becomes the Part-10 file the archive stores, built with pydicom."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, UID, ExplicitVRLittleEndian

from mockservers.dicom.errors import bad_request
from mockservers.dicom.multipart import Part, parse_media_type

JSON_PART = "application/dicom+json"
PIXEL_DATA = "7FE00010"
ITEM_TAG = b"\xfe\xff\x00\xe0"  # an encapsulated value starts with an item


@dataclass
class Unreadable:
    """An instance (or a part) that cannot be stored as sent: FailureReason 272, with its UIDs when known."""

    detail: str
    sop_class: str | None = None
    sop_uid: str | None = None


def files_of(parts: list[Part]) -> list[bytes | Unreadable]:
    """One Part-10 file per instance of the metadata parts (a part without a type is metadata when first, as the
    request's `type` says), or why it cannot be one."""
    bulk = {p.headers["content-location"]: p for p in parts if "content-location" in p.headers}
    files: list[bytes | Unreadable] = []
    for index, part in enumerate(parts):
        part_type = parse_media_type(part.content_type).type if part.content_type else ""
        if part_type == JSON_PART or (index == 0 and not part_type):
            files.extend(_instance(item, bulk) for item in _datasets(part.content))
        elif "content-location" not in part.headers:
            files.append(Unreadable(f"the part ({part_type or 'no type'}) is neither metadata nor named bulk data"))
    return files


def _datasets(content: bytes) -> list[dict]:
    try:
        data = json.loads(content)
    except ValueError:
        data = None
    data = [data] if isinstance(data, dict) else data
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise bad_request(
            "The request body is not valid: an application/dicom+json part is not DICOM JSON (an array of data sets)."
        )
    return data


def _first(item: dict, tag: str) -> str | None:
    values = item.get(tag, {}).get("Value") if isinstance(item.get(tag), dict) else None
    return str(values[0]) if isinstance(values, list) and values else None


def _instance(item: dict, bulk: dict[str, Part]) -> bytes | Unreadable:
    sop_class, sop_uid = _first(item, "00080016"), _first(item, "00080018")
    used: dict[str, Part] = {}

    def bulk_value(tag: str, vr: str, uri: str) -> bytes:
        if uri not in bulk:
            raise LookupError(f"no part has the Content-Location {uri} that ({tag[:4]},{tag[4:]}) names")
        used[tag] = bulk[uri]
        return bulk[uri].content

    try:
        ds = Dataset.from_json(item, bulk_data_uri_handler=bulk_value)
        ts = _transfer_syntax(used.get(PIXEL_DATA))
        if ts.is_encapsulated and "PixelData" in ds and not ds.PixelData.startswith(ITEM_TAG):
            ds.PixelData = encapsulate([ds.PixelData])
        return _part10(ds, ts)
    except LookupError as exc:
        return Unreadable(str(exc), sop_class, sop_uid)
    except Exception as exc:  # a value pydicom cannot take or write
        return Unreadable(f"unreadable DICOM JSON ({type(exc).__name__}: {exc})", sop_class, sop_uid)


def _transfer_syntax(pixels: Part | None) -> UID:
    """The pixel data part's transfer-syntax parameter (PS3.18 8.7.3.5.2); explicit VR little endian without."""
    if pixels is not None and pixels.content_type:
        syntax = parse_media_type(pixels.content_type).params.get("transfer-syntax")
        if syntax:
            return UID(syntax)
    return ExplicitVRLittleEndian


def _part10(ds: Dataset, ts: UID) -> bytes:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ts
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds.file_meta = meta
    out = io.BytesIO()
    pydicom.dcmwrite(out, ds, enforce_file_format=True)  # encoded as its transfer syntax says
    return out.getvalue()
