"""What the Medical Imaging Server for DICOM checks in a stored data set, as its code does it
(microsoft/dicom-server, src/Microsoft.Health.Dicom.Core/Features/Store/StoreDatasetValidator.cs and
Features/Validation/): the required attributes and the study of the URL; then v1 ("index") refuses an instance
whose searchable attribute breaks the server's minimum rules, and v2 ("lenient") refuses only on a required
attribute and warns of any attribute fo-dicom's own validation (FellowOakDicom.DicomValidation) refuses.

Each problem is an ErrorComment, `DICOM100: (gggg,eeee) - message`, the messages word for word. The values are
read as the file holds them (pydicom's raw elements: trailing nulls and spaces kept), as fo-dicom reads them."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from pydicom.charset import decode_bytes
from pydicom.datadict import dictionary_description, dictionary_VM, dictionary_VR, keyword_for_tag
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset

from mockservers.dicom.part10 import item

STUDY_UID, SERIES_UID, SOP_UID, SOP_CLASS, PATIENT_ID = 0x0020000D, 0x0020000E, 0x00080018, 0x00080016, 0x00100020
# StoreDatasetValidator.RequiredCoreTags: a problem with one refuses the instance (v2)
REQUIRED = (STUDY_UID, SERIES_UID, SOP_UID, PATIENT_ID, SOP_CLASS)
# ...RequiredV2CoreTags: never dropped from the metadata
KEPT = (STUDY_UID, SERIES_UID, SOP_UID)
# QueryLimit.CoreFilterTags, in their order: what v1 validates
SEARCHABLE = (
    0x00080020,  # StudyDate
    STUDY_UID,
    0x00081030,  # StudyDescription
    0x00080050,  # AccessionNumber
    PATIENT_ID,
    0x00100010,  # PatientName
    0x00080090,  # ReferringPhysicianName
    0x00100030,  # PatientBirthDate
    0x00080061,  # ModalitiesInStudy
    SERIES_UID,
    0x00080060,  # Modality
    0x00400244,  # PerformedProcedureStepStartDate
    0x00081090,  # ManufacturerModelName
    SOP_UID,
)
TEXT_VRS = {"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI", "UR", "UT"}
SINGLE_VALUE_VRS = {"LT", "ST", "UT", "UR"}  # never split on a backslash
PLAIN_TEXT_VRS = TEXT_VRS - {"PN", "IS", "DS", "UI"}  # their DICOM JSON Values are the strings themselves
ENCODED_VRS = {"SH", "LO", "ST", "LT", "PN", "UC", "UT"}  # decoded with the data set's character set
NO_VM_CHECK_VRS = {"OB", "OW", "OL", "OD", "OF", "OV", "UN", "SQ"}
VALUE_SIZE = {"AT": 4, "FD": 8, "FL": 4, "SL": 4, "SS": 2, "SV": 8, "UL": 4, "US": 2, "UV": 8}

MISSING = "The required tag '{tag}' is missing."
STUDY_MISMATCH = "The StudyInstanceUid in the payload does not match the specified StudyInstanceUid."
UID_INVALID = (
    "DICOM Identifier is invalid. Value length should not exceed the maximum length of 64 characters. Value should "
    "contain characters in '0'-'9' and '.'. Each component must start with non-zero number."
)


def tag_text(tag: int) -> str:
    """fo-dicom's DicomTag.ToString(): lower-case hex."""
    return f"({tag >> 16:04x},{tag & 0xFFFF:04x})"


def comment(tag: int, message: str) -> str:
    """StoreValidationResultBuilder's ErrorMessageFormat, `DICOM{0}: {1} - {2}` with ErrorNumbers.ValidationFailure."""
    return f"DICOM100: {tag_text(tag)} - {message}"


class Invalid(Exception):
    """A message as the server's exception gives it (its Message)."""


