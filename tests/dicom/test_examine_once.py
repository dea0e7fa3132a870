"""examine() reads a file once and converts each value once (or takes a value's DICOM JSON from memory): it must
say exactly what reading the file whole, converting every value and building its DICOM JSON said."""

from __future__ import annotations

import glob
import os
import pathlib
import warnings

import pydicom.data
import pytest

from mockservers.dicom import attributes, dicomjson
from mockservers.dicom.archive import examine
from mockservers.dicom.part10 import NotDicomError, read_part10, read_raw
from mockservers.dicom.synthetic import image_dataset, to_part10
from tests.dicom.files import study_files

LIMIT = 256 * 1024 * 1024
PYDICOM_FILES = sorted(
    path
    for folder in ("test_files", "charset_files")  # pydicom's own test files, and its character set files
    for path in glob.glob(os.path.join(os.path.dirname(pydicom.data.__file__), folder, "*.dcm"))
)
FILES = {os.path.basename(p): pathlib.Path(p).read_bytes() for p in PYDICOM_FILES} | study_files()
FILES["truncated CT"] = FILES["CT_small.dcm"][:-100]
# the same bytes of a name in two character sets: Latin-1 "Äé", Cyrillic "Фщ"
for charset, codec in (("ISO_IR 100", "latin_1"), ("ISO_IR 144", "iso8859_5")):
    name = b"\xc4\xe9".decode(codec)
    FILES[charset] = to_part10(image_dataset(0, 0, SpecificCharacterSet=charset, PatientName=name))


def _read_whole(data: bytes) -> tuple[str | None, str | None, str | None]:
    """The way examine() worked before: error, DICOM JSON, or why there is none."""
    try:
        ds = read_part10(data, max_inflated=LIMIT)
    except NotDicomError as exc:
        return str(exc), None, None
    try:
        return None, dicomjson.dumps(dicomjson.metadata(ds)), None
    except Exception as exc:
        return None, None, f"unreadable DICOM data ({type(exc).__name__}: {exc})"


def _raw_elements(ds) -> list:
    return [ds.get_item(tag) for tag in list(ds.keys())]  # not ds: iterating it converts the values


@pytest.mark.parametrize("name", sorted(FILES))
def test_examine_says_what_reading_the_file_whole_says(name):
    data = FILES[name]
    expected = _read_whole(data)
    for _ in range(2):  # the second time, the values' JSON comes from memory
        examined = examine(data, LIMIT)
        assert (examined.error, examined.meta, examined.meta_error) == expected
    if examined.error is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # what pydicom says of the file while reading it again
            raw = read_raw(data)
        assert _raw_elements(examined.raw) == _raw_elements(raw)
        assert examined.ds is not None and examined.ds.get("SOPInstanceUID") == raw.get("SOPInstanceUID")


def test_a_remembered_value_is_only_taken_for_the_same_bytes_character_set_and_encoding():
    expected = {name: _read_whole(data) for name, data in FILES.items()}
    for name in [*FILES, *reversed(FILES)]:
        examined = examine(FILES[name], LIMIT)
        assert (examined.error, examined.meta, examined.meta_error) == expected[name], name


INDEXED = [a.keyword for a in attributes.BY_KEYWORD.values() if a.column] + ["MediaStorageSOPClassUID", "PixelData"]


def test_the_headers_the_index_reads_are_what_pydicom_converts():
    """Examined.text and .integer take a header's text from memory when its bytes, character set and encoding were
    converted before: each says what attributes.text and .integer say of the file read whole, either way."""
    for name in [*FILES, *reversed(FILES)]:
        examined = examine(FILES[name], LIMIT)
        if examined.ds is None:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            whole = read_part10(FILES[name], max_inflated=LIMIT)
        for keyword in INDEXED:
            for ours, theirs in ((examined.text, attributes.text), (examined.integer, attributes.integer)):
                try:
                    expected: object = theirs(whole, keyword)
                except Exception as exc:
                    expected = type(exc)
                try:
                    got: object = ours(keyword)
                except Exception as exc:
                    got = type(exc)
                assert got == expected, (name, keyword)


def test_a_full_memory_forgets_everything_and_a_reader_gets_forgotten_not_an_error():
    memory = dicomjson.Memory(2)
    memory.keep(("a",), None)  # None is a value remembered (pydicom could not convert it), not a forgotten one
    memory.keep(("b",), {"vr": "CS"})
    assert memory.get(("a",)) is None and memory.get(("b",)) == {"vr": "CS"}
    memory.keep(("c",), 1)
    assert memory.get(("a",)) is dicomjson.Memory.FORGOTTEN and memory.get(("b",)) is dicomjson.Memory.FORGOTTEN
    assert memory.get(("c",)) == 1
