"""Writes the small DICOM test files of fixtures/dicom/ (pydicom + Faker, deterministic): run it again, same files.

fixtures/dicom/msdicom/   green-square, red-triangle, blue-circle: the msdicom document's files and UIDs
fixtures/dicom/sphere/    the instances of the sphere document's examples, with their UIDs
fixtures/dicom/patients/  several patients: a CT series, a multi-frame MR in RLE Lossless, a DX, a multi-frame US
"""

import _bootstrap  # noqa: F401  (must come first: picks the project's virtualenv)

import argparse
from pathlib import Path

import numpy as np

from mockservers.dicom.synthetic import image_dataset, rle_part10, to_part10

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "dicom"
SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"
RT_IMAGE = "1.2.840.10008.5.1.4.1.1.481.1"
CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"

# The msdicom document's table: file, StudyUID, SeriesUID, InstanceUID
MS_STUDY = "1.2.826.0.1.3680043.8.498.13230779778012324449356534479549187420"
MS_FILES = {
    "green-square": (
        "1.2.826.0.1.3680043.8.498.45787841905473114233124723359129632652",
        "1.2.826.0.1.3680043.8.498.12714725698140337137334606354172323212",
    ),
    "red-triangle": (
        "1.2.826.0.1.3680043.8.498.45787841905473114233124723359129632652",
        "1.2.826.0.1.3680043.8.498.47359123102728459884412887463296905395",
    ),
    "blue-circle": (
        "1.2.826.0.1.3680043.8.498.77033797676425927098669402985243398207",
        "1.2.826.0.1.3680043.8.498.13273713909719068980354078852867170114",
    ),
}


def shape_pixels(name: str, size: int = 64) -> bytes:
    y, x = np.mgrid[0:size, 0:size]
    rgb = np.zeros((size, size, 3), dtype=np.uint8)
    if name == "green-square":
        mask, colour = (abs(x - size / 2) < size / 4) & (abs(y - size / 2) < size / 4), (0, 200, 0)
    elif name == "red-triangle":
        mask, colour = (y > size / 4) & (abs(x - size / 2) < (y - size / 4) / 1.5), (220, 0, 0)
    else:
        mask, colour = (x - size / 2) ** 2 + (y - size / 2) ** 2 < (size / 3) ** 2, (0, 0, 230)
    rgb[mask] = colour
    return rgb.tobytes()


def msdicom_file(name: str) -> bytes:
    series_uid, sop_uid = MS_FILES[name]
    ds = image_dataset(
        1,
        list(MS_FILES).index(name),
        "OT",
        rows=64,
        columns=64,
        StudyInstanceUID=MS_STUDY,
        SeriesInstanceUID=series_uid,
        SOPInstanceUID=sop_uid,
        SOPClassUID=SECONDARY_CAPTURE,
        PatientName="Shapes^Demo",
        PatientID="SHAPES-1",
        StudyDate="20210401",
        StudyDescription="Shapes",
        SeriesDescription=name,
        SeriesNumber=1 if series_uid.endswith("52") else 2,
    )
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, "RGB", 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
    for keyword in ("WindowCenter", "WindowWidth"):
        delattr(ds, keyword)
    ds.PixelData = shape_pixels(name)
    ds.SpecificCharacterSet = "ISO_IR 100"
    return to_part10(ds)


def sphere_files() -> dict[str, bytes]:
    rt = image_dataset(
        2,
        0,
        "RTIMAGE",
        rows=32,
        columns=32,
        SOPClassUID=RT_IMAGE,
        StudyInstanceUID="1.3.46.423632.132218.1415242681.6",
        SeriesInstanceUID="1.3.46.423632.132218.1415243125.23",
        SOPInstanceUID="1.3.46.423632.132218.1438566266.11",
        StudyDate="20010101",
        SpecificCharacterSet="ISO_IR 100",
        TimezoneOffsetFromUTC="+0000",
    )
    rt.add_new(0x30020002, "SH", "iViewPortalImage")  # RT Image Label
    rt.add_new(0x30020011, "DS", ["0.402", "0.402"])  # Image Plane Pixel Spacing
    rt.add_new(0x30020012, "DS", None)  # RT Image Position
    rt.add_new(0x30020020, "SH", None)  # Radiation Machine Name
    rt.add_new(0x30020022, "DS", "1000")  # Radiation Machine SAD
    ct = image_dataset(
        2,
        1,
        "CT",
        SOPClassUID=CT_IMAGE,
        StudyInstanceUID="1.3.46.670589.11.0.1.1996082307380006",
        SeriesInstanceUID="1.3.46.670589.11.0.1.1996082307380006.1",
        SOPInstanceUID="1.3.6.1.4.1.5962.1.1.0.0.0.1194734704.16302.0.14",
        SpecificCharacterSet="ISO_IR 100",
        TimezoneOffsetFromUTC="+0000",
    )
    return {"rt-image": to_part10(rt), "ct-16302": to_part10(ct)}


def patient_files() -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    ct_first = image_dataset(10, 0, "CT", rows=48, columns=48)
    for i in range(3):
        ds = ct_first if i == 0 else image_dataset(10, i, "CT", rows=48, columns=48, study=ct_first, series=ct_first)
        out[f"p1-ct-{i + 1}"] = to_part10(ds)
    out["p2-mr-multiframe-rle"] = rle_part10(image_dataset(11, 0, "MR", frames=5, rows=40, columns=40))
    out["p3-dx"] = to_part10(image_dataset(12, 0, "DX", rows=64, columns=64))
    us = image_dataset(13, 0, "US", frames=4, rows=32, columns=32)
    out["p4-us-multiframe"] = to_part10(us)
    out["p4-us-multiframe-rle"] = rle_part10(image_dataset(13, 1, "US", frames=4, rows=32, columns=32, study=us))
    return out


def all_files() -> dict[str, bytes]:
    files = {f"msdicom/{name}.dcm": msdicom_file(name) for name in MS_FILES}
    files.update({f"sphere/{name}.dcm": data for name, data in sphere_files().items()})
    files.update({f"patients/{name}.dcm": data for name, data in patient_files().items()})
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT))
    args = parser.parse_args()
    for relative, data in all_files().items():
        path = Path(args.out) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"{len(data):>8} bytes  {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
