"""WADO-RS on msdicom: instances, metadata, frames, rendered; the transfer-syntax rules; 404 and 406."""

from __future__ import annotations

import io

import pydicom
import pytest
from PIL import Image

from tests.dicom.files import dataset, split_multipart, uids
from tests.msdicom.conftest import text_error

ANY_TS = 'multipart/related; type="application/dicom"; transfer-syntax=*'
EXPLICIT = "1.2.840.10008.1.2.1"
RLE = "1.2.840.10008.1.2.5"


def path(data, *, series=True, sop=True):
    study, se, so = uids(data)
    p = f"/studies/{study}"
    if series:
        p += f"/series/{se}"
        if sop:
            p += f"/instances/{so}"
    return p


def test_study_with_transfer_syntax_star_returns_files_as_stored(ms, stored):
    r = ms.get(path(stored["ct1"], series=False), accept=ANY_TS)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith('multipart/related; type="application/dicom"; boundary=')
    parts = split_multipart(r)
    assert sorted(p[1] for p in parts) == sorted([stored["ct1"], stored["ct2"], stored["mr"]])
    assert f"application/dicom; transfer-syntax={RLE}" in [p[0] for p in parts]


def test_series_of_several_instances_without_star_is_406(ms, stored):
    """The notes' trap: a missing transfer-syntax means explicit VR LE, and multi-instance transcoding is refused."""
    r = ms.get(path(stored["ct1"], sop=False), accept='multipart/related; type="application/dicom"')
    text_error(r, 406, "Requested transcoding of multiple instances is not supported.")
    assert len(split_multipart(ms.get(path(stored["ct1"], sop=False), accept=ANY_TS))) == 2


def test_single_instance_is_transcoded_to_explicit_vr_little_endian_by_default(ms, stored):
    r = ms.get(path(stored["mr"]), accept='multipart/related; type="application/dicom"')
    assert r.status_code == 200
    ((content_type, content),) = split_multipart(r)
    assert content_type == f"application/dicom; transfer-syntax={EXPLICIT}"
    ds = dataset(content)
    assert ds.file_meta.TransferSyntaxUID == EXPLICIT
    assert ds.pixel_array.shape == (3, 32, 32)
    assert (ds.pixel_array == dataset(stored["mr"]).pixel_array).all()


def test_single_instance_as_bare_application_dicom(ms, stored):
    r = ms.get(path(stored["ct1"]), accept="application/dicom; transfer-syntax=*")
    assert r.status_code == 200 and r.mimetype == "application/dicom"
    assert r.get_data() == stored["ct1"]


def test_transcoding_it_cannot_do_is_406(ms, stored):
    r = ms.get(
        path(stored["ct1"]),
        accept='multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.50',
    )
    text_error(r, 406, "The requested transfer syntax '1.2.840.10008.1.2.4.50' is not supported for transcoding.")


def test_metadata_at_every_level_leaves_the_pixel_data_out(ms, stored):
    study_level = ms.get(path(stored["ct1"], series=False) + "/metadata")
    assert study_level.status_code == 200 and study_level.headers["Content-Type"] == "application/dicom+json"
    assert len(study_level.json) == 3
    assert all("7FE00010" not in item for item in study_level.json)  # tests/msdicom/test_metadata.py: every binary
    assert len(ms.get(path(stored["ct1"], sop=False) + "/metadata").json) == 2
    one = ms.get(path(stored["mr"]) + "/metadata").json
    assert isinstance(one, list) and len(one) == 1
    assert one[0]["00280008"] == {"vr": "IS", "Value": [3]}
    assert one[0]["00100010"]["Value"] == [{"Alphabetic": str(dataset(stored["mr"]).PatientName)}]


def test_frames_list_uncompressed_by_default(ms, stored):
    r = ms.get(path(stored["mr"]) + "/frames/1,3", accept='multipart/related; type="application/octet-stream"')
    assert r.status_code == 200
    parts = split_multipart(r)
    pixels = dataset(stored["mr"]).pixel_array
    assert [p[0] for p in parts] == [f"application/octet-stream; transfer-syntax={EXPLICIT}"] * 2
    assert parts[0][1] == pixels[0].tobytes() and parts[1][1] == pixels[2].tobytes()


def test_frames_as_stored_with_star(ms, stored):
    r = ms.get(
        path(stored["mr"]) + "/frames/2", accept='multipart/related; type="application/octet-stream"; transfer-syntax=*'
    )
    ((content_type, content),) = split_multipart(r)
    assert content_type == f"application/octet-stream; transfer-syntax={RLE}"
    frames = list(pydicom.encaps.generate_frames(dataset(stored["mr"]).PixelData, number_of_frames=3))
    assert content == frames[1]


@pytest.mark.parametrize(
    "frames, status, message",
    [
        ("4", 404, "The specified frame cannot be found."),
        ("0", 400, "The frame list '0' is invalid: frames are numbered from 1."),
        ("1,x", 400, "The frame list '1,x' is invalid: frames are numbered from 1."),
    ],
)
def test_bad_frames_are_refused(ms, stored, frames, status, message):
    text_error(
        ms.get(path(stored["mr"]) + f"/frames/{frames}", accept='multipart/related; type="application/octet-stream"'),
        status,
        message,
    )


@pytest.mark.parametrize("accept, fmt", [("image/jpeg", "JPEG"), ("image/png", "PNG"), (None, "JPEG")])
def test_rendered(ms, stored, accept, fmt):
    r = ms.get(path(stored["ct1"]) + "/rendered", accept=accept)
    assert r.status_code == 200
    image = Image.open(io.BytesIO(r.get_data()))
    assert image.format == fmt and image.size == (32, 32)
    frame = ms.get(path(stored["mr"]) + "/frames/2/rendered", accept="image/png")
    assert Image.open(io.BytesIO(frame.get_data())).format == "PNG"


def test_rendered_refusals(ms, stored):
    text_error(ms.get(path(stored["ct1"]) + "/rendered", accept="image/gif"), 406)
    text_error(ms.get(path(stored["mr"]) + "/frames/9/rendered", accept="image/png"), 404)
    text_error(ms.get(path(stored["ct1"]) + "/rendered", accept="image/jpeg", quality="0"), 400)


def test_unknown_resources_are_404_naming_the_level(ms, stored):
    study, series, _ = uids(stored["ct1"])
    text_error(ms.get("/studies/1.2.3/metadata"), 404, "The specified study cannot be found.")
    text_error(ms.get(f"/studies/{study}/series/1.2.3/metadata"), 404, "The specified series cannot be found.")
    text_error(
        ms.get(f"/studies/{study}/series/{series}/instances/1.2.3/metadata"),
        404,
        "The specified instance cannot be found.",
    )
    text_error(ms.get("/studies/1.2.3", accept=ANY_TS), 404)


def test_invalid_uid_in_path_is_400(ms, stored):
    body = text_error(ms.get("/studies/not-a-uid/metadata"), 400)
    assert body.startswith("DICOM100: StudyInstanceUID 'not-a-uid' is not a valid DICOM UID")
    text_error(ms.get("/studies/1.2.3/series/01.2/metadata"), 400)


def test_metadata_accept_xml_is_406(ms, stored):
    text_error(ms.get(path(stored["ct1"]) + "/metadata", accept="application/dicom+xml"), 406)
