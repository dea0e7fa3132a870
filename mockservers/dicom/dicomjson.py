"""DICOM JSON (PS3.18 Annex F) from pydicom, bulk data left out."""
from __future__ import annotations

import json
from typing import Any

from pydicom.datadict import dictionary_VR, keyword_for_tag, tag_for_keyword
from pydicom.dataset import Dataset
from pydicom.tag import Tag

BULK_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "UN"}
BULK_THRESHOLD = 1024  # bytes: a binary value larger than this is bulk data


def _strip_bulk(ds: Dataset) -> Dataset:
    out = Dataset()
    for elem in ds:
        if elem.tag.group == 0x7FE0 or (elem.VR in BULK_VRS and elem.value is not None
                                         and len(elem.value) > BULK_THRESHOLD):
            continue
        if elem.VR == "SQ":
            seq = [_strip_bulk(item) for item in elem.value]
            out.add_new(elem.tag, "SQ", seq)
        else:
            out.add(elem)
    return out


def metadata(ds: Dataset) -> dict[str, Any]:
    """The instance's attributes as DICOM JSON, without pixel data or other bulk data."""
    return _whole_numbers(_strip_bulk(ds).to_json_dict(bulk_data_threshold=BULK_THRESHOLD,
                                                       bulk_data_element_handler=lambda _elem: "",
                                                       suppress_invalid_tags=True))


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
