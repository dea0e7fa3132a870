"""What the dashboard reads: jobs and studies of every vendor, thumbnails with the findings drawn on."""

import io
import re

import numpy as np
import pytest
from PIL import Image

from mockservers.core.faults import CALLBACK_ACTIONS, REQUEST_ACTIONS
from mockservers.dashboard.thumbnails import PALETTE, render
from mockservers.dicom.picture import display
from mockservers.dicom.synthetic import ct_series, dx_dataset, dx_file, to_part10
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
    for name, mimetype in (("dashboard.js", "text/javascript"), ("dashboard.css", "text/css")):
        served = client.get(f"/__admin/ui/static/{name}")
        assert served.mimetype == mimetype
        assert not re.search(r"https?://|@import|//cdn", served.get_data(as_text=True))  # nothing fetched elsewhere
    assert client.get("/__admin/ui/static/nothing.js").status_code == 404


def test_vendor_listing(client):
    vendors = {v["key"]: v for v in client.get("/__admin/vendors").json["vendors"]}
    assert vendors["sigma"]["openapi"] is True and vendors["sigma"]["base_path"] == "/sigma"


def test_studies_are_paged_with_the_total_of_all(client, finished):
    everything = client.get("/__admin/studies").json
    assert everything["total"] == 4
    first = client.get("/__admin/studies?limit=3").json
    rest = client.get("/__admin/studies?limit=3&offset=3").json
    assert (first["total"], rest["total"]) == (4, 4)
    assert [s["id"] for s in first["studies"] + rest["studies"]] == [s["id"] for s in everything["studies"]]
    assert client.get("/__admin/studies?offset=9").json == {"studies": [], "total": 4}


@pytest.mark.parametrize(
    "query, message",
    [
        ("limit=0", "'limit' must be a whole number from 1 to 2147483647"),
        ("limit=x", "'limit' must be a whole number from 1 to 2147483647"),
        ("limit=2147483648", "'limit' must be a whole number from 1 to 2147483647"),
        ("offset=-1", "'offset' must be a whole number up to 2147483647"),
        ("offset=", "'offset' must be a whole number up to 2147483647"),
    ],
)
def test_a_bad_page_is_a_400(client, query, message):
    response = client.get(f"/__admin/studies?{query}")
    assert (response.status_code, response.json) == (400, {"error": message})


def test_a_vendors_catalog_names_its_routes_actions_and_errors(client):
    response = client.get("/__admin/vendors/sigma")
    assert response.status_code == 200
    sigma = response.json
    assert sigma["key"] == "sigma"
    routes = {r["path"]: r["methods"] for r in sigma["routes"]}
    assert routes["/sigma/login"] == ["GET"]
    assert routes["/sigma/accounts/*/jobs/list/"] == ["GET"]  # the path glob a fault rule takes
    assert all(path.startswith("/sigma/") for path in routes)
    assert [a["name"] for a in sigma["actions"]] == list(REQUEST_ACTIONS)
    assert not any(a["vendor"] for a in sigma["actions"])
    assert [a["name"] for a in sigma["callback_actions"]] == list(CALLBACK_ACTIONS)
    assert {"code": "InternalServerError", "status": 500} in sigma["errors"]


def test_a_dicomweb_vendor_lists_its_own_action(client):
    sphere = client.get("/__admin/vendors/sphere").json
    own = [a for a in sphere["actions"] if a["vendor"]]
    assert [a["name"] for a in own] == ["stow_fail"]
    assert own[0]["takes"].startswith("`N` (parts to fail")
    assert {"path": "/sphere/stowrs/studies", "methods": ["POST"]} in sphere["routes"]


def test_an_object_stores_root_routes_are_its_vendors(client):
    routes = {r["path"] for r in client.get("/__admin/vendors/aliyun").json["routes"]}
    assert {"/aliyun/sts/token", "/*/*"} <= routes


def test_every_path_glob_matches_a_request_its_route_takes(client):
    """A rule made from the catalog's path fires on that route: the glob stands for the route's parameters."""
    jobs_list = next(r["path"] for r in client.get("/__admin/vendors/sigma").json["routes"] if "jobs/list" in r["path"])
    assert (
        client.post(
            "/__admin/faults", json={"vendor": "sigma", "path": jobs_list, "action": {"status": 503}}
        ).status_code
        == 201
    )
    assert client.get("/sigma/accounts/7/jobs/list/").status_code == 503


def test_an_unknown_vendor_has_no_catalog(client):
    response = client.get("/__admin/vendors/nope")
    assert (response.status_code, response.json) == (404, {"error": "unknown vendor 'nope'"})


def test_a_ct_thumbnail_is_its_slice_as_a_viewer_shows_it():
    """Real pixel data is drawn, windowed as the file says, never a stand-in."""
    ds = ct_series(index=1, slices=1, size=128)[0]
    thumb = Image.open(io.BytesIO(render(to_part10(ds), [], size=128))).convert("L")
    expected = Image.fromarray(display(ds)).convert("L").resize(thumb.size)
    difference = np.abs(np.asarray(thumb, dtype=int) - np.asarray(expected, dtype=int))
    assert difference.mean() < 2
    assert np.asarray(thumb)[:8, :8].max() < 30  # air outside the body: not a gradient's bright corner


def test_every_finding_is_boxed_in_a_colour_of_its_own_whatever_its_label():
    ds = dx_dataset(index=4, rows=256, columns=256)
    first = {"label": "结节", "score": 0.9, "box": [40, 40, 120, 120]}  # a Chinese label: listed by the page
    second = {"label": "b", "score": None, "box": [150, 150, 200, 200]}
    second_colour = tuple(int(PALETTE[1][i : i + 2], 16) for i in (1, 3, 5))
    assert second_colour not in colours(render(to_part10(ds), [first], size=256))
    assert second_colour in colours(render(to_part10(ds), [first, second], size=256))


def test_the_journal_row_has_the_response_headers_to_show(client):
    sent = client.get(
        "/sigma/login", query_string={"account_name": "sigma", "user_name": "test", "password": "MTIzNDU2"}
    )
    entry = client.get("/__admin/requests?vendor=sigma").json["requests"][0]
    assert entry["response_headers"]["Content-Type"] == "application/json"
    assert entry["response_headers"]["x-sg-request-id"] == sent.headers["x-sg-request-id"]
    script = client.get("/__admin/ui/static/dashboard.js").get_data(as_text=True)
    assert "headerLines(e.response_headers)" in script and "not its headers" not in script
