"""The synthetic studies: each file a function of the seed and its index alone (the same bytes twice, on any
day), and the DICOM attributes a viewer needs to show each modality."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import numpy as np
import pydicom
import pytest
import time_machine

from mockservers.dicom import synthetic as s
from mockservers.dicom.picture import display

BUILDERS = {
    "chest": lambda seed, index: [s.chest_file(seed, index)],
    "small chest": lambda seed, index: [s.dx_file(seed, index)],
    "knees": lambda seed, index: [s.to_part10(s.knee_dataset(seed, index, knees=2))],
    "knee": lambda seed, index: [s.to_part10(s.knee_dataset(seed, index, knees=1))],
    "fundus": lambda seed, index: [s.to_part10(s.fundus_dataset(seed, index, size=512))],
    "ct": lambda seed, index: [s.to_part10(ds) for ds in s.ct_series(seed, index, slices=3)],
    "mr": lambda seed, index: [s.to_part10(ds) for ds in s.mr_series(seed, index, slices=2)],
    "us": lambda seed, index: [s.to_part10(s.us_dataset(seed, index))],
    "us cine": lambda seed, index: [s.rle_part10(s.us_dataset(seed, index, frames=3, rows=120, columns=160))],
}
DATES = [datetime(2019, 3, 4, 5, 6, 7, tzinfo=UTC), datetime(2041, 11, 30, 23, 59, 0, tzinfo=UTC)]


def read(data: bytes) -> pydicom.Dataset:
    return pydicom.dcmread(io.BytesIO(data))


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_the_same_seed_and_index_give_the_same_bytes(kind):
    make = BUILDERS[kind]
    first = make(3, 5)
    assert first == make(3, 5)
    assert first != make(3, 6) and first != make(4, 5)


@pytest.mark.parametrize("kind", ["chest", "knees", "fundus", "ct", "mr", "us"])
def test_the_same_bytes_on_any_day(kind):
    runs = []
    for when in DATES:
        with time_machine.travel(when, tick=False):
            runs.append(BUILDERS[kind](7, 2))
    assert runs[0] == runs[1] == BUILDERS[kind](7, 2)


def test_a_chest_radiograph_is_a_presentation_dx_at_a_detectors_size():
    ds = read(s.chest_file(0, 1))
    assert ds.SOPClassUID == s.DX_STORAGE and ds.Modality == "DX" and ds.BodyPartExamined == "CHEST"
    assert (ds.Rows, ds.Columns) == (2048, 1792) and ds.ViewPosition == "PA"
    assert ds.PresentationIntentType == "FOR PRESENTATION" and ds.PresentationLUTShape == "IDENTITY"
    assert ds.PixelSpacing == ds.ImagerPixelSpacing == [0.2, 0.2]
    assert ds.PhotometricInterpretation == "MONOCHROME2" and (ds.BitsAllocated, ds.BitsStored, ds.HighBit) == (
        16,
        12,
        11,
    )
    assert (ds.WindowCenter, ds.WindowWidth) == (2048.0, 4096.0)
    pixels = ds.pixel_array
    assert pixels.max() <= 4095 and np.percentile(pixels, 99) > 3000 and np.percentile(pixels, 1) < 400


def test_the_small_chest_keeps_its_callers_headers():
    ds = read(s.dx_file(0, 0, rows=64, columns=48, PatientID="X1"))
    assert (ds.Rows, ds.Columns) == (64, 48) and ds.pixel_array.shape == (64, 48)
    assert ds.PixelSpacing == [0.139, 0.139] and ds.PatientID == "X1" and ds.WindowCenter == 2048.0


@pytest.mark.parametrize("knees, size, laterality", [(2, (1640, 2048), "B"), (1, (2048, 1640), None)])
def test_a_knee_radiograph(knees, size, laterality):
    ds = s.knee_dataset(0, 3, knees=knees)
    assert ds.Modality == "DX" and ds.SOPClassUID == s.DX_STORAGE and ds.BodyPartExamined == "KNEE"
    assert (ds.Rows, ds.Columns) == size and ds.ViewPosition == "AP" and ds.ImagerPixelSpacing == [0.15, 0.15]
    assert ds.ImageLaterality == laterality or (laterality is None and ds.ImageLaterality in ("L", "R"))
    assert read(s.to_part10(ds)).pixel_array.shape == size


@pytest.mark.parametrize("laterality", ["R", "L"])
def test_a_fundus_photograph_is_colour_ophthalmic_photography(laterality):
    ds = read(s.to_part10(s.fundus_dataset(0, 1, laterality=laterality, size=400)))
    assert ds.SOPClassUID == s.SOP_CLASSES["OP"] and ds.Modality == "OP" and ds.ImageLaterality == laterality
    assert ds.PhotometricInterpretation == "RGB" and ds.SamplesPerPixel == 3 and ds.BitsStored == 8
    assert ds.AnatomicRegionSequence[0].CodeMeaning == "Eye"
    rgb = ds.pixel_array.astype(float)
    assert rgb.shape == (400, 400, 3)
    middle = rgb[150:250, 150:250].reshape(-1, 3).mean(axis=0)
    assert middle[0] > middle[1] > middle[2], "orange-red retina"
    assert rgb[:8, :8].max() == 0, "black outside the round field"


def test_ct_slices_are_one_series_in_hounsfield_units():
    slices = [read(s.to_part10(ds)) for ds in s.ct_series(0, 2, slices=4)]
    assert len({ds.SOPInstanceUID for ds in slices}) == 4
    for key in ("StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID", "PatientID"):
        assert len({ds.get(key) for ds in slices}) == 1, key
    z = [ds.ImagePositionPatient[2] for ds in slices]
    assert z == sorted(z, reverse=True) and [ds.InstanceNumber for ds in slices] == [1, 2, 3, 4]
    ds = slices[1]
    assert ds.SOPClassUID == s.SOP_CLASSES["CT"] and ds.Modality == "CT" and (ds.Rows, ds.Columns) == (512, 512)
    assert (ds.RescaleSlope, ds.RescaleIntercept, ds.RescaleType) == (1, -1024, "HU")
    assert list(ds.WindowCenter) == [40, -600] and list(ds.WindowWidth) == [400, 1500]
    assert ds.ImageOrientationPatient == [1, 0, 0, 0, 1, 0] and ds.SliceThickness == 5.0
    hu = ds.pixel_array.astype(float) - 1024
    assert np.percentile(hu, 5) < -950, "air around the body"
    middle = hu[180:330, 100:180]  # the image's left lung
    assert -950 < np.median(middle) < -700
    assert hu.max() > 500, "bone"


def test_mr_slices_are_a_t2_series_of_a_head():
    slices = [read(s.to_part10(ds)) for ds in s.mr_series(0, 2, slices=3)]
    assert len({ds.SeriesInstanceUID for ds in slices}) == 1 and len({ds.SOPInstanceUID for ds in slices}) == 3
    ds = slices[0]
    assert ds.SOPClassUID == s.SOP_CLASSES["MR"] and ds.Modality == "MR" and ds.BodyPartExamined == "HEAD"
    assert (ds.EchoTime, ds.RepetitionTime, ds.MagneticFieldStrength) == (100.0, 4000.0, 1.5)
    assert ds.WindowCenter == 500.0 and ds.PixelSpacing[0] == pytest.approx(0.8984, abs=1e-4)
    assert ds.pixel_array.max() > 800


def test_an_ultrasound_frame_and_cine():
    still = read(s.to_part10(s.us_dataset(0, 4)))
    assert still.SOPClassUID == s.US_IMAGE and still.Modality == "US" and still.BitsStored == 8
    assert still.SequenceOfUltrasoundRegions[0].PhysicalUnitsXDirection == 3
    assert still.pixel_array.shape == (600, 800) and still.pixel_array[-1, 0] == 0, "black outside the sector"
    cine = read(s.rle_part10(s.us_dataset(0, 5, frames=4, rows=150, columns=200)))
    assert cine.SOPClassUID == s.SOP_CLASSES["US"] and cine.NumberOfFrames == 4
    frames = cine.pixel_array
    assert frames.shape == (4, 150, 200) and not np.array_equal(frames[0], frames[1])


def test_join_puts_a_dataset_in_another_study():
    still = s.us_dataset(0, 4, rows=60, columns=80)
    cine = s.join(s.us_dataset(0, 5, frames=2, rows=60, columns=80), study=still)
    assert cine.StudyInstanceUID == still.StudyInstanceUID and cine.PatientName == still.PatientName
    assert cine.SeriesInstanceUID != still.SeriesInstanceUID


def test_display_windows_each_modality_to_eight_bits():
    ct = read(s.to_part10(s.ct_series(0, 2, slices=1)[0]))
    shown = display(ct)
    assert shown.dtype == np.uint8 and shown.shape == (512, 512)
    assert shown[0, 0] == 0 and shown.max() == 255, "air black, bone white in the mediastinal window"
    fundus = display(read(s.to_part10(s.fundus_dataset(0, 1, size=64))))
    assert fundus.shape == (64, 64, 3)