def _is_control(c: str) -> bool:
    return unicodedata.category(c) == "Cc" and c != "\x1b"


def _content(content: str, vr: str, message: str) -> Invalid:
    """fo-dicom's DicomValidationException."""
    return Invalid(f'Content "{content}" does not validate VR {vr}: {message}')


# ---- fo-dicom's DicomValidation, per VR -------------------------------------------------------


def _ae(v: str) -> None:
    if len(v) > 16:
        raise _content(v, "AE", "value exceeds maximum length of 16 characters")
    if re.fullmatch(r"\s*", v):
        raise _content(v, "AE", "value may not consist only of spaces")
    if "\\" in v or any(unicodedata.category(c) == "Cc" for c in v):
        raise _content(v, "AE", "value contains invalid control character")


def _as(v: str) -> None:
    if v and not re.fullmatch(r"\d\d\d[DWMY]", v):
        raise _content(v, "AS", "value does not have pattern 000[DWMY]")


def _cs(v: str) -> None:
    if len(v) > 16:
        raise _content(v, "CS", "value exceeds maximum length of 16 characters")
    if not re.fullmatch(r"[A-Z0-9_ ]*", v):
        raise _content(
            v,
            "CS",
            "value contains invalid character. Only uppercase character, digits, space and underscore alre allowed",
        )


def _range(v: str, vr: str) -> list[str]:
    """A date's or time's one value or two (a range, as a query has): each without trailing spaces, empty left out."""
    components = v.split("-")
    if len(components) > 2:
        raise _content(v, vr, "value contains too many range separators '-'")
    return [c for c in (c.rstrip(" ") for c in components) if c]


def _da(v: str) -> None:
    for component in _range(v, "DA"):
        if not re.fullmatch(r"\d{8}", component):
            raise _content(v, "DA", "one of the date values does not match the pattern YYYYMMDD")
        if int(component[4:6]) > 12:
            raise _content(v, "DA", "month component exceeds the value 12")
        if int(component[6:8]) > 31:
            raise _content(v, "DA", "day component exceeds the value 31")


def _ds(v: str) -> None:
    if len(v) > 16:
        raise _content(v, "DS", "value exceeds maximum length of 16 characters")
    v = v.strip()
    if not re.fullmatch(r"[+-]?((\d+(\.\d*)?)|(\.\d+))([eE][-+]?\d+)?", v):
        raise _content(v, "DS", "value is no decimal string")


def _dt(v: str) -> None:
    """The common cases of fo-dicom's ValidateDT: one value or a range, each YYYY[MM[DD[HH[MM[SS[.F]]]]]][&ZZXX]."""
    pattern = r"\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?)?)?)?([+-]\d{4})?"
    components = v.split("-") if not re.search(r"\d[+-]\d{4}$", v) else [v]
    if len(components) > 2:
        raise _content(v, "DT", "value contains too many range separators '-'")
    for component in (c.rstrip(" ") for c in components):
        if component and not re.fullmatch(pattern, component):
            raise _content(v, "DT", "value does not mach pattern YYYY[MM[DD[HH[MM[SS[.F{1-6}]]]]]]")


def _is(v: str) -> None:
    if not v:
        return
    v = v.strip(" ")
    if not re.fullmatch(r"[+-]?\d+", v):
        raise _content(v, "IS", "value is not an integer string")
    if not -(2**31) <= int(v) < 2**31:
        raise _content(v, "IS", "value too large to fit 32 bit integer")


def _lo(v: str) -> None:
    if not v:
        return
    if len(v) > 64:
        raise _content(v, "LO", "value exceeds maximum length of 64 characters")
    if "\\" in v or any(_is_control(c) for c in v):
        raise _content(v, "LO", "value contains invalid character")


def _lt(v: str) -> None:
    if len(v) > 10240:
        raise _content(v, "LT", "value exceeds maximum length of 10240 characters")


