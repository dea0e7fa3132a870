"""DICOM JSON (PS3.18 Annex F) from pydicom, bulk data as BulkDataURIs."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from pydicom.datadict import dictionary_VR, keyword_for_tag, tag_for_keyword
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.tag import Tag

from mockservers.dicom.part10 import item

BULK_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "UN"}
BULK_THRESHOLD = 1024  # bytes: a binary value larger than this is bulk data


PIXEL_DATA = 0x7FE00010
BULK_URI = "BulkDataURI"


def _is_bulk(elem) -> bool:
    return elem.tag.group == 0x7FE0 or (
        elem.VR in BULK_VRS and elem.value is not None and len(elem.value) > BULK_THRESHOLD
    )


def _frames_of(ds: Dataset) -> int:
    try:
        return max(1, int(ds.get("NumberOfFrames") or 1))
    except (TypeError, ValueError):
        return 1


def _bulk(ds: Dataset, elem, path: str, key: str) -> dict[str, str]:
    """A bulk value's BulkDataURI: the top-level PixelData as its frames, any other as bulkdata/<path><tag>."""
    if int(elem.tag) == PIXEL_DATA and not path:
        return {"vr": elem.VR, BULK_URI: "frames/" + ",".join(str(n) for n in range(1, _frames_of(ds) + 1))}
    return {"vr": elem.VR, BULK_URI: f"bulkdata/{path}{key}"}


def _to_json(ds: Dataset, path: str) -> dict[str, Any]:
    """PS3.18 F.2.6: each bulk value as a BulkDataURI relative to its instance's URL (made whole when served):
    the top-level PixelData as its frames, any other as bulkdata/<tag>[/<item>/<tag>...]."""
    out: dict[str, Any] = {}
    for elem in ds:
        key = tag_key(int(elem.tag))
        if _is_bulk(elem):
            out[key] = _bulk(ds, elem, path, key)
        elif elem.VR == "SQ":
            items = [_to_json(item, f"{path}{key}/{i}/") for i, item in enumerate(elem.value or [])]
            out[key] = {"vr": "SQ", "Value": items} if items else {"vr": "SQ"}
        else:
            try:
                out[key] = elem.to_json_dict(bulk_data_element_handler=None, bulk_data_threshold=BULK_THRESHOLD)
            except Exception:  # a value that breaks its VR is left out, as pydicom's suppress_invalid_tags does
                continue
    return out


def metadata(ds: Dataset) -> dict[str, Any]:
    """The instance's attributes as DICOM JSON, bulk data (PixelData, binary values over 1 KiB) as BulkDataURIs
    relative to the instance (see with_bulk_urls)."""
    return _whole_numbers(_to_json(ds, ""))


class Unconvertible(Exception):
    """pydicom cannot convert a value of the data set read_metadata was given: it is not readable DICOM."""


def read_metadata(ds: Dataset) -> dict[str, Any]:
    """metadata() of a data set whose values are not converted yet (part10.read_unconverted): each element converted
    once, in the order Dataset.iterall() visits them, Unconvertible at the first pydicom cannot convert (before any
    other error building the JSON, as when the file is read whole first). A value seen before with the same tag, VR,
    encoding and bytes is not converted again: its DICOM JSON is remembered (a STOW's files share most values)."""
    deferred: list[Exception] = []
    out = _read_json(ds, "", deferred)
    if deferred:
        raise deferred[0]
    return out


# the VRs whose DICOM JSON depends on their bytes and the character set alone (no bulk data, no items, no VR that
# pydicom corrects from the data set's other values)
_REMEMBERED_VRS = frozenset(
    {"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI", "UR", "UT"}
    | {"FD", "FL", "SL", "SS", "UL", "US"}
)


