"""What DicomRetrieveMetadataTransactionTests.cs and DicomRetrieveMetadataETagTests.cs share: their
GenerateNewDataSet, PostDicomFileAsync and the comparison of metadata with the stored dataset minus its bulk data."""

from __future__ import annotations

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.tag import Tag

from tests.msdicom.conformance.conftest import body_json, series_path, study_path
from tests.msdicom.conformance.samples import random_instance, without_bulk_data


def new_dataset(ds: Dataset) -> Dataset:
    """GenerateNewDataSet, added to the stored file: a series description, bulk data at the top and inside a
    sequence item, a study date (the C# one is today's: a fixed day here) and an explicit-VR private LO."""
    ds.SeriesDescription = "A Test Series"
    ds.PixelData = bytes([1, 2, 3, 0])  # fo-dicom pads the three bytes to even length
    ds["PixelData"].VR = "OB"
    item = Dataset()
    item.PatientName = "Test^Patient"
    item.PixelData = bytes([1, 2, 3, 0])
    item["PixelData"].VR = "OB"
    ds.RegistrationSequence = Sequence([item])
    ds.StudyDate = "20240102"
    ds.add(DataElement(Tag(0x0007, 0x0008), "LO", "Private Tag"))
    return ds


def post(dw, uid, study, series=None, sop=None, extra: bool = True) -> Dataset:
    """PostDicomFileAsync: a random instance at the given level, with GenerateNewDataSet, stored single-part."""
    ds = random_instance(uid, study=study, series=series, sop=sop)
    if extra:
        new_dataset(ds)
    response = dw.store_one(ds)
    assert response.status_code == 200, response.get_data(as_text=True)
    return ds


def two_stored(dw, uid, level: str) -> tuple[Dataset, Dataset, str]:
    """Two PostDicomFileAsync calls at ResourceType.Study (same study) or .Series (same series), and the path of
    that study or series."""
    study, series = uid(), (uid() if level == "series" else None)
    first, second = post(dw, uid, study, series), post(dw, uid, study, series)
    return first, second, (series_path(first) if series else study_path(first))


def assert_metadata(response, *stored: Dataset):
    """ValidateResponseMetadataDatasetAsync / ValidateResponseMetadataDataset: 200, DICOM JSON, one item per
    instance (any order), each equal to its stored dataset without bulk data items."""
    assert response.status_code == 200
    assert response.mimetype == "application/dicom+json"
    items = body_json(response)
    expected = [without_bulk_data(ds) for ds in stored]
    assert len(items) == len(expected)
    for item in items:
        assert item in expected, item
