"""Test DICOM files: synthetic ones (one study of two series, one multi-frame RLE) and pydicom's own."""

from __future__ import annotations

import io

import pydicom
from pydicom.data import get_testdata_file

from mockservers.dicom.synthetic import image_dataset, rle_part10, to_part10


def study_files(seed: int = 0) -> dict[str, bytes]:
    """ct1, ct2: one CT series; mr: a 3-frame MR in RLE Lossless, same study; other: another patient's DX."""
    ct1 = image_dataset(seed, 0, "CT")
    ct2 = image_dataset(seed, 1, "CT", study=ct1, series=ct1)
    mr = image_dataset(seed, 2, "MR", frames=3, study=ct1)
    other = image_dataset(
        seed, 3, "DX", PatientName="Müller^José", ReferringPhysicianName="House^Gregory", StudyDate="20230105"
    )
    return {"ct1": to_part10(ct1), "ct2": to_part10(ct2), "mr": rle_part10(mr), "other": to_part10(other)}


def uids(data: bytes) -> tuple[str, str, str]:
    ds = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
    return ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID


def dataset(data: bytes) -> pydicom.Dataset:
    return pydicom.dcmread(io.BytesIO(data))


def pydicom_file(name: str) -> bytes:
    with open(get_testdata_file(name), "rb") as fh:
        return fh.read()


def multipart(parts: list[bytes], boundary: str = "b0und4ry", part_type: str = "application/dicom") -> bytes:
    """What dicomweb-client sends: CRLF, delimiter, Content-Type, blank line, content; closing delimiter."""
    body = b""
    for part in parts:
        body += f"\r\n--{boundary}\r\nContent-Type: {part_type}\r\n\r\n".encode() + part
    return body + f"\r\n--{boundary}--".encode()


def split_multipart(response) -> list[tuple[str, bytes]]:
    """(part content type, content) of a multipart/related answer, via the standard library's email parser."""
    import email
    import email.policy

    raw = (f"Content-Type: {response.headers['Content-Type']}\r\n\r\n").encode() + response.get_data()
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    return [(part["Content-Type"], part.get_payload(decode=True)) for part in message.get_payload()]