class Memory:
    """Values by key, all forgotten at once when `at_most` are held. Requests share it without a lock: a reader
    gets a value or FORGOTTEN, never a KeyError from another thread's clearing."""

    FORGOTTEN: Any = object()

    def __init__(self, at_most: int):
        self.at_most = at_most
        self._values: dict[tuple, Any] = {}

    def get(self, key: tuple) -> Any:
        return self._values.get(key, Memory.FORGOTTEN)

    def keep(self, key: tuple, value: Any) -> None:
        if len(self._values) >= self.at_most:
            self._values.clear()
        self._values[key] = value


# a STOW of 50 typical files holds a few hundred distinct values; None: pydicom cannot put the value in DICOM JSON
_remembered = Memory(4096)


@functools.lru_cache(maxsize=4096)
def _public_vr(tag: int) -> str | None:
    try:
        return dictionary_VR(tag)
    except KeyError:
        return None


def charset_of(ds: Dataset) -> Any:
    """The character set pydicom converts the data set's values with, hashable."""
    found = ds.original_character_set or ds._character_set
    return tuple(found) if isinstance(found, list) else found


def memory_key(raw: RawDataElement, charset: Any) -> tuple | None:
    """What an unconverted value's conversion depends on (in a data set of character set `charset`), for a value
    whose conversion depends on nothing else; None for any other."""
    tag = int(raw.tag)
    vr = raw.VR if raw.VR is not None else None if raw.tag.is_private else _public_vr(tag)
    if vr not in _REMEMBERED_VRS or (tag >> 16) == 0x7FE0 or not isinstance(raw.value, bytes):
        return None
    return (tag, raw.VR, raw.is_implicit_VR, raw.is_little_endian, charset, raw.value)


