"""Metadata bulk data (PS3.18 F.2.6) on sphere: BulkDataURIs in WADO metadata (with mock.bulk_data_uris), and the
URIs answering the real dicomweb-client (retrieve_bulkdata), and their error paths. msdicom has no bulk data: its
metadata leaves every binary value out, as the Microsoft server's does (tests/msdicom/test_metadata.py)."""

from __future__ import annotations

import pytest
import requests
from dicomweb_client.api import DICOMwebClient
from pydicom.dataset import Dataset

from mockservers.dicom.synthetic import image_dataset, to_part10
from mockservers.pytest_plugin import InProcessAdapter
from tests.dicom.files import dataset, multipart, split_multipart, study_files, uids

DOCUMENT = bytes(range(256)) * 8  # 2 KiB: over the 1 KiB bulk threshold
ICON = bytes(reversed(range(256))) * 6


def with_bulk() -> bytes:
    """A CT with an EncapsulatedDocument (0042,0011) and an icon's pixels inside IconImageSequence (0088,0200)."""
    ds = image_dataset(7, 0, "CT")
    ds.add_new(0x00420011, "OB", DOCUMENT)
    icon = Dataset()
    icon.add_new(0x7FE00010, "OB", ICON)
    ds.add_new(0x00880200, "SQ", [icon])
    ds.add_new(0x00091010, "OB", b"\x01" * 16)  # small binary: inline, not bulk
    return to_part10(ds)


def _sphere_client(app) -> DICOMwebClient:
    """dicomweb-client on an in-process sphere: its BulkDataURIs (http://localhost/...) go to the same app."""
    session = requests.Session()
    session.mount("http://localhost/", InProcessAdapter(app, ""))
    return DICOMwebClient(
        "http://localhost/sphere",
        qido_url_prefix="qidors",
        wado_url_prefix="wadors",
        stow_url_prefix="stowrs",
        session=session,
    )


def test_dicomweb_client_follows_every_bulk_data_uri(configured_sphere):
    data, files = with_bulk(), study_files(seed=8)
    client = _sphere_client(configured_sphere({"mock": {"bulk_data_uris": True}}).application)
    client.store_instances([dataset(data), dataset(files["mr"])])
    study, series, sop = uids(data)
    meta = client.retrieve_instance_metadata(study, series, sop)
    base = f"http://localhost/sphere/wadors/studies/{study}/series/{series}/instances/{sop}"
    assert meta["7FE00010"] == {"vr": "OW", "BulkDataURI": base + "/frames/1"}
    assert meta["00420011"] == {"vr": "OB", "BulkDataURI": base + "/bulkdata/00420011"}
    icon = meta["00880200"]["Value"][0]["7FE00010"]
    assert icon == {"vr": "OB", "BulkDataURI": base + "/bulkdata/00880200/0/7FE00010"}
    assert "InlineBinary" in meta["00091010"]
    assert client.retrieve_bulkdata(meta["00420011"]["BulkDataURI"]) == [DOCUMENT]
    assert client.retrieve_bulkdata(icon["BulkDataURI"], media_types=("application/octet-stream",)) == [ICON]
    assert client.retrieve_bulkdata(meta["7FE00010"]["BulkDataURI"], media_types=("application/octet-stream",)) == [
        dataset(data).PixelData
    ]
    # A multi-frame instance: its PixelData URI names every frame; sphere answers its pixel data whole, as stored
    # (it ignores the frame numbers: docs/sphere.md).
    mr_study, mr_series, mr_sop = uids(files["mr"])
    mr = client.retrieve_instance_metadata(mr_study, mr_series, mr_sop)
    assert mr["7FE00010"]["BulkDataURI"].endswith("/frames/1,2,3")
    frames = client.retrieve_bulkdata(mr["7FE00010"]["BulkDataURI"], media_types=("application/octet-stream",))
    assert frames == [dataset(files["mr"]).PixelData]


def test_sphere_leaves_the_pixels_out_unless_configured(mock_server, configured_sphere):
    data = with_bulk()
    sphere = DICOMwebClient(
        mock_server.url("sphere"), qido_url_prefix="qidors", wado_url_prefix="wadors", stow_url_prefix="stowrs"
    )
    sphere.store_instances([dataset(data)])
    study, series, sop = uids(data)
    meta = sphere.retrieve_instance_metadata(study, series, sop)
    assert "7FE00010" not in meta and "00420011" not in meta and meta["00880200"]["Value"] == [{}]
    # the bulk data resource answers even so
    url = f"{mock_server.url('sphere')}/wadors/studies/{study}/series/{series}/instances/{sop}/bulkdata/00420011"
    assert sphere.retrieve_bulkdata(url) == [DOCUMENT]
    client = configured_sphere({"mock": {"bulk_data_uris": True}})
    client.post(
        "/sphere/stowrs/studies",
        data=multipart([data]),
        headers={"Content-Type": 'multipart/related; type="application/dicom"; boundary=b0und4ry'},
    )
    meta = client.get(f"/sphere/wadors/studies/{study}/series/{series}/instances/{sop}/metadata").json
    assert meta["00420011"]["BulkDataURI"].endswith(
        f"/sphere/wadors/studies/{study}/series/{series}/instances/{sop}/bulkdata/00420011"
    )
    assert meta["7FE00010"]["BulkDataURI"].endswith("/frames/1")


