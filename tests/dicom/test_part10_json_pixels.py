"""Part-10 checks, DICOM JSON without bulk data, UIDs, frames and transcoding."""

from __future__ import annotations

import pydicom
import pytest

from mockservers.dicom import dicomjson, pixels
from mockservers.dicom.archive import invalid_searchable, normalize_name
from mockservers.dicom.errors import DicomWebError
from mockservers.dicom.part10 import NotDicomError, read_part10
from mockservers.dicom.synthetic import image_dataset, rle_part10, to_part10
from mockservers.dicom.uids import is_valid_uid
from tests.dicom.files import dataset, pydicom_file

LIMIT = 256 * 1024 * 1024


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "the file is empty"),
        (b"hello", "not a DICOM Part-10 file"),
        (to_part10(image_dataset(0, 0))[:-100], "the file is truncated: element (7FE0,0010)"),
        (rle_part10(image_dataset(0, 0, frames=2))[:-40], "encapsulated pixel data has no end delimiter"),
        (pydicom_file("rtplan_truncated.dcm"), "the file is truncated"),
    ],
)
def test_unreadable_files_say_why(data, reason):
    with pytest.raises(NotDicomError) as err:
        read_part10(data, max_inflated=LIMIT)
    assert reason in str(err.value)


@pytest.mark.parametrize(
    "name",
    [
        "CT_small.dcm",
        "MR_small_RLE.dcm",
        "JPEG2000.dcm",
        "rtdose.dcm",
        "rtplan.dcm",
        "MR_small_implicit.dcm",
        "SC_rgb_rle_2frame.dcm",
        "image_dfl.dcm",
    ],
)
def test_pydicom_files_read(name):
    assert read_part10(pydicom_file(name), max_inflated=LIMIT).SOPInstanceUID


@pytest.mark.parametrize(
    "uid, valid",
    [
        ("1.2.840.10008.1.2", True),
        ("0", True),
        ("1.02", False),
        ("1.2.", False),
        ("1.a", False),
        ("1." + "2" * 63, False),
        ("", False),
    ],
)
def test_uid_syntax(uid, valid):
    assert is_valid_uid(uid) is valid


def test_metadata_gives_pixel_data_as_a_relative_bulk_data_uri():
    meta = dicomjson.metadata(dataset(pydicom_file("CT_small.dcm")))
    assert meta["7FE00010"] == {"vr": "OW", "BulkDataURI": "frames/1"}
    assert dicomjson.with_bulk_urls(dict(meta), "http://h/studies/1/series/2/instances/3")["7FE00010"] == {
        "vr": "OW",
        "BulkDataURI": "http://h/studies/1/series/2/instances/3/frames/1",
    }
    assert "7FE00010" not in dicomjson.without_bulk(dicomjson.metadata(dataset(pydicom_file("CT_small.dcm"))))
    assert meta["00100010"] == {"vr": "PN", "Value": [{"Alphabetic": "CompressedSamples^CT1"}]}
    assert meta["00280030"]["vr"] == "DS"


def test_element_shapes():
    assert dicomjson.element(0x00201208, 3) == {"vr": "IS", "Value": [3]}
    assert dicomjson.element(0x00100010, None) == {"vr": "PN"}
    assert dicomjson.resolve("PatientID") == dicomjson.resolve("00100020") == 0x00100020
    assert dicomjson.resolve("NoSuchKeyword") is None


def test_names_normalised_for_matching():
    assert normalize_name("Müller^José") == "MULLER JOSE"


def test_invalid_searchable_values():
    ds = image_dataset(0, 0, StudyDate="2024-13-01", PatientID="x" * 65)
    assert invalid_searchable(ds, ("StudyDate", "PatientID", "Modality")) == ["StudyDate", "PatientID"]


