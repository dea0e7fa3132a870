"""Small, plausible synthetic DICOM files made with pydicom and Faker (deterministic per seed)."""

from __future__ import annotations

import array
import io
import math
from datetime import date, timedelta

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, UID, ExplicitVRLittleEndian

from mockservers.core.fake import seeded_faker, seeded_random

DX_STORAGE = "1.2.840.10008.5.1.4.1.1.1.1"  # Digital X-Ray Image Storage - For Presentation
UID_ROOT = "1.2.826.0.1.3680043.8.498."  # pydicom's root, which it also uses for generate_uid
STUDY_DATES_FROM = date(2024, 1, 1)


def make_uid(rng) -> str:
    return UID_ROOT + ".".join(str(rng.randint(1, 99999)) for _ in range(4))


def _pixels(rng, rows: int, columns: int) -> bytes:
    """A chest-film-like picture: a bright body with two darker lung fields, plus noise."""
    data = array.array("H")
    cx, cy = columns / 2, rows / 2
    for y in range(rows):
        for x in range(columns):
            body = 2200 if abs(x - cx) < columns * 0.42 else 300
            lung = any(
                ((x - lx) / (columns * 0.15)) ** 2 + ((y - cy) / (rows * 0.33)) ** 2 < 1
                for lx in (cx - columns * 0.18, cx + columns * 0.18)
            )
            value = body - (1300 if lung else 0) + int(200 * math.sin(y / 9.0)) + rng.randint(0, 120)
            data.append(max(0, min(4095, value)))
    return data.tobytes()


def dx_dataset(seed: int = 0, index: int = 0, rows: int = 128, columns: int = 128, **overrides) -> Dataset:
    """A chest DX image (For Presentation), one per (seed, index)."""
    rng = seeded_random(seed, "dx", index)
    fake = seeded_faker(seed, "dx", index)
    # Days counted from a fixed date, never from today (Faker's date_of_birth does) nor through the machine's
    # time zone (its date_between does): the same seed gives the same bytes on any day, anywhere.
    study_date = STUDY_DATES_FROM + timedelta(days=fake.random_int(0, 730))
    birth = study_date - timedelta(days=fake.random_int(18 * 365 + 5, 90 * 365))
    age = (study_date - birth).days // 365
    ds = Dataset()
    ds.SOPClassUID = DX_STORAGE
    ds.SOPInstanceUID = make_uid(rng)
    ds.StudyInstanceUID = make_uid(rng)
    ds.SeriesInstanceUID = make_uid(rng)
    ds.FrameOfReferenceUID = make_uid(rng)
    ds.PatientName = f"{fake.last_name()}^{fake.first_name()}"
    ds.PatientID = f"P{rng.randint(10000000, 99999999)}"
    ds.PatientBirthDate = birth.strftime("%Y%m%d")
    ds.PatientSex = rng.choice(["M", "F"])
    ds.PatientAge = f"{age:03d}Y"
    ds.AccessionNumber = str(rng.randint(1000000000, 9999999999))
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = study_date.strftime("%Y%m%d")
    ds.StudyTime = ds.SeriesTime = ds.ContentTime = f"{rng.randint(7, 18):02d}{rng.randint(0, 59):02d}00.000"
    ds.StudyID = str(rng.randint(1, 999))
    ds.StudyDescription = "Chest PA"
    ds.SeriesDescription = "Chest"
    ds.SeriesNumber = rng.randint(1, 20000)
    ds.InstanceNumber = 1
    ds.Modality = "DX"
    ds.BodyPartExamined = "CHEST"
    ds.ProtocolName = "Chest PA"
    ds.ViewPosition = "PA"
    ds.Manufacturer = "Mock Medical Systems"
    ds.InstitutionName = f"{fake.city()} General Hospital"
    ds.StationName = "DR01"
    ds.ImageType = ["ORIGINAL", "PRIMARY"]
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.SamplesPerPixel = 1
    ds.Rows, ds.Columns = rows, columns
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelSpacing = [0.139, 0.139]
    ds.WindowCenter, ds.WindowWidth = 2048.0, 4096.0
    ds.PixelData = _pixels(rng, rows, columns)
    for keyword, value in overrides.items():
        setattr(ds, keyword, value)
    return ds


def to_part10(ds: Dataset, transfer_syntax: str = ExplicitVRLittleEndian) -> bytes:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = UID(transfer_syntax)  # what pydicom would make of the str
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds.file_meta = meta
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def dx_file(seed: int = 0, index: int = 0, **kwargs) -> bytes:
    return to_part10(dx_dataset(seed, index, **kwargs))


SOP_CLASSES = {
    "CT": "1.2.840.10008.5.1.4.1.1.2",  # CT Image Storage
    "MR": "1.2.840.10008.5.1.4.1.1.4",  # MR Image Storage
    "DX": DX_STORAGE,
    "US": "1.2.840.10008.5.1.4.1.1.3.1",  # Ultrasound Multi-frame Image Storage
    "XA": "1.2.840.10008.5.1.4.1.1.12.1",  # X-Ray Angiographic Image Storage (multi-frame)
}


def image_dataset(
    seed: int = 0,
    index: int = 0,
    modality: str = "CT",
    frames: int = 1,
    rows: int = 32,
    columns: int = 32,
    study: Dataset | None = None,
    series: Dataset | None = None,
    **overrides,
) -> Dataset:
    """A small image of any modality; `study`/`series` (datasets) put it in an existing study or series."""
    ds = dx_dataset(seed, index, rows=1, columns=1)
    rng = seeded_random(seed, "image", index)
    ds.SOPClassUID = SOP_CLASSES.get(modality, SOP_CLASSES["CT"])
    ds.Modality = modality
    ds.StudyDescription = f"{modality} study"
    ds.SeriesDescription = f"{modality} series"
    ds.BodyPartExamined = rng.choice(["CHEST", "HEAD", "ABDOMEN", "KNEE"])
    ds.ProtocolName = f"{ds.BodyPartExamined.title()} {modality}"
    ds.ManufacturerModelName = f"Mock {modality} 3000"
    ds.Rows, ds.Columns = rows, columns
    pixels = bytearray()
    for frame in range(frames):
        for y in range(rows):
            pixels += array.array(
                "H", [(x * 37 + y * 11 + frame * 101 + rng.randint(0, 50)) % 4096 for x in range(columns)]
            ).tobytes()
    ds.PixelData = bytes(pixels)
    if frames > 1:
        ds.NumberOfFrames = frames
    for source, keywords in (
        (
            study,
            (
                "StudyInstanceUID",
                "PatientName",
                "PatientID",
                "PatientBirthDate",
                "PatientSex",
                "PatientAge",
                "AccessionNumber",
                "StudyDate",
                "StudyTime",
                "StudyID",
                "StudyDescription",
                "InstitutionName",
            ),
        ),
        (series, ("SeriesInstanceUID", "SeriesNumber", "Modality", "SeriesDescription", "SeriesDate", "SeriesTime")),
    ):
        if source is not None:
            for kw in keywords:
                if kw in source:
                    setattr(ds, kw, source.get(kw))
    if series is not None:
        ds.InstanceNumber = index + 1
    for keyword, value in overrides.items():
        setattr(ds, keyword, value)
    return ds


def rle_part10(ds: Dataset) -> bytes:
    """The dataset as RLE Lossless (pydicom's own encoder: no plugin needed)."""
    import copy

    from pydicom.uid import RLELossless

    ds = copy.deepcopy(ds)
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.compress(RLELossless, encoding_plugin="pydicom", generate_instance_uid=False)
    return to_part10(ds, RLELossless)
