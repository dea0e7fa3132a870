"""Transfer syntaxes, frames and rendering: pydicom, with Pillow and pylibjpeg-openjpeg as its codecs."""

from __future__ import annotations

import contextlib
import functools
import io

import numpy as np
import pydicom
from pydicom.dataelem import RawDataElement
from pydicom.encaps import generate_frames
from pydicom.pixels.encoders import JPEG2000LosslessEncoder
from pydicom.uid import UID

from mockservers.core.validation import is_whole_number
from mockservers.dicom.errors import FRAME_NOT_FOUND, DicomWebError, bad_request, not_acceptable, not_found
from mockservers.dicom.face import EXPLICIT_VR_LE, IMPLICIT_VR_LE

UNCOMPRESSED = {EXPLICIT_VR_LE, IMPLICIT_VR_LE}
JPEG2000_LOSSLESS = "1.2.840.10008.1.2.4.90"
# What transcode() and frames() can produce; any source pydicom decodes (RLE, JPEG, JPEG-LS and JPEG 2000 through
# Pillow and pylibjpeg-openjpeg), not video (MPEG2, H.264, HEVC)
ENCODABLE = UNCOMPRESSED | {JPEG2000_LOSSLESS}
PIXEL_DATA = 0x7FE00010
UNSUPPORTED_TRANSCODING = "The specified transcoding is not supported."

# PS3.18 Table 8.7.3-5: the media type of compressed frames by transfer syntax
FRAME_MEDIA_TYPES = {
    "1.2.840.10008.1.2.5": "image/dicom-rle",
    "1.2.840.10008.1.2.4.50": "image/jpeg",
    "1.2.840.10008.1.2.4.51": "image/jpeg",
    "1.2.840.10008.1.2.4.57": "image/jpeg",
    "1.2.840.10008.1.2.4.70": "image/jpeg",
    "1.2.840.10008.1.2.4.80": "image/jls",
    "1.2.840.10008.1.2.4.81": "image/jls",
    "1.2.840.10008.1.2.4.90": "image/jp2",
    "1.2.840.10008.1.2.4.91": "image/jp2",
    "1.2.840.10008.1.2.4.92": "image/jpx",
    "1.2.840.10008.1.2.4.93": "image/jpx",
}


def _refuse_unexpected(message: str):
    """Pixel work pydicom cannot do on a stored file (video, odd values, unsupported colour spaces) is a 406 with
    `message`, not a 500."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except DicomWebError:
                raise
            except Exception:
                raise not_acceptable(message) from None

        return wrapper

    return decorate


def _read(data: bytes):
    return pydicom.dcmread(io.BytesIO(data))


def _write(ds) -> bytes:
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


@_refuse_unexpected(UNSUPPORTED_TRANSCODING)
def transcode(data: bytes, stored: str, wanted: str) -> bytes:
    """The file in the transfer syntax `wanted` (one of ENCODABLE), its SOP Instance UID kept; 406 when pydicom
    cannot do it."""
    if wanted == stored:
        return data
    if wanted not in ENCODABLE:
        raise not_acceptable(UNSUPPORTED_TRANSCODING)
    ds = _read(data)
    if "PixelData" in ds:
        _decompress(ds)
        if wanted == JPEG2000_LOSSLESS:
            array = ds.pixel_array
            _mark_colour_transform(ds)
            ds.compress(JPEG2000_LOSSLESS, array, encoding_plugin="pylibjpeg", generate_instance_uid=False)
        elif not ds.file_meta.TransferSyntaxUID.is_little_endian and ds.get("BitsAllocated", 8) > 8:
            raise not_acceptable(UNSUPPORTED_TRANSCODING)  # big endian words pydicom will not swap on writing
    if wanted != JPEG2000_LOSSLESS or "PixelData" not in ds:
        ds.file_meta.TransferSyntaxUID = UID(wanted)
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True, implicit_vr=wanted == IMPLICIT_VR_LE, little_endian=True)
    return out.getvalue()


def _decompress(ds) -> None:
    """Native pixel data in place, keeping the instance's UIDs (pydicom would make a new SOP Instance UID)."""
    if ds.file_meta.TransferSyntaxUID.is_compressed:
        ds.decompress(generate_instance_uid=False)