def _name_problem(v: str) -> str | None:
    """What breaks a person name, as fo-dicom and the server both check it, in their order: too many groups, a
    group too long, a control character, too many components."""
    groups = v.split("=")
    if len(groups) > 3:
        return "groups"
    for group in groups:
        if len(group) > 64:
            return "length"
        if any(_is_control(c) for c in group):
            return "control"
    return "components" if any(len(g.split("^")) > 5 for g in groups) else None


PN_MESSAGES = {  # fo-dicom's
    "groups": "value contains too many groups",
    "length": "value exceeds maximum length of 64 characters",
    "control": "value contains invalid control character",
    "components": "value contains too many components",
}


def _pn(v: str) -> None:
    problem = _name_problem(v) if v else None
    if problem:
        raise _content(v, "PN", PN_MESSAGES[problem])


def _sh(v: str) -> None:
    if "\\" in v or any(_is_control(c) for c in v):
        raise _content(v, "SH", "value contains invalid character")
    if len(v) > 16:
        raise _content(v, "SH", "value exceeds maximum length of 16 characters")


def _st(v: str) -> None:
    if len(v) > 1024:
        raise _content(v, "ST", "value exceeds maximum length of 1024 characters")


def _tm(v: str) -> None:
    for component in _range(v, "TM"):
        if not re.fullmatch(r"\d{2}|\d{4}|\d{6}|\d{6}\.\d{1,6}", component):
            raise _content(v, "TM", "value does not mach pattern HH or HHMM or HHMMSS or HHMMSS.F{1-6}")
        for start, limit, name in ((0, 23, "hour"), (2, 59, "minutes"), (4, 60, "seconds")):
            if len(component) >= start + 2 and int(component[start : start + 2]) > limit:
                raise _content(v, "TM", f"{name} component exceeds {limit}")


def _ui(v: str) -> None:
    v = v.rstrip(" ")
    if not v:
        return
    if len(v) > 64:
        raise _content(v, "UI", "value exceeds maximum length of 64 characters")
    if not re.fullmatch(r"[0-9.]*", v):
        raise _content(v, "UI", "value contains invalid characters other than '0'-'9' and '.'")
    if v.startswith("0") or re.search(r"[.]0\d", v):
        raise _content(v, "UI", "components must not have leading zeros")
    if v.startswith(".") or ".." in v or v.endswith("."):
        raise _content(v, "UI", "a component can not be empty")


FO_DICOM: dict[str, Callable[[str], None]] = {
    "AE": _ae,
    "AS": _as,
    "CS": _cs,
    "DA": _da,
    "DS": _ds,
    "DT": _dt,
    "IS": _is,
    "LO": _lo,
    "LT": _lt,
    "PN": _pn,
    "SH": _sh,
    "ST": _st,
    "TM": _tm,
    "UI": _ui,
}


# ---- the server's minimum rules (ElementMinimumValidator), on the first value ------------------


def _element(name: str, vr: str, message: str) -> Invalid:
    """The server's ElementValidationException."""
    return Invalid(f"Dicom element '{name}' failed validation for VR '{vr}': {message}")


def _max_length(limit: int) -> Callable[[str, str, str], None]:
    def check(name: str, vr: str, v: str) -> None:
        if len(v) > limit:
            raise _element(name, vr, f"Value length exceeds maximum length of {limit}.")

    return check


def _min_da(name: str, vr: str, v: str) -> None:
    try:
        valid = bool(re.fullmatch(r"\d{8}", v)) and datetime.strptime(v, "%Y%m%d") is not None
    except ValueError:
        valid = False
    if not valid:
        raise _element(name, "DA", "Value cannot be parsed as a valid date.")


def _min_lo(name: str, vr: str, v: str) -> None:
    _max_length(64)(name, "LO", v)
    if "\\" in v or any(_is_control(c) for c in v):
        raise _element(name, "LO", "Value contains invalid character.")


