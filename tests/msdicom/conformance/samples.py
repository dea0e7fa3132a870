"""pydicom equivalents of the C# suite's Samples.* builders (Microsoft.Health.Dicom.Tests.Common), scaled down.

Every builder takes a `uid` callable (the `uid` fixture) so UIDs are a function of the test's name, never random.
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings

import numpy as np
import pydicom
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian, JPEG2000Lossless

MPEG2 = "1.2.840.10008.1.2.4.100"
HEVC_MAIN10 = "1.2.840.10008.1.2.4.108"
J2K = str(JPEG2000Lossless)
EXPLICIT = str(ExplicitVRLittleEndian)
IMPLICIT = str(ImplicitVRLittleEndian)

VALIDATION_FAILED = 43264  # ValidationHelpers.ValidationFailedFailureCode
ALREADY_EXISTS = 45070  # ValidationHelpers.SopInstanceAlreadyExistsFailureCode


def pixel_bytes(seed: str, size: int) -> bytes:
    """Deterministic noise, the stand-in for the C# RandomStream."""
    rng = np.random.default_rng(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "little"))
    return rng.integers(0, 256, size, dtype=np.uint8).tobytes()


def set_raw(ds: Dataset, keyword: str, text: str) -> None:
    """Write a value byte for byte, padded to even length the way fo-dicom pads (a null for UI, a space
    otherwise). pydicom strips a UID's trailing space and a string's trailing null when it writes, so the element
    gets a placeholder of the same length that part10() swaps for the wanted bytes."""
    from pydicom.datadict import dictionary_VR, tag_for_keyword

    tag = tag_for_keyword(keyword)
    vr = dictionary_VR(tag)
    data = text.encode("latin-1")
    if len(data) % 2:
        data += b"\0" if vr == "UI" else b" "
    overrides = ds.__dict__.setdefault("_raw_values", {})
    placeholder = "".join(chr(0x01 + (len(overrides) * 5 + i) % 0x1E) for i in range(len(data)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ds.add(DataElement(tag, vr, placeholder))
    overrides[tag] = (placeholder.encode("latin-1"), data)


def _plain(text: str) -> bool:
    return text == text.strip(" \0")


def random_instance(
    uid, study=None, series=None, sop=None, sop_class=None, patient_id=None, transfer_syntax=EXPLICIT
) -> Dataset:
    """Samples.CreateRandomInstanceDataset: the four UIDs, BitsAllocated 8, MONOCHROME2, PatientID and
    PatientName (both UIDs there too)."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = transfer_syntax
    ds.StudyInstanceUID = study if study is not None else uid()
    ds.SeriesInstanceUID = series if series is not None else uid()
    ds.SOPInstanceUID = sop if sop is not None else uid()
    ds.SOPClassUID = sop_class if sop_class is not None else uid()
    ds.BitsAllocated = 8
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.PatientID = patient_id if patient_id is not None else uid()
    ds.PatientName = uid()
    for keyword, text in (("StudyInstanceUID", study), ("PatientID", patient_id)):
        if text is not None and (not _plain(text) or "\0" in text):
            set_raw(ds, keyword, text)
    return ds


def with_random_pixels(ds: Dataset, rows: int = 8, columns: int = 8, frames: int = 1) -> Dataset:
    """Samples.AppendRandomPixelData: 8-bit unsigned monochrome frames of noise (native encoding)."""
    ds.Rows, ds.Columns, ds.BitsAllocated = rows, columns, 8
    ds.SamplesPerPixel, ds.PixelRepresentation, ds.BitsStored, ds.HighBit = 1, 0, 8, 7
    if frames != 1:
        ds.NumberOfFrames = frames
    ds.PixelData = pixel_bytes(ds.SOPInstanceUID, rows * columns * frames)
    ds["PixelData"].VR = "OB"
    return ds


def random_file_with_pixels(
    uid, study=None, series=None, sop=None, rows=8, columns=8, frames=1, transfer_syntax=EXPLICIT
) -> Dataset:
    """Samples.CreateRandomDicomFileWithPixelData."""
    return with_random_pixels(
        random_instance(uid, study, series, sop, transfer_syntax=transfer_syntax), rows, columns, frames
    )


def eight_bit_image(
    uid, study=None, series=None, sop=None, rows=16, columns=16, transfer_syntax=EXPLICIT, frames=1
) -> Dataset:
    """Samples.CreateRandomDicomFileWith8BitPixelData with encode: false: the native frames are declared in the
    given transfer syntax; for an encapsulated one (MPEG2, HEVC) each frame becomes one fragment, which no
    decoder can read ("might result in invalid images", as the C# doc says)."""
    ds = random_instance(uid, study, series, sop, transfer_syntax=transfer_syntax)
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"  # Secondary Capture
    ds.Rows, ds.Columns, ds.SamplesPerPixel = rows, columns, 1
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.NumberOfFrames = frames
    raw = pixel_bytes(ds.SOPInstanceUID, rows * columns * frames)
    if pydicom.uid.UID(transfer_syntax).is_encapsulated:
        size = rows * columns
        ds.PixelData = encapsulate([raw[i * size : (i + 1) * size] for i in range(frames)])
    else:
        ds.PixelData = raw
    ds["PixelData"].VR = "OB"
    return ds


def rgb_image(uid, rows: int = 32, columns: int = 32) -> Dataset:
    """The facts of the C# TestFiles/RetrieveTransactionResourceTests inputs (256x256 there): one RGB frame,
    8 bits, planar configuration 0, window 128/256, explicit VR little endian."""
    ds = random_instance(uid)
    for keyword in ("BitsAllocated", "PhotometricInterpretation", "PatientName"):
        delattr(ds, keyword)
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, "RGB", 0
    ds.NumberOfFrames, ds.Rows, ds.Columns = 1, rows, columns
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.WindowCenter, ds.WindowWidth = "128", "256"
    y, x = np.mgrid[0:rows, 0:columns]
    arr = np.stack([(x * 255 // columns), (y * 255 // rows), ((x + y) * 7) % 256], axis=-1).astype(np.uint8)
    ds.PixelData = arr.tobytes()
    ds["PixelData"].VR = "OB"
    return ds


def as_jpeg2000(ds: Dataset) -> Dataset:
    """The same image in JPEG 2000 lossless (RGB becomes YBR_RCT, as in the C# suite's files)."""
    ds = pydicom.dcmread(io.BytesIO(part10(ds)))
    ds.compress(JPEG2000Lossless, encoding_plugin="pylibjpeg", generate_instance_uid=False)
    ds.PhotometricInterpretation = "YBR_RCT"  # the encoder applied the reversible colour transform
    return ds


def jpeg_baseline(ds: Dataset) -> Dataset:
    """An RGB image as JPEG baseline (1.2.840.10008.1.2.4.50), one fragment per frame, encoded with Pillow."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(ds.pixel_array).save(buf, format="JPEG", quality=90)
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.50"
    ds.PixelData = encapsulate([buf.getvalue()])
    ds["PixelData"].VR = "OB"
    return ds


def part10(ds: Dataset) -> bytes:
    """The PS3.10 bytes, file meta filled in the way fo-dicom's DicomFile.Save does."""
    meta = ds.file_meta
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    buf = io.BytesIO()
    implicit = meta.TransferSyntaxUID == ImplicitVRLittleEndian
    with warnings.catch_warnings():  # the placeholders of set_raw are no valid values
        warnings.simplefilter("ignore", UserWarning)
        pydicom.dcmwrite(buf, ds, implicit_vr=implicit, little_endian=True, enforce_file_format=True)
    data = buf.getvalue()
    for tag, (placeholder, wanted) in ds.__dict__.get("_raw_values", {}).items():
        head = struct.pack("<HH", tag >> 16, tag & 0xFFFF) + (b"" if implicit else ds[tag].VR.encode())
        at = data.index(placeholder, data.index(head))
        data = data[:at] + wanted + data[at + len(placeholder) :]
    return data


def read(data: bytes) -> Dataset:
    return pydicom.dcmread(io.BytesIO(data))


def frame_bytes(ds: Dataset, index: int = 0) -> bytes:
    """DicomPixelData.GetFrame(index).Data: the stored bytes of one frame, encapsulated or native."""
    if ds.file_meta.TransferSyntaxUID.is_encapsulated:
        from pydicom.encaps import generate_frames

        return list(generate_frames(ds.PixelData, number_of_frames=int(ds.get("NumberOfFrames", 1))))[index]
    size = ds.Rows * ds.Columns * ds.SamplesPerPixel * (ds.BitsAllocated // 8)
    return ds.PixelData[index * size : (index + 1) * size]


BULK_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "UN"}


def without_bulk_data(ds: Dataset) -> dict:
    """DicomDatasetExtensions.CopyWithoutBulkDataItems, as DICOM JSON: every bulk-data VR dropped, sequences
    walked."""
    out = {}
    for elem in ds:
        if elem.VR in BULK_VRS:
            continue
        if elem.VR == "SQ":
            out[f"{elem.tag:08X}"] = {"vr": "SQ", "Value": [without_bulk_data(item) for item in elem.value]}
        else:
            out[f"{elem.tag:08X}"] = elem.to_json_dict(None, 0)
    return out


def raw_text(ds: Dataset, keyword: str) -> str:
    """An element's value as written, trailing spaces kept (only the null padding byte dropped): pydicom's own
    reading strips them, fo-dicom's does not."""
    return ds.get_item(keyword).value.decode("ascii").rstrip("\0")
