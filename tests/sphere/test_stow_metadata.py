"""STOW-RS of metadata and bulk data on sphere (its document's introduction: "fichiers DICOM PS3.10 ou séparés des
méta-données et des données en vrac"; PS3.18 10.5.1.2.2): a DICOM JSON part, bulk data parts by Content-Location."""

from __future__ import annotations

import io
import json

import pydicom
from pydicom.encaps import encapsulate

from mockservers.dicom.synthetic import image_dataset, to_part10
from tests.dicom.files import dataset, split_multipart, uids
from tests.sphere.conftest import detail

STOW = "/sphere/stowrs/studies"
RELATED_JSON = 'multipart/related; type="application/dicom+json"; boundary=m3ta'
FAILED, REFERENCED, REASON = "00081198", "00081199", "00081197"


def related(*parts: tuple[dict[str, str], bytes]) -> bytes:
    body = b""
    for headers, content in parts:
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        body += f"--m3ta\r\n{head}\r\n".encode() + content + b"\r\n"
    return body + b"--m3ta--\r\n"


def metadata_of(ds: pydicom.Dataset, uri: str = "pixels") -> dict:
    """The data set as DICOM JSON, its PixelData as a BulkDataURI."""
    return ds.to_json_dict(bulk_data_threshold=1, bulk_data_element_handler=lambda elem: uri)


def json_part(*datasets: dict) -> tuple[dict[str, str], bytes]:
    return {"Content-Type": "application/dicom+json"}, json.dumps(list(datasets)).encode()


def pixels_part(content: bytes, location: str = "pixels", content_type: str = "application/octet-stream"):
    return {"Content-Type": content_type, "Content-Location": location}, content


def store(client, body: bytes, content_type: str = RELATED_JSON):
    return client.post(STOW, data=body, headers={"Content-Type": content_type, "Accept": "application/dicom+json"})


def retrieved(client, data: bytes) -> pydicom.Dataset:
    study, series, sop = uids(data)
    r = client.get(f"/sphere/wadors/studies/{study}/series/{series}/instances/{sop}")
    assert r.status_code == 200
    ((_, content),) = split_multipart(r)
    return pydicom.dcmread(io.BytesIO(content))


def test_metadata_and_native_pixels_make_the_instance(client):
    original = image_dataset(4, 0, "CT")
    data = to_part10(original)
    ds = dataset(data)
    body = related(json_part(metadata_of(ds)), pixels_part(ds.PixelData))
    r = store(client, body)
    assert r.status_code == 200, r.get_data(as_text=True)
    (item,) = r.json[REFERENCED]["Value"]
    assert item["00081155"]["Value"] == [ds.SOPInstanceUID]
    stored = retrieved(client, data)
    assert stored.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian
    assert stored.PixelData == ds.PixelData
    assert stored.PatientName == ds.PatientName and stored.Rows == ds.Rows
    assert client.get("/sphere/qidors/instances", query_string={"SOPInstanceUID": ds.SOPInstanceUID}).json


def test_compressed_pixels_take_the_parts_transfer_syntax(client):
    ds = dataset(to_part10(image_dataset(4, 1, "CT")))
    frame = b"\xff\xd8not really a jpeg\xff\xd9"
    body = related(
        json_part(metadata_of(ds, "frame-1")),
        pixels_part(frame, "frame-1", "image/jpeg; transfer-syntax=1.2.840.10008.1.2.4.50"),
    )
    assert store(client, body).status_code == 200
    stored = retrieved(client, to_part10(image_dataset(4, 1, "CT")))
    assert stored.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.4.50"
    assert stored.PixelData == encapsulate([frame])


def test_an_instance_whose_bulk_data_is_missing_fails_alone_with_272(client):
    first, second = dataset(to_part10(image_dataset(4, 2, "CT"))), dataset(to_part10(image_dataset(4, 3, "CT")))
    body = related(
        json_part(metadata_of(first, "a"), metadata_of(second, "b")),
        pixels_part(first.PixelData, "a"),
    )
    r = store(client, body)
    assert r.status_code == 202
    (failed,) = r.json[FAILED]["Value"]
    assert failed[REASON] == {"vr": "US", "Value": [272]}
    assert failed["00081155"]["Value"] == [second.SOPInstanceUID]
    assert [i["00081155"]["Value"][0] for i in r.json[REFERENCED]["Value"]] == [first.SOPInstanceUID]
    found = client.get("/sphere/qidors/instances").json
    assert [i["00080018"]["Value"][0] for i in found] == [first.SOPInstanceUID]


def test_metadata_that_is_not_dicom_json_is_a_400_and_stores_nothing(client):
    ds = dataset(to_part10(image_dataset(4, 4, "CT")))
    body = related(({"Content-Type": "application/dicom+json"}, b"{not json"), pixels_part(ds.PixelData))
    detail(
        store(client, body),
        400,
        "The request body is not valid: an application/dicom+json part is not DICOM JSON (an array of data sets).",
    )
    assert client.get("/sphere/qidors/instances").json == []


def test_other_root_types_are_415_naming_what_is_taken(client):
    r = store(client, related(json_part({})), 'multipart/related; type="application/dicom+xml"; boundary=m3ta')
    detail(
        r,
        415,
        "The content type 'multipart/related; type=\"application/dicom+xml\"' is not supported: only "
        "application/dicom parts and application/dicom+json metadata with bulk data are.",
    )
    assert client.get("/sphere/qidors/instances").json == []


def test_msdicom_takes_no_metadata_upload(client):
    """The Microsoft server's conformance statement lists application/dicom alone: 415."""
    ds = dataset(to_part10(image_dataset(4, 5, "CT")))
    r = client.post(
        "/msdicom/v2/studies",
        data=related(json_part(metadata_of(ds)), pixels_part(ds.PixelData)),
        headers={"Content-Type": RELATED_JSON, "Accept": "application/dicom+json"},
    )
    assert r.status_code == 415
    assert r.get_data(as_text=True) == (
        "The content type 'multipart/related; type=\"application/dicom+json\"' is not supported: only "
        "application/dicom parts are."
    )
    assert client.get("/msdicom/v2/instances").status_code == 204