MIN_PN_MESSAGES = {  # the server's (ValidationErrorCodeExtensions, DicomCoreResource.resx)
    "groups": "Value contains more than 3 groups.",
    "length": "One or more group of person name exceeds maxium length of 64.",
    "control": "Value contains invalid character.",
    "components": "Value contains more than 5 components.",
}


def _min_pn(name: str, vr: str, v: str) -> None:
    problem = _name_problem(v)
    if problem:
        raise _element(name, "PN", MIN_PN_MESSAGES[problem])


def _min_ui(name: str, vr: str, v: str) -> None:
    v = v.rstrip(" ")
    if len(v) > 64 or not re.fullmatch(r"[0-9.]*[0-9]", v):
        raise _element(name, "UI", UID_INVALID)


MINIMUM: dict[str, Callable[[str, str, str], None]] = {
    "AE": _max_length(16),
    "CS": _max_length(16),
    "SH": _max_length(16),
    "DA": _min_da,
    "LO": _min_lo,
    "PN": _min_pn,
    "UI": _min_ui,
}


def is_valid_uid(value: str | None) -> bool:
    """UidValidation.IsValid: trailing spaces allowed, at most 64 characters of digits and dots ending in a digit
    (leading zeros allowed)."""
    if not value:
        return False
    value = value.rstrip(" ")
    return len(value) <= 64 and bool(re.fullmatch(r"[0-9.]*[0-9]", value))


# ---- the data set as fo-dicom reads it --------------------------------------------------------


class Element(NamedTuple):  # a tuple: hashed in C, as the caches of its checks hash it on every element
    tag: int
    vr: str
    text: str | None  # a text VR's value, its padding removed (fo-dicom's StringValue); None for other VRs
    values: int  # its number of values


def _vr_of(raw: RawDataElement) -> str:
    if raw.VR:
        return str(raw.VR)
    if raw.tag.is_private:
        return "UN"  # implicit VR: fo-dicom knows no private VR either
    try:
        return dictionary_VR(raw.tag).split(" or ")[0]
    except KeyError:
        return "UN"


def _element_of(ds: Dataset, tag: int, charsets: dict[int, Any] | None = None) -> Element | None:
    """`charsets`: the character set of each data set (by id) that needed it so far, for a caller that reads many of
    its elements (found when first needed, as then its SpecificCharacterSet is converted)."""
    return _element_read(ds, tag, item(ds, tag), charsets)


