"""WADO-RS and STOW-RS on sphere: as stored by default, frame number ignored, DECOMPRESS_PIXELS, no DELETE."""

from __future__ import annotations

import pytest

from tests.dicom.files import dataset, multipart, split_multipart, uids
from tests.sphere.conftest import MULTIPART, detail, stow

RLE = "1.2.840.10008.1.2.5"
EXPLICIT = "1.2.840.10008.1.2.1"
DICOM = {"Accept": 'multipart/related; type="application/dicom"'}


def instance_path(data):
    study, series, sop = uids(data)
    return f"/sphere/wadors/studies/{study}/series/{series}/instances/{sop}"


def test_study_retrieval_with_the_documented_accept_returns_every_instance_as_stored(client, stored):
    study, _, _ = uids(stored["ct1"])
    r = client.get(f"/sphere/wadors/studies/{study}", headers=DICOM)
    assert r.status_code == 200
    parts = split_multipart(r)
    assert sorted(c for _, c in parts) == sorted([stored["ct1"], stored["ct2"], stored["mr"]])
    assert f"application/dicom; transfer-syntax={RLE}" in [t for t, _ in parts]


def test_series_and_instance_retrieval(client, stored):
    study, series, _ = uids(stored["ct1"])
    assert len(split_multipart(client.get(f"/sphere/wadors/studies/{study}/series/{series}", headers=DICOM))) == 2
    (part,) = split_multipart(client.get(instance_path(stored["mr"]), headers=DICOM))
    assert part[1] == stored["mr"]


def test_a_transfer_syntax_in_the_accept_is_ignored(client, stored):
    accept = 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2'
    ((content_type, content),) = split_multipart(client.get(instance_path(stored["mr"]), headers={"Accept": accept}))
    assert content_type == f"application/dicom; transfer-syntax={RLE}" and content == stored["mr"]


def test_metadata_levels_and_the_instance_as_an_object(client, stored):
    study, series, _ = uids(stored["ct1"])
    study_meta = client.get(f"/sphere/wadors/studies/{study}/metadata")
    assert study_meta.status_code == 200 and len(study_meta.json) == 3
    assert all("7FE00010" not in m for m in study_meta.json)
    assert len(client.get(f"/sphere/wadors/studies/{study}/series/{series}/metadata").json) == 2
    one = client.get(instance_path(stored["ct1"]) + "/metadata").json
    assert isinstance(one, dict) and one["00080018"]["Value"] == [uids(stored["ct1"])[2]]
    xml = client.get(instance_path(stored["ct1"]) + "/metadata", headers={"Accept": "application/dicom+xml"})
    assert xml.get_data(as_text=True) == "En cours de développement"


@pytest.mark.parametrize("frame", ["1", "2", "99", "1,2"])
def test_frame_number_is_ignored_and_pixel_data_returned(client, stored, frame):
    r = client.get(
        instance_path(stored["mr"]) + f"/frames/{frame}",
        headers={"Accept": 'multipart/related; type="application/octet-stream"'},
    )
    assert r.status_code == 200
    ((content_type, content),) = split_multipart(r)
    assert content_type == f"application/octet-stream; transfer-syntax={RLE}"
    assert content == dataset(stored["mr"]).PixelData


def test_decompress_pixels_switch(configured, files):
    client = configured({"DECOMPRESS_PIXELS": True})
    assert stow(client, [files["mr"]]).status_code == 200
    ((content_type, content),) = split_multipart(client.get(instance_path(files["mr"]), headers=DICOM))
    assert content_type == f"application/dicom; transfer-syntax={EXPLICIT}"
    assert (dataset(content).pixel_array == dataset(files["mr"]).pixel_array).all()
    ((frame_type, frame),) = split_multipart(client.get(instance_path(files["mr"]) + "/frames/1"))
    assert frame_type == f"application/octet-stream; transfer-syntax={EXPLICIT}"
    assert frame == dataset(files["mr"]).pixel_array.tobytes()


def test_unknown_resources_are_404(client, stored):
    study, _series, _ = uids(stored["ct1"])
    detail(client.get("/sphere/wadors/studies/1.2.3/metadata"), 404, "The specified study cannot be found.")
    detail(
        client.get(f"/sphere/wadors/studies/{study}/series/1.2.3", headers=DICOM),
        404,
        "The specified series cannot be found.",
    )


def test_stow_at_stowrs_studies(client, files, host_url):
    r = stow(client, [files["ct1"], files["ct1"]])
    assert r.status_code == 202 and r.headers["Content-Type"] == "application/dicom+json"
    assert r.json["00081199"]["Value"][0]["00081190"]["Value"][0].startswith(f"{host_url}/sphere/wadors/")
    assert r.json["00081198"]["Value"][0]["00081197"]["Value"] == [45071]


def test_stow_to_a_study_refuses_other_studies(client, files):
    study, _, _ = uids(files["ct1"])
    r = stow(client, [files["other"]], study=study)
    assert r.status_code == 409
    assert r.json["00081198"]["Value"][0]["00081197"]["Value"] == [43265]


def test_stow_refusals(client, files):
    detail(client.post("/sphere/stowrs/studies", data=files["ct1"], headers={"Content-Type": "application/dicom"}), 415)
    detail(
        client.post(
            "/sphere/stowrs/studies", data=multipart([files["ct1"]], boundary="zz"), headers={"Content-Type": MULTIPART}
        ),
        400,
    )
    assert client.get("/sphere/qidors/instances").json == []


def test_delete_is_not_offered_unless_configured(client, configured, stored):
    study, _, _ = uids(stored["ct1"])
    r = client.delete(f"/sphere/wadors/studies/{study}")
    detail(r, 405, 'Method "DELETE" not allowed.')
    assert len(client.get("/sphere/qidors/studies").json) == 2
    other = configured({"mock": {"allow_delete": True}})
    stow(other, [stored["ct1"]])
    assert other.delete(f"/sphere/wadors/studies/{study}").status_code == 204
    assert other.get("/sphere/qidors/studies").json == []
