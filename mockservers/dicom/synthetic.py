"""Plausible synthetic DICOM files made with pydicom and Faker, their pixels drawn by dicom/phantoms: a chest
radiograph, a knee radiograph, a fundus photograph, a chest CT series, a brain MR series, an abdominal
ultrasound frame and cine. Deterministic: each file is a function of the seed and its index alone.

The phantoms draw with scipy, whose import costs a third of a second: each maker imports its phantom, so that a
server start (and a pytest session using the plugin) pays for it only when a picture is first made."""

from __future__ import annotations

import array
import copy
import io
from datetime import date, timedelta

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, UID, ExplicitVRLittleEndian

from mockservers.core.fake import seeded_faker, seeded_random

DX_STORAGE = "1.2.840.10008.5.1.4.1.1.1.1"  # Digital X-Ray Image Storage - For Presentation
US_IMAGE = "1.2.840.10008.5.1.4.1.1.6.1"  # Ultrasound Image Storage (one frame)
UID_ROOT = "1.2.826.0.1.3680043.8.498."  # pydicom's root, which it also uses for generate_uid
STUDY_DATES_FROM = date(2024, 1, 1)


def make_uid(rng) -> str:
    return UID_ROOT + ".".join(str(rng.randint(1, 99999)) for _ in range(4))


def pixel_rng(seed: int, *parts) -> np.random.Generator:
    """numpy's generator for a picture's pixels, seeded like seeded_random: by the seed and the parts alone."""
    return np.random.default_rng(seeded_random(seed, "pixels", *parts).getrandbits(128))


def _header(seed: int, index: int, kind: str) -> Dataset:
    """Patient, study and series of one synthetic study (`kind` keeps each kind's patients apart)."""
    rng = seeded_random(seed, kind, index)
    fake = seeded_faker(seed, kind, index)
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
    ds.SeriesNumber = rng.randint(1, 20000)
    ds.InstanceNumber = 1
    ds.Manufacturer = "Mock Medical Systems"
    ds.InstitutionName = f"{fake.city()} General Hospital"
    ds.ImageType = ["ORIGINAL", "PRIMARY"]
    return ds


def _monochrome(ds: Dataset, pixels: np.ndarray, bits: int, center, width) -> None:
    """Greyscale pixels (unsigned, `bits` of 16 stored) and the window a viewer opens them with."""
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.SamplesPerPixel = 1
    ds.Rows, ds.Columns = pixels.shape[-2:]
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, bits, bits - 1, 0
    ds.WindowCenter, ds.WindowWidth = center, width
    ds.PixelData = np.ascontiguousarray(pixels, dtype="<u2").tobytes()


def _radiograph(ds: Dataset, body_part: str, description: str, spacing: float) -> None:
    """What a DX (For Presentation) image says of itself."""
    ds.Modality = "DX"
    ds.SOPClassUID = DX_STORAGE
    ds.BodyPartExamined = body_part
    ds.StudyDescription = ds.ProtocolName = description
    ds.PresentationIntentType = "FOR PRESENTATION"
    ds.PresentationLUTShape = "IDENTITY"
    ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = 0, 1, "US"
    ds.PixelSpacing = ds.ImagerPixelSpacing = [spacing, spacing]
    ds.PatientOrientation = ["L", "F"]
    ds.BurnedInAnnotation = "NO"
    ds.StationName = "DR01"


def dx_dataset(seed: int = 0, index: int = 0, rows: int = 128, columns: int = 128, **overrides) -> Dataset:
    """A chest DX image (For Presentation), PA, one per (seed, index), any size (2048 x 1792 is a detector's)."""
    from mockservers.dicom.phantoms.chest import chest_radiograph

    ds = _header(seed, index, "dx")
    _radiograph(ds, "CHEST", "Chest PA", 0.139)
    ds.SeriesDescription = "Chest"
    ds.ViewPosition = "PA"
    female = ds.PatientSex == "F"
    pixels = chest_radiograph(pixel_rng(seed, "dx", index), rows, columns, female=female).pixels
    _monochrome(ds, np.rint(pixels * 4095), 12, 2048.0, 4096.0)
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


def chest_file(seed: int = 0, index: int = 0, **overrides) -> bytes:
    """A chest radiograph at a detector's size: 2048 x 1792 pixels of 0.2 mm."""
    return dx_file(
        seed, index, rows=2048, columns=1792, PixelSpacing=[0.2, 0.2], ImagerPixelSpacing=[0.2, 0.2], **overrides
    )


def knee_dataset(seed: int = 0, index: int = 0, knees: int = 2, **overrides) -> Dataset:
    """An AP knee radiograph: both knees standing (landscape, 1640 x 2048) or one (portrait, 2048 x 1640)."""
    from mockservers.dicom.phantoms import knee

    ds = _header(seed, index, "knee")
    both = knees == 2
    _radiograph(ds, "KNEE", "Knees AP standing" if both else "Knee AP", 0.15)
    ds.SeriesDescription = "Knees AP" if both else "Knee AP"
    ds.ViewPosition = "AP"
    ds.ImageLaterality = "B" if both else ("R" if index % 2 else "L")
    rows, columns = (1640, 2048) if both else (2048, 1640)
    pixels = knee.knee_radiograph(pixel_rng(seed, "knee", index), rows, columns, knees=knees).pixels
    _monochrome(ds, np.rint(pixels * 4095), 12, 2048.0, 4096.0)
    for keyword, value in overrides.items():
        setattr(ds, keyword, value)
    return ds