def _mark_colour_transform(ds) -> None:
    """RGB is encoded with the reversible colour transform and the data set says so, YBR_RCT, as fo-dicom's
    encoder does (the server's own JPEG 2000 test files); pydicom's encoder applies it only when told so."""
    if ds.get("PhotometricInterpretation") == "RGB":
        ds.PhotometricInterpretation = "YBR_RCT"


def parse_frame_list(text: str) -> list[int]:
    numbers = []
    for item in text.split(","):
        item = item.strip()
        if not is_whole_number(item) or int(item) < 1:
            raise bad_request(f"The frame list '{text}' is invalid: frames are numbered from 1.")
        numbers.append(int(item))
    return numbers


@functools.lru_cache(maxsize=16384)
def native_layout(path: str) -> tuple[int, int, int, str] | None:
    """Where a stored file's native frames lie: (offset of the PixelData value, frame size, frames, transfer syntax);
    None unless its pixels are little-endian native data. Stored files are named by their content, so an answer
    never goes stale."""
    try:
        with open(path, "rb") as fh:
            ds = pydicom.dcmread(fh)  # once per file: the elements are read, not decoded
        ts = ds.file_meta.TransferSyntaxUID
        raw = ds.get_item(PIXEL_DATA) if PIXEL_DATA in ds else None
        if ts not in UNCOMPRESSED or not isinstance(raw, RawDataElement) or raw.length == 0xFFFFFFFF:
            return None
        size = int(ds.Rows) * int(ds.Columns) * int(ds.get("SamplesPerPixel", 1)) * int(ds.BitsAllocated) // 8
        count = int(ds.get("NumberOfFrames") or 1)
    except Exception:
        return None
    if size <= 0 or count < 1 or count * size > raw.length:
        return None
    return raw.value_tell, size, count, str(ts)


def frames(path: str, numbers: list[int], wanted: str) -> tuple[list[bytes], str]:
    """The requested frames of a stored file as stored (`wanted` "*") or in the transfer syntax `wanted` (one of
    ENCODABLE), and the transfer syntax they are in."""
    layout = native_layout(path)
    if layout is None or wanted not in ("*", *UNCOMPRESSED):
        with open(path, "rb") as fh:
            return _parsed_frames(fh.read(), numbers, wanted)
    offset, size, count, ts = layout
    if any(n > count for n in numbers):
        raise not_found(FRAME_NOT_FOUND)
    found = []
    with open(path, "rb") as fh:
        for n in numbers:
            fh.seek(offset + (n - 1) * size)
            found.append(fh.read(size))
    return found, ts if wanted == "*" else wanted


@_refuse_unexpected(UNSUPPORTED_TRANSCODING)
def _parsed_frames(data: bytes, numbers: list[int], wanted: str) -> tuple[list[bytes], str]:
    ds = _read(data)
    if "PixelData" not in ds:
        raise not_found(FRAME_NOT_FOUND)
    count = int(ds.get("NumberOfFrames") or 1)
    for n in numbers:
        if n > count:
            raise not_found(FRAME_NOT_FOUND)
    ts = ds.file_meta.TransferSyntaxUID
    if wanted == "*" or wanted == ts:
        if ts.is_compressed:
            all_frames = list(generate_frames(ds.PixelData, number_of_frames=count))
            return [all_frames[n - 1] for n in numbers], str(ts)
        return _native_frames(ds, numbers), str(ts)
    if wanted not in ENCODABLE:
        raise not_acceptable(UNSUPPORTED_TRANSCODING)
    _decompress(ds)
    if wanted == JPEG2000_LOSSLESS:
        _mark_colour_transform(ds)
        return [JPEG2000LosslessEncoder.encode(ds, index=n - 1, encoding_plugin="pylibjpeg") for n in numbers], wanted
    return _native_frames(ds, numbers), wanted