@pytest.fixture
def configured_sphere():
    from mockservers.app import create_app
    from tests.machinery import test_settings

    apps = []

    def make(config):
        app = create_app(test_settings(vendor_config={"sphere": config}), start_background=False)
        apps.append(app)
        return app.test_client()

    yield make
    for app in apps:
        app.extensions["mockservers"].close()


STOW = {"Content-Type": 'multipart/related; type="application/dicom"; boundary=b0und4ry'}


@pytest.fixture
def stored_bulk(client):
    data = with_bulk()
    r = client.post("/sphere/stowrs/studies", data=multipart([data]), headers=STOW)
    assert r.status_code == 200
    study, series, sop = uids(data)
    return f"/sphere/wadors/studies/{study}/series/{series}/instances/{sop}"


def test_bulk_data_is_one_octet_stream_part(client, stored_bulk):
    r = client.get(
        stored_bulk + "/bulkdata/00420011", headers={"Accept": 'multipart/related; type="application/octet-stream"'}
    )
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(
        'multipart/related; type="application/octet-stream"; boundary='
    )
    assert split_multipart(r) == [("application/octet-stream", DOCUMENT)]


@pytest.mark.parametrize(
    "tag_path",
    ["00420012", "00880200/1/7FE00010", "00880200/0", "0042001", "nothing", "00100010/0/00100010", "00100010"],
)
def test_a_bulk_data_path_the_instance_lacks_is_404(client, stored_bulk, tag_path):
    r = client.get(stored_bulk + "/bulkdata/" + tag_path)
    assert r.status_code == 404 and r.json == {"detail": "The specified bulk data cannot be found."}


def test_bulk_data_in_another_media_type_is_406(client, stored_bulk):
    r = client.get(stored_bulk + "/bulkdata/00420011", headers={"Accept": "application/dicom+json"})
    assert r.status_code == 406 and r.mimetype == "application/json" and "detail" in r.json


def test_qido_includefield_of_a_bulk_value_gives_its_uri(configured_sphere):
    client = configured_sphere({"mock": {"bulk_data_uris": True}})
    data = with_bulk()
    assert client.post("/sphere/stowrs/studies", data=multipart([data]), headers=STOW).status_code == 200
    study, series, sop = uids(data)
    [found] = client.get(f"/sphere/qidors/studies/{study}/instances", query_string={"includefield": "00420011"}).json
    assert found["00420011"]["BulkDataURI"].endswith(
        f"/sphere/wadors/studies/{study}/series/{series}/instances/{sop}/bulkdata/00420011"
    )


def test_msdicom_has_no_bulk_data_resource(client):
    """The Microsoft server has no such route (KnownRoutes.cs): a 404 like any unknown path."""
    data = with_bulk()
    r = client.post("/msdicom/v2/studies", data=multipart([data]), headers=STOW)
    assert r.status_code == 200
    study, series, sop = uids(data)
    base = f"/msdicom/v2/studies/{study}/series/{series}/instances/{sop}"
    r = client.get(
        base + "/bulkdata/00420011", headers={"Accept": 'multipart/related; type="application/octet-stream"'}
    )
    assert r.status_code == 404 and r.get_data(as_text=True) == "The requested resource cannot be found."
    (meta,) = client.get(base + "/metadata", headers={"Accept": "application/dicom+json"}).json
    assert not {"7FE00010", "00420011", "00091010"} & meta.keys() and meta["00880200"]["Value"] == [{}]


def test_qido_includefield_of_a_binary_value_leaves_it_out_on_msdicom(client):
    """The server answers QIDO from metadata stored without OB, OD, OF, OL, OV, OW or UN values, at any depth
    (DicomDatasetExtensions.CopyWithoutBulkDataItems): neither a bulk nor a small inline one."""
    data = with_bulk()
    assert client.post("/msdicom/v2/studies", data=multipart([data]), headers=STOW).status_code == 200
    study, _, _ = uids(data)
    [found] = client.get(
        f"/msdicom/v2/studies/{study}/instances", query_string={"includefield": "00420011,00091010,00880200"}
    ).json
    assert "00420011" not in found and "00091010" not in found
    assert found["00880200"] == {"vr": "SQ", "Value": [{}]}  # the icon's item, without its pixels