def _element_read(
    ds: Dataset, tag: int, raw: DataElement | RawDataElement | None, charsets: dict[int, Any] | None
) -> Element | None:
    """_element_of, given ds.get_item(tag)."""
    if raw is None:
        return None
    if not isinstance(raw, RawDataElement):  # converted already (a data set built in memory)
        vr, value = raw.VR, raw.value
        text = (
            None
            if vr not in TEXT_VRS
            else "\\".join(str(v) for v in value)
            if isinstance(value, list)
            else str(value if value is not None else "")
        )
        return Element(tag, vr, text, len(value) if isinstance(value, list) else int(value not in (None, "")))
    vr, value = _vr_of(raw), raw.value or b""
    if vr in TEXT_VRS:
        charset: str | tuple[str, ...]
        if vr not in ENCODED_VRS:
            charset = "iso8859"
        elif charsets is None:
            charset = _charset_of(ds)
        else:
            charset = charsets.get(id(ds)) or charsets.setdefault(id(ds), _charset_of(ds))
        return _text_element(tag, vr, value, charset)
    return Element(tag, vr, None, len(value) // VALUE_SIZE[vr] if vr in VALUE_SIZE else 1)


def _charset_of(ds: Dataset) -> str | tuple[str, ...]:
    charset = ds._character_set
    return charset if isinstance(charset, str) else tuple(charset)


@functools.lru_cache(maxsize=2048)
def _text_element(tag: int, vr: str, value: bytes, charset: str | tuple[str, ...]) -> Element:
    """A text value decoded as fo-dicom reads it; the same bytes decode alike (a STOW's files share most values)."""
    encodings = [charset] if isinstance(charset, str) else list(charset)
    text = decode_bytes(value, encodings, set()).rstrip("\0" if vr == "UI" else " ")
    count = 1 if vr in SINGLE_VALUE_VRS else (len(text.split("\\")) if text else 0)
    return Element(tag, vr, text, count)


def _walk(ds: Dataset) -> Iterator[tuple[Dataset, Element]]:
    """Every element but a sequence, in the order StoreDatasetValidator's stack visits them: a data set's own
    elements first, its sequences' items after it, the last pushed first."""
    stack = [ds]
    charsets: dict[int, Any] = {}
    while stack:
        current = stack.pop()
        for tag in list(current.keys()):
            raw = item(current, tag)  # looked up by the key's own object, which the dictionary finds at once
            if (raw.VR if raw is not None else None) == "SQ" or (
                isinstance(raw, RawDataElement) and raw.VR is None and _vr_of(raw) == "SQ"
            ):
                stack.extend(current[tag].value or [])
                continue
            element = _element_read(current, int(tag), raw, charsets)
            if element is not None:
                yield current, element


def _name(tag: int) -> str:
    return keyword_for_tag(tag) or tag_text(tag)


def _fo_dicom_validate(e: Element) -> None:
    """DicomElement.Validate(): each value by its VR, then the value multiplicity."""
    check = FO_DICOM.get(e.vr)
    if e.text is not None and check is not None:
        for value in [e.text] if e.vr in SINGLE_VALUE_VRS else (e.text.split("\\") if e.text else []):
            check(value)
    if e.vr in NO_VM_CHECK_VRS or (e.tag >> 16) % 2 or e.values == 0:
        return
    try:
        vm = dictionary_VM(e.tag)
        description = dictionary_description(e.tag)
    except KeyError:
        return
    low, _, high = vm.partition("-")
    minimum = int(low)
    maximum = minimum if not high else 2**31 if high.endswith("n") else int(high)
    if not minimum <= e.values <= maximum:
        raise _content(
            f"{tag_text(e.tag)} {e.vr} {description}",
            e.vr,
            f"Number of items {e.values} does not match ValueMultiplicity {vm}",
        )


def _minimum(e: Element, strict: bool) -> None:
    """DicomDatasetExtensions.ValidateDicomTag: the dictionary's VR, then the minimum rule on the first value
    (ValidationLevel.Default drops its trailing nulls first)."""
    expected = dictionary_VR(e.tag).split(" or ")[0]
    if e.vr != expected:
        name = _name(e.tag)
        raise _element(
            name, e.vr, f"The extended query tag '{name}' is expected to have VR '{expected}' but has '{e.vr}' in file."
        )
    rule = MINIMUM.get(e.vr)
    first = (e.text or "").split("\\")[0]
    if not strict:
        first = first.rstrip("\0")
    if rule is not None and first:
        rule(_name(e.tag), e.vr, first)


def null_padded(ds: Dataset) -> dict[str, list[str]]:
    """The top-level string values written with trailing nulls, as DICOM JSON Values that keep them: the v2
    conformance statement's "stored as is in dicom+json metadata" (pydicom's reading strips them). Names, numbers
    and UIDs (whose padding is a null) are left as pydicom gives them."""
    kept = {}
    charsets: dict[int, Any] = {}
    for tag in list(ds.keys()):  # the tags alone: iterating the data set would convert its values
        raw = item(ds, tag)
        if isinstance(raw, RawDataElement) and isinstance(raw.value, bytes) and b"\0" not in raw.value:
            continue  # no character set decodes a null from anything but a zero byte
        e = _element_read(ds, int(tag), raw, charsets)
        if e is not None and e.text and e.text.endswith("\0") and e.vr in PLAIN_TEXT_VRS:
            kept[f"{e.tag:08X}"] = [e.text] if e.vr in SINGLE_VALUE_VRS else e.text.split("\\")
    return kept


# ---- the checks of a STOW ---------------------------------------------------------------------


@dataclass
class Problems:
    """StoreValidationResult: each attribute's first problem (ErrorComment), and whether a required one failed."""

    comments: dict[int, str] = field(default_factory=dict)
    refused: bool = False  # a required attribute failed (v2), or any did (v1)

    def add(self, tag: int, message: str, required: bool = False) -> None:
        if tag not in self.comments:
            self.comments[tag] = comment(tag, message)
            self.refused = self.refused or required

    def dropped(self) -> list[int]:
        """The attributes v2 leaves out of the metadata and the index (StoreService.DropInvalidMetadata)."""
        return [tag for tag in self.comments if tag not in KEPT]


def check(ds: Dataset, study_in_path: str | None, lenient: bool) -> Problems:
    """StoreDatasetValidator.ValidateAsync on a data set read without converting its values: v1 (not lenient) the
    searchable attributes by the minimum rules, v2 (lenient) the required ones by them, every one by fo-dicom's."""
    problems = Problems()
    try:
        _required_present(ds, study_in_path, lenient)
    except Invalid as exc:
        tag, message = exc.args
        problems.add(tag, message, required=True)
    for tag in REQUIRED if lenient else SEARCHABLE:
        e = _element_of(ds, tag)
        try:
            if e is not None:
                _minimum(e, strict=not lenient)
        except Invalid as exc:
            problems.add(tag, str(exc), required=True)
    if lenient:
        for _, e in _walk(ds):
            problem = _lenient_problem(e)
            if problem is not None:
                problems.add(e.tag, problem)
    return problems


def _required_present(ds: Dataset, study_in_path: str | None, lenient: bool) -> None:
    """ValidateRequiredCoreTags and ValidatePatientId: the first problem, as Invalid(tag, message)."""
    values = {}
    for tag in (SOP_CLASS, STUDY_UID, SERIES_UID, SOP_UID):
        values[tag] = _value(ds, tag)
        if values[tag] is None:
            raise Invalid(tag, MISSING.format(tag=tag_text(tag)))
    study = values[STUDY_UID] or ""
    if study_in_path is not None and study.rstrip().lower() != study_in_path.rstrip().lower():
        raise Invalid(STUDY_UID, STUDY_MISMATCH)
    present = _element_of(ds, PATIENT_ID) is not None if lenient else _value(ds, PATIENT_ID) is not None
    if not present:
        raise Invalid(PATIENT_ID, MISSING.format(tag=tag_text(PATIENT_ID)))


def _value(ds: Dataset, tag: int) -> str | None:
    """fo-dicom's TryGetSingleValue<string>: the one value, if there is exactly one and it is not empty."""
    e = _element_of(ds, tag)
    return e.text if e is not None and e.text and e.values == 1 else None


@functools.lru_cache(maxsize=2048)
def _lenient_problem(e: Element) -> str | None:
    """_fo_dicom_leniently's message, or None: an element's problem is a function of the element alone."""
    try:
        _fo_dicom_leniently(e)
    except Invalid as exc:
        return str(exc)
    return None


def _fo_dicom_leniently(e: Element) -> None:
    """GenerateValidationWarnings' check of one element: an empty PatientID is missing; a value ending in nulls is
    judged without them (and as one string); any other by fo-dicom's DicomElement.Validate."""
    if e.tag == PATIENT_ID and not (e.text or "").strip():
        raise Invalid(MISSING.format(tag=tag_text(PATIENT_ID)))
    if e.text is not None and e.text.endswith("\0"):
        if e.vr in FO_DICOM:
            FO_DICOM[e.vr](e.text.rstrip("\0"))
    else:
        _fo_dicom_validate(e)