def _native_frames(ds, numbers: list[int]) -> list[bytes]:
    size = int(ds.Rows) * int(ds.Columns) * int(ds.get("SamplesPerPixel", 1)) * int(ds.BitsAllocated) // 8
    pixel_data = ds.PixelData
    return [pixel_data[(n - 1) * size : n * size] for n in numbers]


@_refuse_unexpected("The pixels of the instance cannot be decompressed.")
def pixel_data(data: bytes, decompress: bool) -> tuple[bytes, str]:
    """The whole PixelData value (what sphere answers for any frame number)."""
    ds = _read(data)
    if "PixelData" not in ds:
        raise not_found(FRAME_NOT_FOUND)
    ts = ds.file_meta.TransferSyntaxUID
    if ts.is_compressed and decompress:
        _decompress(ds)
        ts = UID(EXPLICIT_VR_LE)
    return bytes(ds.PixelData), str(ts)


@_refuse_unexpected("The instance cannot be rendered.")
def render(data: bytes, frame: int, fmt: str, quality: int = 90) -> bytes:
    """One frame as an 8-bit JPEG or PNG (windowed by its VOI LUT when it has one)."""
    from PIL import Image
    from pydicom.pixels import apply_voi_lut

    ds = _read(data)
    if "PixelData" not in ds:
        raise not_found(FRAME_NOT_FOUND)
    count = int(ds.get("NumberOfFrames") or 1)
    if frame > count:
        raise not_found(FRAME_NOT_FOUND)
    array = ds.pixel_array
    if count > 1:
        array = array[frame - 1]
    if ds.get("SamplesPerPixel", 1) == 1:
        with contextlib.suppress(Exception):
            array = apply_voi_lut(array, ds)
        array = array.astype("float64")
        low, high = float(array.min()), float(array.max())
        scaled = (array - low) / (high - low or 1.0) * 255.0
        if ds.get("PhotometricInterpretation") == "MONOCHROME1":
            scaled = 255.0 - scaled
        image = Image.fromarray(scaled.astype(np.uint8), mode="L")
    else:
        if ds.get("PhotometricInterpretation", "").startswith("YBR"):
            from pydicom.pixels import convert_color_space

            array = convert_color_space(array, ds.PhotometricInterpretation, "RGB")
        if array.dtype != np.uint8:
            array = (array.astype("float64") / max(float(array.max()), 1.0) * 255.0).astype(np.uint8)
        image = Image.fromarray(array, mode="RGB")
    out = io.BytesIO()
    if fmt == "png":
        image.save(out, format="PNG")
    else:
        image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def bulk_value(data: bytes, tag_path: str) -> bytes | None:
    """The value at a BulkDataURI path ('00420011', or '00540016/0/00181072' into a sequence item), as stored;
    None if there is none."""
    steps = tag_path.strip("/").split("/")
    if len(steps) % 2 != 1 or not all(len(t) == 8 for t in steps[::2]):
        return None
    try:
        tags = [int(t, 16) for t in steps[::2]]
        indexes = [int(i) for i in steps[1::2]]
    except ValueError:
        return None
    ds = pydicom.dcmread(io.BytesIO(data), force=True)
    for tag, index in zip(tags, indexes, strict=False):
        elem = ds.get(tag)
        if elem is None or elem.VR != "SQ" or not 0 <= index < len(elem.value):
            return None
        ds = elem.value[index]
    elem = ds.get(tags[-1])
    if elem is None or elem.VR == "SQ" or elem.value is None:
        return None
    value = elem.value
    return value if isinstance(value, bytes) else None