def _read_json(ds: Dataset, path: str, deferred: list[Exception]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    charset: Any = None
    for tag in sorted(ds.keys(), key=int):  # as ints: comparing pydicom's tags runs its Python code
        key = tag_key(int(tag))
        raw = item(ds, tag)
        memory = None
        if isinstance(raw, RawDataElement):
            if charset is None:
                charset = charset_of(ds)
            memory = memory_key(raw, charset)
            value = _remembered.get(memory) if memory is not None else Memory.FORGOTTEN
            if value is not Memory.FORGOTTEN:
                if value is not None:
                    out[key] = value
                continue
        try:
            elem = ds[tag]
        except Exception as exc:
            raise Unconvertible(f"unreadable DICOM data ({type(exc).__name__}: {exc})") from None
        try:
            if _is_bulk(elem):
                out[key] = _bulk(ds, elem, path, key)
            elif elem.VR == "SQ":
                items = [_read_json(item, f"{path}{key}/{i}/", deferred) for i, item in enumerate(elem.value or [])]
                out[key] = {"vr": "SQ", "Value": items} if items else {"vr": "SQ"}
            else:
                try:
                    value = _whole_numbers(
                        elem.to_json_dict(bulk_data_element_handler=None, bulk_data_threshold=BULK_THRESHOLD)
                    )
                except Exception:  # a value that breaks its VR is left out, as pydicom's suppress_invalid_tags does
                    value = None
                if memory is not None:
                    _remembered.keep(memory, value)
                if value is not None:
                    out[key] = value
        except Unconvertible:
            raise
        except Exception as exc:  # reported once every value is converted: a value that cannot be converted wins
            deferred.append(exc)
    return out


def with_bulk_urls(value: Any, instance_url: str) -> Any:
    """Relative BulkDataURIs made absolute under the instance's WADO-RS URL (in place; returns `value`)."""
    if isinstance(value, dict):
        uri = value.get(BULK_URI)
        if isinstance(uri, str) and "://" not in uri:
            value[BULK_URI] = f"{instance_url}/{uri}"
        for item in value.values():
            if isinstance(item, (dict, list)):
                with_bulk_urls(item, instance_url)
    elif isinstance(value, list):
        for item in value:
            with_bulk_urls(item, instance_url)
    return value


_RELATIVE_BULK_URI = re.compile(r'"BulkDataURI":"(?![A-Za-z][A-Za-z0-9+.-]*://)')


def text_with_bulk_urls(text: str, instance_url: str) -> str:
    """with_bulk_urls on stored JSON text (as dumps() wrote it), without decoding it: inside a JSON string a quote
    is escaped, so the pattern only ever meets a BulkDataURI key."""
    return _RELATIVE_BULK_URI.sub(lambda _m: f'"BulkDataURI":"{instance_url}/', text)


def _whole_numbers(value: Any) -> Any:
    """DS values that are whole numbers as JSON integers (1000, not 1000.0), as the documents show them."""
    if isinstance(value, dict):
        if value.get("vr") == "DS" and "Value" in value:
            value["Value"] = [int(v) if isinstance(v, float) and v.is_integer() else v for v in value["Value"]]
        for item in value.values():
            if isinstance(item, (dict, list)):
                _whole_numbers(item)
    elif isinstance(value, list):
        for item in value:
            _whole_numbers(item)
    return value


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def tag_key(tag: int) -> str:
    return f"{tag:08X}"


def resolve(name: str) -> int | None:
    """A keyword (PatientID) or a tag (00100020) to a tag number; None if it is neither."""
    if len(name) == 8 and all(c in "0123456789abcdefABCDEF" for c in name):
        return int(name, 16)
    tag = tag_for_keyword(name)
    return int(tag) if tag is not None else None


def tag_of(name: str) -> int:
    """The tag of a name known to resolve (an indexed keyword, an includefield already checked); KeyError if not."""
    tag = resolve(name)
    if tag is None:
        raise KeyError(name)
    return tag


def keyword(tag: int) -> str:
    return keyword_for_tag(Tag(tag)) or tag_key(tag)


def element(tag: int, value: Any, vr: str | None = None) -> dict[str, Any]:
    """One attribute in DICOM JSON; None or "" gives the attribute with no Value."""
    vr = vr or dictionary_VR(Tag(tag))
    if value is None or value == "" or value == []:
        return {"vr": vr}
    values = value if isinstance(value, list) else [value]
    if vr == "PN":
        values = [{"Alphabetic": str(v)} for v in values]
    elif vr in ("IS", "SL", "SS", "UL", "US"):
        values = [int(v) for v in values]
    elif vr in ("DS", "FL", "FD"):
        values = [int(float(v)) if float(v).is_integer() and vr == "DS" else float(v) for v in values]
    return {"vr": vr, "Value": values}


def without_bulk(value: Any) -> Any:
    """The attributes that carry a BulkDataURI left out (in place, at every depth; returns `value`)."""
    if isinstance(value, dict):
        for key in [k for k, v in value.items() if isinstance(v, dict) and BULK_URI in v]:
            del value[key]
        for item in value.values():
            if isinstance(item, (dict, list)):
                without_bulk(item)
    elif isinstance(value, list):
        for item in value:
            without_bulk(item)
    return value


_BINARY_MEMBER = (
    r'"[0-9A-F]{8}":\{"vr":"(?:' + "|".join(sorted(BULK_VRS)) + r')"(?:,"(?:InlineBinary|BulkDataURI)":"[^"]*")?\}'
)
_BINARY_AFTER_ANOTHER = re.compile("," + _BINARY_MEMBER)
_BINARY_FIRST = re.compile(r"\{" + _BINARY_MEMBER + ",?")


def text_without_binary(text: str) -> str:
    """Every attribute of a binary VR (BULK_VRS) left out of stored JSON text (as dumps() wrote it: "vr" first, a
    binary value as one InlineBinary or BulkDataURI string), at every depth, without decoding it: the Microsoft
    server's metadata (CopyWithoutBulkDataItems). As in text_with_bulk_urls, a quote inside a JSON string is escaped,
    so the patterns only ever meet members. Those after another member go first; then any left first in its object,
    with the comma after it."""
    return _BINARY_FIRST.sub("{", _BINARY_AFTER_ANOTHER.sub("", text))
