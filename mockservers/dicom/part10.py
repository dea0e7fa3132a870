"""Reading DICOM Part-10 files with pydicom: one place decides what counts as a DICOM file."""

from __future__ import annotations

import copy
import io
import itertools
import warnings
import zlib
from typing import TYPE_CHECKING, Any, cast

import pydicom
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.filereader import read_dataset, read_preamble
from pydicom.uid import DeflatedExplicitVRLittleEndian

if TYPE_CHECKING:
    from mockservers.settings import Settings


class NotDicomError(ValueError):
    """The bytes are not a readable DICOM Part-10 file; the message says why."""


def inflate_limit(settings: Settings) -> int:
    """The most a deflated data set may inflate to: the largest body the server takes (max_body_mb)."""
    return settings.max_body_mb * 1024 * 1024


def read_part10(data: bytes, *, max_inflated: int, stop_before_pixels: bool = False) -> Dataset:
    ds, _ = _read(data, max_inflated, stop_before_pixels)
    try:
        # Touch every element once, so that a truncated file fails here and not later.
        for _ in ds.iterall():
            pass
    except Exception as exc:
        raise unreadable(exc) from None
    return ds


def read_unconverted(data: bytes, *, max_inflated: int) -> tuple[Dataset, Dataset]:
    """read_part10's checks without converting any value (dicomjson.read_metadata converts each once, failing as
    read_part10 would): the data set, and its elements before the pixel data as read_raw gives them (a copy that
    converting the data set's values leaves as the file holds them)."""
    return _read(data, max_inflated, False)


def unreadable(exc: Exception) -> NotDicomError:
    return NotDicomError(f"unreadable DICOM data ({type(exc).__name__}: {exc})")


_DEFLATED = DeflatedExplicitVRLittleEndian.encode()
_PIXEL_TAGS = frozenset({0x7FE00010, 0x7FE00009, 0x7FE00008})  # where pydicom's stop_before_pixels stops


def _read(data: bytes, max_inflated: int, stop_before_pixels: bool) -> tuple[Dataset, Dataset]:
    if not data:
        raise NotDicomError("the file is empty")
    _check_inflated_size(data, max_inflated)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ds = pydicom.dcmread(io.BytesIO(data), force=False, stop_before_pixels=stop_before_pixels)
    except InvalidDicomError as exc:
        raise NotDicomError(f"not a DICOM Part-10 file ({exc})") from None
    except Exception as exc:  # truncated or corrupt data makes pydicom raise many kinds of errors
        raise unreadable(exc) from None
    if any("End of file reached before delimiter" in str(w.message) for w in caught):
        raise NotDicomError("the file is truncated: its encapsulated pixel data has no end delimiter")
    before_pixels = copy.copy(ds)
    before_pixels._dict = dict(itertools.takewhile(lambda item: item[0] not in _PIXEL_TAGS, ds._dict.items()))
    _check_complete(ds)
    if "SOPClassUID" not in ds and "MediaStorageSOPClassUID" not in getattr(ds, "file_meta", Dataset()):
        raise NotDicomError("the file has no SOP Class UID")
    return ds, before_pixels


def item(ds: Dataset, tag: int) -> DataElement | RawDataElement | None:
    """ds.get_item(tag), without its conversions of the key: the element as read, unless its value was read as
    None (an empty value of some VRs), which get_item converts."""
    elements = cast("dict[int, DataElement | RawDataElement]", ds._dict)
    elem = elements.get(tag)
    if isinstance(elem, RawDataElement) and elem.value is None:
        return ds[tag]
    return elem


PIXEL_DATA = 0x7FE00010


def _value(ds: Dataset, tag: int, default: Any = None) -> Any:
    """ds.get(keyword, default) by tag: the converted value, `default` when absent."""
    return ds[tag].value if tag in ds._dict else default


def read_raw(data: bytes) -> Dataset:
    """The data set of a file read_part10() took, its values left as the file holds them (get_item gives the
    raw bytes: nothing stripped or converted), the pixels left out."""
    return pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)


def _check_inflated_size(data: bytes, limit: int) -> None:
    """pydicom inflates a Deflated Explicit VR Little Endian data set whole, in memory, and deflate packs a
    thousand to one: a 256 KB file may hold 256 MiB. Counted here first, 64 KiB at a time, and refused past
    `limit` bytes. Anything unreadable is left to pydicom, which says what is wrong in its place."""
    if len(data) <= 1 << 16 and _DEFLATED not in data:  # a deflated file names its syntax: quicker than reading
        return
    fp = io.BytesIO(data)
    try:
        read_preamble(fp, False)
        meta = read_dataset(fp, False, True, stop_when=lambda tag, _vr, _length: tag.group != 2)
        deflated = meta.get("TransferSyntaxUID") == DeflatedExplicitVRLittleEndian
    except Exception:
        return
    if not deflated:
        return
    inflater, pending, size = zlib.decompressobj(-zlib.MAX_WBITS), data[fp.tell() :], 0
    try:
        while not inflater.eof:  # bytes after the end of the stream stay in unconsumed_tail: eof ends it
            before = len(pending)
            inflated = len(inflater.decompress(pending, 1 << 16))
            size += inflated
            if size > limit:
                raise NotDicomError(f"the data set inflates to more than {limit} bytes")
            pending = inflater.unconsumed_tail
            if not inflated and len(pending) == before:  # a stream cut short: all it holds is counted
                return
    except zlib.error:
        return


def _check_complete(ds: Dataset) -> None:
    """pydicom reads a truncated file without complaint, giving short values: a value shorter than its declared
    length, or native pixel data shorter than its image, is a truncated file."""
    for raw in ds._dict.values():  # not get_item(): it converts a value read as None, which is not short
        if (
            isinstance(raw, RawDataElement)
            and raw.value is not None
            and raw.length != 0xFFFFFFFF
            and len(raw.value) < raw.length
        ):
            raise NotDicomError(
                f"the file is truncated: element {raw.tag} has {len(raw.value)} of its {raw.length} bytes"
            )
    meta = getattr(ds, "file_meta", None)
    ts = _value(meta, 0x00020010) if meta is not None else None
    if PIXEL_DATA in ds._dict and ts is not None and not ts.is_compressed:
        try:  # by tag, in the order the keywords were read: ds.Rows looks its keyword up first
            frames = int(_value(ds, 0x00280008) or 1)
            expected = (
                int(_value(ds, 0x00280010))
                * int(_value(ds, 0x00280011))
                * int(_value(ds, 0x00280002, 1))
                * frames
                * int(_value(ds, 0x00280100))
                // 8
            )
        except (AttributeError, TypeError, ValueError):  # absent (None: a TypeError), or not a number
            return
        pixels = item(ds, PIXEL_DATA)
        assert pixels is not None  # found above
        if len(pixels.value or b"") < expected:
            raise NotDicomError(f"the file is truncated: the pixel data is shorter than its {expected} bytes")
