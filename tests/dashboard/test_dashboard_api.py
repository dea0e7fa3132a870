"""What the dashboard reads: jobs and studies of every vendor, thumbnails with the findings drawn on."""

import io

import numpy as np
import pytest
from PIL import Image

from mockservers.dashboard.thumbnails import PALETTE
from mockservers.dicom.synthetic import dx_file
from tests.sigma.conftest import Sigma


@pytest.fixture
def finished(client):
    """Four finished studies: findings depend on the namespace's seed, so some of them have boxes."""
    s = Sigma(client)
    s.login()
    uploaded = []
    for index in (2, 3, 4, 5):
        ds = s.upload(dx_file(index=index, rows=256, columns=256))
        s.new_job(ds)
        uploaded.append(ds)
    s.advance(60)
    return uploaded


def with_findings(client) -> dict:
    studies = [s for s in client.get("/__admin/studies?vendor=sigma").json["studies"] if s["findings"]]
    assert studies, "at least one of the four images has findings"
    return studies[0]


def colours(png: bytes) -> set:
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    return {tuple(int(v) for v in p) for p in pixels}


def test_jobs_and_studies(client, finished):
    jobs = client.get("/__admin/jobs").json["jobs"]
    assert [(j["vendor"], j["state"]) for j in jobs] == [("sigma", "success")] * 4
    studies = client.get("/__admin/studies?vendor=sigma").json["studies"]
    assert {s["id"] for s in studies} == {ds.SeriesInstanceUID for ds in finished}
    assert all(s["thumbnail"].endswith("/thumbnail.png") for s in studies)
    assert with_findings(client)["findings"][0]["box"]


def test_thumbnail_has_the_boxes_drawn(client, finished):
    study = with_findings(client)
    response = client.get(study["thumbnail"])
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.size == (256, 256)
    first_colour = tuple(int(PALETTE[0][i : i + 2], 16) for i in (1, 3, 5))
    assert first_colour in colours(response.data)


def test_thumbnail_errors(client, finished):
    assert client.get("/__admin/studies/nope/1/thumbnail.png").status_code == 404
    assert client.get("/__admin/studies/sigma/1.2.3/thumbnail.png").status_code == 404
    study = client.get("/__admin/studies").json["studies"][0]
    assert client.get(study["thumbnail"] + "?size=5").status_code == 400


def test_thumbnail_by_namespace_query(client):
    s = Sigma(client)
    s.c.get(
        "/sigma/login",
        query_string={"account_name": "sigma", "user_name": "test", "password": "MTIzNDU2"},
        headers={"X-Mock-Namespace": "pics"},
    )
    assert client.get("/__admin/studies?namespace=pics").json["studies"] == []


def test_pages_are_served_without_a_cdn(client):
    for path in ("/", "/__admin/ui"):
        page = client.get(path)
        assert page.status_code == 200 and page.mimetype == "text/html"
        html = page.get_data(as_text=True)
        assert "https://" not in html and "http://" not in html
    assert client.get("/__admin/ui/static/dashboard.js").mimetype == "text/javascript"
    assert client.get("/__admin/ui/static/nothing.js").status_code == 404


def test_vendor_listing(client):
    vendors = {v["key"]: v for v in client.get("/__admin/vendors").json["vendors"]}
    assert vendors["sigma"]["openapi"] is True and vendors["sigma"]["base_path"] == "/sigma"