def _saved(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_frames_native_and_encapsulated(tmp_path):
    ds = image_dataset(0, 0, "MR", frames=3)
    native_file = _saved(tmp_path, "native", to_part10(ds))
    native, ts = pixels.frames(native_file, [2], "*")
    assert ts == "1.2.840.10008.1.2.1" and native[0] == ds.pixel_array[1].tobytes()
    assert pixels.native_layout(native_file) is not None  # read where they lie, not parsed
    with pytest.raises(DicomWebError) as err:
        pixels.frames(native_file, [4], "*")
    assert err.value.status == 404
    rle = _saved(tmp_path, "rle", rle_part10(ds))
    assert pixels.native_layout(rle) is None
    encapsulated, ts = pixels.frames(rle, [3], "*")
    assert ts == "1.2.840.10008.1.2.5" and encapsulated[0][:4] != native[0][:4]
    decoded, ts = pixels.frames(rle, [3], "1.2.840.10008.1.2.1")
    assert decoded[0] == ds.pixel_array[2].tobytes()
    with pytest.raises(DicomWebError) as err:
        pixels.frames(rle, [4], "*")
    assert err.value.status == 404


@pytest.mark.parametrize("implicit, rows", [(False, 8), (True, 8), (False, 64), (True, 64)])
def test_native_frames_read_in_place_match_pydicom(tmp_path, implicit, rows):
    """In both VR encodings, small and larger images: the same bytes as pydicom's own PixelData, frame by frame."""
    ds = pydicom.dcmread(
        __import__("io").BytesIO(to_part10(image_dataset(1, 0, "MR", frames=2, rows=rows, columns=rows)))
    )
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2" if implicit else "1.2.840.10008.1.2.1"
    out = __import__("io").BytesIO()
    ds.save_as(out, implicit_vr=implicit, little_endian=True, enforce_file_format=True)
    path = _saved(tmp_path, "f", out.getvalue())
    found, ts = pixels.frames(path, [2, 1], "*")
    size = len(ds.PixelData) // 2
    assert found == [ds.PixelData[size:], ds.PixelData[:size]]
    assert ts == ("1.2.840.10008.1.2" if implicit else "1.2.840.10008.1.2.1")


def test_transcoding_to_uncompressed_and_jpeg2000_lossless_only():
    rle = rle_part10(image_dataset(0, 0, "MR"))
    out = pydicom.dcmread(__import__("io").BytesIO(pixels.transcode(rle, "1.2.840.10008.1.2.5", "1.2.840.10008.1.2")))
    assert out.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2"
    j2k = pixels.transcode(rle, "1.2.840.10008.1.2.5", "1.2.840.10008.1.2.4.90")
    assert pydicom.dcmread(__import__("io").BytesIO(j2k)).file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.4.90"
    with pytest.raises(DicomWebError) as err:
        pixels.transcode(rle, "1.2.840.10008.1.2.5", "1.2.840.10008.1.2.4.50")
    assert (err.value.status, err.value.message) == (406, "The specified transcoding is not supported.")


def test_transcoding_keeps_the_instance_and_relabels_one_without_pixels():
    ds = image_dataset(0, 0, "CT")
    del ds.PixelData
    out = pydicom.dcmread(
        __import__("io").BytesIO(pixels.transcode(to_part10(ds), "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.4.90"))
    )
    assert out.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.4.90" and "PixelData" not in out
    assert out.SOPInstanceUID == out.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID


def test_bulk_urls_on_stored_text_match_the_decoded_walk():
    import copy
    import json

    from mockservers.dicom import dicomjson

    item = {
        "00080018": {"vr": "UI", "Value": ["1.2.3"]},
        "00081030": {"vr": "LO", "Value": ['"BulkDataURI":"not a key']},  # a value that looks like the key
        "00091010": {"vr": "OB", "BulkDataURI": "bulkdata/00091010"},
        "00400275": {"vr": "SQ", "Value": [{"00091011": {"vr": "OB", "BulkDataURI": "bulkdata/00400275/0/00091011"}}]},
        "7FE00010": {"vr": "OB", "BulkDataURI": "https://elsewhere.example/pixels"},  # absolute: left alone
    }
    url = "http://127.0.0.1:8080/msdicom/v2/studies/1/series/2/instances/3"
    walked = dicomjson.dumps(dicomjson.with_bulk_urls(copy.deepcopy(item), url))
    assert dicomjson.text_with_bulk_urls(dicomjson.dumps(item), url) == walked
    decoded = json.loads(walked)
    assert decoded["00091010"]["BulkDataURI"] == url + "/bulkdata/00091010"
    assert decoded["00400275"]["Value"][0]["00091011"]["BulkDataURI"] == url + "/bulkdata/00400275/0/00091011"
    assert decoded["7FE00010"]["BulkDataURI"] == "https://elsewhere.example/pixels"
    assert decoded["00081030"]["Value"] == ['"BulkDataURI":"not a key']
