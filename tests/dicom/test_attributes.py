"""dicom/attributes.py: the one reader of a data set's headers, and the one test of a value holding several."""

from __future__ import annotations

from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.valuerep import PersonName

from mockservers.dicom.attributes import as_list, integer, is_multi_valued, text


def dataset() -> Dataset:
    ds = Dataset()
    ds.ImageType = ["ORIGINAL", "PRIMARY"]
    ds.WindowCenter = "40"
    ds.PatientName = "Doe^Jane"
    ds.PatientID = ""
    ds.Rows = 512
    ds.SeriesNumber = "7"
    return ds


def test_a_value_as_a_list():
    ds = dataset()
    assert isinstance(ds.ImageType, MultiValue) and is_multi_valued(ds.ImageType)
    assert as_list(ds.ImageType) == ["ORIGINAL", "PRIMARY"]
    assert not is_multi_valued(ds.WindowCenter) and as_list(ds.WindowCenter) == [ds.WindowCenter]
    assert not is_multi_valued("A\\B"), "a string is one value"
    assert as_list(None) == [] and as_list([1.5, 2]) == [1.5, 2]


def test_a_header_as_text():
    ds = dataset()
    assert text(ds, "ImageType") == "ORIGINAL\\PRIMARY"
    assert isinstance(ds.PatientName, PersonName) and text(ds, "PatientName") == "Doe^Jane"
    assert text(ds, "PatientID") is None, "empty is absent"
    assert text(ds, "StudyDate") is None
    assert text(ds, "Rows") == "512"


def test_a_header_as_an_integer():
    ds = dataset()
    assert integer(ds, "Rows") == 512 and integer(ds, "SeriesNumber") == 7
    assert integer(ds, "PatientName") is None and integer(ds, "PatientID") is None
    assert integer(ds, "Columns") is None
