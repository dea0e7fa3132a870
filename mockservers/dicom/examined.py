"""A Part-10 file read once, before the transaction: its checks, its DICOM JSON, and the headers the index reads."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset

from mockservers.dicom import dicomjson
from mockservers.dicom.attributes import integer, tag_of, text
from mockservers.dicom.part10 import NotDicomError, read_raw, read_unconverted

# text() and integer() of a header, by what its value is made of (see dicomjson.memory_key): a STOW's files share
# most values, and converting one in pydicom costs more than the lookup
_read = dicomjson.Memory(4096)


@dataclass
class Examined:
    """What a Part-10 file says by itself, without the state: it can be worked out before the transaction."""

    data: bytes
    ds: Dataset | None = None
    error: str | None = None  # why it is not DICOM
    meta: str | None = None  # its DICOM JSON
    meta_error: str | None = None  # why it has none
    unconverted: Dataset | None = field(default=None, repr=False)  # see raw
    charset: Any = field(default=None, repr=False)  # the data set's, once a header needs it
    key: str | None = None  # its key in the blob store, once staged
    staged: str | None = None  # the file written beside its place before the transaction (BlobStore.stage)

    @property
    def raw(self) -> Dataset:
        """The data set with its values unconverted, as the file holds them, the pixels left out (for
        validation.check): read_raw(data), kept from examine()'s one read."""
        if self.unconverted is None:
            self.unconverted = read_raw(self.data)
        return self.unconverted

    def text(self, keyword: str) -> str | None:
        """attributes.text(ds, keyword)."""
        return self._header(keyword, text)

    def integer(self, keyword: str) -> int | None:
        """attributes.integer(ds, keyword)."""
        return self._header(keyword, integer)

    def _header(self, keyword: str, read: Callable[[Dataset, str], Any]) -> Any:
        ds = self.ds
        assert ds is not None  # a file read without error
        tag = tag_of(keyword)
        elements = cast("Mapping[int, Any]", ds._dict)  # keyed by BaseTag, an int
        raw = elements.get(tag) if tag is not None else None
        if not isinstance(raw, RawDataElement):
            return read(ds, keyword)
        if self.charset is None:
            self.charset = dicomjson.charset_of(ds)
        made_of = dicomjson.memory_key(raw, self.charset)
        if made_of is None:
            return read(ds, keyword)
        key = (read, made_of)
        value = _read.get(key)
        if value is dicomjson.Memory.FORGOTTEN:
            value = read(ds, keyword)
            _read.keep(key, value)
        return value


def examine(data: bytes, max_inflated: int) -> Examined:
    """The file read once: its checks (part10), its DICOM JSON, its values before the pixel data as read."""
    try:
        ds, before_pixels = read_unconverted(data, max_inflated=max_inflated)
    except NotDicomError as exc:
        return Examined(data, error=str(exc))
    try:
        meta = dicomjson.dumps(dicomjson.read_metadata(ds))
    except dicomjson.Unconvertible as exc:
        return Examined(data, error=str(exc))
    except Exception as exc:  # a value pydicom cannot put in DICOM JSON
        return Examined(data, ds, meta_error=f"unreadable DICOM data ({type(exc).__name__}: {exc})")
    return Examined(data, ds, meta=meta, unconverted=before_pixels)
