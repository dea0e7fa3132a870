"""DICOMweb DELETE removes the stored files (study, series and instance level), on msdicom and on sphere; a file
another record holds (the same bytes stored on the other face) stays until the last record goes."""

import hashlib
import os

import pytest

from mockservers.app import create_app
from tests.dicom.files import multipart, study_files, uids
from tests.machinery import test_settings

MULTIPART = 'multipart/related; type="application/dicom"; boundary=b0und4ry'
BASES = {"msdicom": "/msdicom/v2", "sphere": "/sphere/wadors"}
STOW = {"msdicom": "/msdicom/v2/studies", "sphere": "/sphere/stowrs/studies"}


@pytest.fixture
def app():
    app = create_app(test_settings(vendor_config={"sphere": {"mock": {"allow_delete": True}}}), start_background=False)
    yield app
    app.extensions["mockservers.namespaces"].close()


@pytest.fixture
def files():
    return study_files()


def on_disk(app) -> list[str]:
    root = app.extensions["mockservers"].blobs.root
    return sorted(name for _, _, names in os.walk(root) for name in names)


def sha(*datas: bytes) -> list[str]:
    return sorted(hashlib.sha256(d).hexdigest() for d in datas)


def stow(client, face, parts):
    response = client.post(
        STOW[face], data=multipart(parts), headers={"Content-Type": MULTIPART, "Accept": "application/dicom+json"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)


@pytest.mark.parametrize("face", ["msdicom", "sphere"])
def test_delete_at_each_level_removes_the_files(app, files, face):
    c = app.test_client()
    stow(c, face, [files["ct1"], files["ct2"], files["mr"], files["other"]])
    assert on_disk(app) == sha(*files.values())
    study, series, sop = uids(files["ct1"])
    base = BASES[face]
    assert c.delete(f"{base}/studies/{study}/series/{series}/instances/{sop}").status_code == 204
    assert on_disk(app) == sha(files["ct2"], files["mr"], files["other"])
    assert c.delete(f"{base}/studies/{study}/series/{series}").status_code == 204
    assert on_disk(app) == sha(files["mr"], files["other"])
    assert c.delete(f"{base}/studies/{study}").status_code == 204
    assert on_disk(app) == sha(files["other"])


def test_the_same_bytes_on_the_other_face_keep_the_file(app, files):
    c = app.test_client()
    stow(c, "msdicom", [files["ct1"]])
    stow(c, "sphere", [files["ct1"]])
    study, series, sop = uids(files["ct1"])
    assert c.delete(f"/msdicom/v2/studies/{study}").status_code == 204
    assert on_disk(app) == sha(files["ct1"])
    got = c.get(
        f"/sphere/wadors/studies/{study}/series/{series}/instances/{sop}",
        headers={"Accept": 'multipart/related; type="application/dicom"'},
    )
    assert got.status_code == 200 and files["ct1"] in got.get_data()
    assert c.delete(f"/sphere/wadors/studies/{study}").status_code == 204
    assert on_disk(app) == []


def test_a_refused_delete_keeps_the_files(app, files):
    c = app.test_client()
    stow(c, "msdicom", [files["ct1"]])
    study, series, _ = uids(files["ct1"])
    assert c.delete(f"/msdicom/v2/studies/{study}/series/{series}/instances/1.2.3.4").status_code == 404
    assert on_disk(app) == sha(files["ct1"])


def test_a_deleted_then_stored_again_instance_has_its_file(app, files):
    c = app.test_client()
    stow(c, "msdicom", [files["ct1"]])
    study, series, sop = uids(files["ct1"])
    assert c.delete(f"/msdicom/v2/studies/{study}").status_code == 204
    stow(c, "msdicom", [files["ct1"]])
    assert on_disk(app) == sha(files["ct1"])
    got = c.get(
        f"/msdicom/v2/studies/{study}/series/{series}/instances/{sop}",
        headers={"Accept": 'multipart/related; type="application/dicom"'},
    )
    assert got.status_code == 200 and files["ct1"] in got.get_data()


def test_a_file_removed_under_a_reader_is_not_found_not_a_500(app, files):
    """A GET whose snapshot still shows an instance that a DELETE has since removed, file and all."""
    c = app.test_client()
    stow(c, "msdicom", [files["ct1"]])
    study, series, sop = uids(files["ct1"])
    app.extensions["mockservers"].blobs.delete(hashlib.sha256(files["ct1"]).hexdigest())
    instance = f"/msdicom/v2/studies/{study}/series/{series}/instances/{sop}"
    for path, accept in [
        (instance, 'multipart/related; type="application/dicom"'),
        (instance + "/frames/1", 'multipart/related; type="application/octet-stream"'),
        (instance + "/rendered", "image/png"),
    ]:
        response = c.get(path, headers={"Accept": accept})
        assert (response.status_code, response.get_data(as_text=True)) == (
            404,
            "The specified instance cannot be found.",
        ), path