def fundus_dataset(seed: int = 0, index: int = 0, laterality: str = "R", size: int = 1536, **overrides) -> Dataset:
    """A colour fundus photograph (Ophthalmic Photography 8 Bit, RGB), macula-centred, of the right or left eye."""
    from mockservers.dicom.phantoms import fundus

    ds = _header(seed, index, "fundus")
    ds.SOPClassUID = SOP_CLASSES["OP"]
    ds.Modality = "OP"
    ds.BodyPartExamined = "EYE"
    ds.StudyDescription = ds.ProtocolName = "Fundus photography"
    ds.SeriesDescription = f"Colour fundus {'OD' if laterality == 'R' else 'OS'}"
    ds.ImageLaterality = laterality
    ds.AnatomicRegionSequence = Sequence([_code("81745001", "SCT", "Eye")])
    ds.BurnedInAnnotation, ds.LossyImageCompression = "NO", "00"
    ds.PixelSpacing = [0.007, 0.007]
    pixels = fundus.fundus_photograph(pixel_rng(seed, "fundus", index), size, size, right_eye=laterality == "R")
    ds.Rows, ds.Columns = size, size
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, "RGB", 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.PixelData = np.rint(pixels.pixels * 255).astype(np.uint8).tobytes()
    for keyword, value in overrides.items():
        setattr(ds, keyword, value)
    return ds


def ct_series(seed: int = 0, index: int = 0, slices: int = 6, size: int = 512, **overrides) -> list[Dataset]:
    """Axial slices of a chest CT (contrast-enhanced), apex to base, HU = stored - 1024, windowed for the
    mediastinum (the first window) and the lungs."""
    from mockservers.dicom.phantoms import ct

    first = _header(seed, index, "ct")
    spacing = round(360.0 / size, 4)
    gap = round(240.0 / slices, 1)
    levels = [0.12 + 0.68 * n / (slices - 1) for n in range(slices)] if slices > 1 else [0.5]
    pictures = ct.chest_ct(pixel_rng(seed, "ct", index), size, levels)
    uids = seeded_random(seed, "ct-slices", index)
    out = []
    for n, picture in enumerate(pictures):
        ds = copy.deepcopy(first)
        if n:
            ds.SOPInstanceUID = make_uid(uids)
        ds.SOPClassUID = SOP_CLASSES["CT"]
        ds.Modality = "CT"
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.BodyPartExamined = "CHEST"
        ds.StudyDescription = ds.ProtocolName = "CT Chest with contrast"
        ds.SeriesDescription = "Chest 5mm"
        ds.ManufacturerModelName = "Mock CT 3000"
        ds.InstanceNumber = n + 1
        ds.PatientPosition = "HFS"
        z = round(-40.0 - gap * n, 2)
        ds.ImagePositionPatient = [-180.0, -180.0 + spacing * size * 0.02, z]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.SliceLocation = z
        ds.SliceThickness = 5.0
        ds.PixelSpacing = [spacing, spacing]
        ds.KVP = 120
        ds.ConvolutionKernel = "STANDARD"
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = -1024, 1, "HU"
        _monochrome(ds, np.clip(np.rint(picture.pixels) + 1024, 0, 4095), 12, [40, -600], [400, 1500])
        ds.WindowCenterWidthExplanation = ["MEDIASTINUM", "LUNG"]
        for keyword, value in overrides.items():
            setattr(ds, keyword, value)
        out.append(ds)
    return out


def mr_series(seed: int = 0, index: int = 0, slices: int = 4, size: int = 256, **overrides) -> list[Dataset]:
    """Axial T2-weighted slices through a head, from the ventricles up."""
    from mockservers.dicom.phantoms import mr

    first = _header(seed, index, "mr")
    rng = pixel_rng(seed, "mr", index)
    uids = seeded_random(seed, "mr-slices", index)
    spacing = round(230.0 / size, 4)
    out = []
    for n in range(slices):
        signal = mr.brain_mr(rng, size, level=n / max(1, slices)).pixels
        ds = copy.deepcopy(first)
        if n:
            ds.SOPInstanceUID = make_uid(uids)
        ds.SOPClassUID = SOP_CLASSES["MR"]
        ds.Modality = "MR"
        ds.BodyPartExamined = "HEAD"
        ds.StudyDescription = ds.ProtocolName = "MRI Brain"
        ds.SeriesDescription = "T2 TSE AX"
        ds.ManufacturerModelName = "Mock MR 1.5T"
        ds.InstanceNumber = n + 1
        ds.ScanningSequence, ds.SequenceVariant, ds.MRAcquisitionType = "SE", "SK", "2D"
        ds.EchoTime, ds.RepetitionTime, ds.EchoTrainLength = 100.0, 4000.0, 16
        ds.MagneticFieldStrength, ds.ImagingFrequency = 1.5, 63.87
        ds.PatientPosition = "HFS"
        z = round(10.0 + 6.0 * n, 2)
        ds.ImagePositionPatient = [-115.0, -115.0, z]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.SliceLocation = z
        ds.SliceThickness, ds.SpacingBetweenSlices = 5.0, 6.0
        ds.PixelSpacing = [spacing, spacing]
        _monochrome(ds, np.clip(np.rint(signal * 1000), 0, 4095), 12, 500.0, 1000.0)
        for keyword, value in overrides.items():
            setattr(ds, keyword, value)
        out.append(ds)
    return out


def us_dataset(
    seed: int = 0, index: int = 0, frames: int = 1, rows: int = 600, columns: int = 800, **overrides
) -> Dataset:
    """A B-mode frame of the right upper abdomen (8-bit), or a cine of `frames` frames as the liver moves with
    breathing (Ultrasound Multi-frame Image Storage)."""
    from mockservers.dicom.phantoms import us

    ds = _header(seed, index, "us")
    picture = us.abdomen_us(pixel_rng(seed, "us", index), rows, columns)
    still = np.rint(picture.pixels * 255).astype(np.uint8)
    if frames > 1:
        ds.SOPClassUID = SOP_CLASSES["US"]
        ds.NumberOfFrames = frames
        ds.FrameTime, ds.CineRate = 40.0, 25
        shifts = [round(6 * np.sin(2 * np.pi * f / frames)) for f in range(frames)]
        sector = picture.truth["sector"]
        data = np.stack([np.where(sector, np.roll(still, shift, axis=0), 0) for shift in shifts])
    else:
        ds.SOPClassUID = US_IMAGE
        data = still
    ds.Modality = "US"
    ds.BodyPartExamined = "ABDOMEN"
    ds.StudyDescription = ds.ProtocolName = "US Abdomen"
    ds.SeriesDescription = "RUQ liver / gallbladder"
    ds.ManufacturerModelName = "Mock US C5-1"
    ds.PhotometricInterpretation, ds.SamplesPerPixel = "MONOCHROME2", 1
    ds.Rows, ds.Columns = rows, columns
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.BurnedInAnnotation = "NO"
    region = Dataset()
    region.RegionSpatialFormat, region.RegionDataType, region.RegionFlags = 1, 1, 0
    region.RegionLocationMinX0, region.RegionLocationMinY0 = 0, 0
    region.RegionLocationMaxX1, region.RegionLocationMaxY1 = columns - 1, rows - 1
    region.PhysicalUnitsXDirection = region.PhysicalUnitsYDirection = 3  # cm
    region.PhysicalDeltaX = region.PhysicalDeltaY = round(16.0 / rows, 5)
    ds.SequenceOfUltrasoundRegions = Sequence([region])
    ds.PixelData = data.tobytes()
    for keyword, value in overrides.items():
        setattr(ds, keyword, value)
    return ds


def _code(value: str, scheme: str, meaning: str) -> Dataset:
    item = Dataset()
    item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = value, scheme, meaning
    return item


DX_ONLY = (
    "PresentationIntentType",
    "PresentationLUTShape",
    "RescaleIntercept",
    "RescaleSlope",
    "RescaleType",
    "ImagerPixelSpacing",
    "PatientOrientation",
    "BurnedInAnnotation",
)
SOP_CLASSES = {
    "CT": "1.2.840.10008.5.1.4.1.1.2",  # CT Image Storage
    "MR": "1.2.840.10008.5.1.4.1.1.4",  # MR Image Storage
    "DX": DX_STORAGE,
    "US": "1.2.840.10008.5.1.4.1.1.3.1",  # Ultrasound Multi-frame Image Storage
    "OP": "1.2.840.10008.5.1.4.1.1.77.1.5.1",  # Ophthalmic Photography 8 Bit Image Storage
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
    if modality != "DX":
        for keyword in DX_ONLY:
            delattr(ds, keyword)
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
    join(ds, study, series)
    if series is not None:
        ds.InstanceNumber = index + 1
    for keyword, value in overrides.items():
        setattr(ds, keyword, value)
    return ds


STUDY_KEYWORDS = (
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
)
SERIES_KEYWORDS = ("SeriesInstanceUID", "SeriesNumber", "Modality", "SeriesDescription", "SeriesDate", "SeriesTime")


def join(ds: Dataset, study: Dataset | None = None, series: Dataset | None = None) -> Dataset:
    """`ds` put in the study (and the series) of other datasets: their patient, study (and series) attributes."""
    for source, keywords in ((study, STUDY_KEYWORDS), (series, SERIES_KEYWORDS)):
        if source is not None:
            for kw in keywords:
                if kw in source:
                    setattr(ds, kw, source.get(kw))
    return ds


def rle_part10(ds: Dataset) -> bytes:
    """The dataset as RLE Lossless (pydicom's own encoder: no plugin needed)."""
    from pydicom.uid import RLELossless

    ds = copy.deepcopy(ds)
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.compress(RLELossless, encoding_plugin="pydicom", generate_instance_uid=False)
    return to_part10(ds, RLELossless)
