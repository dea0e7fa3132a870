"""Paths outside the vendors' routes: the browser's /favicon.ico, and a URL one trailing slash away from a route."""

import pytest

from mockservers.app import create_app
from tests.machinery import test_settings

WERKZEUG_NOT_FOUND = (
    "The requested URL was not found on the server. If you entered the URL manually please check your spelling and "
    "try again."
)


def journal(client):
    return client.get("/__admin/requests").json["requests"]


def assert_icon(answer):
    assert answer.status_code == 200 and answer.mimetype == "image/x-icon"
    assert answer.data[:4] == b"\x00\x00\x01\x00", "an ICO file's header"
    assert "X-Mock-Explain" not in answer.headers


def test_the_favicon_is_answered_and_not_journaled(client):
    assert_icon(client.get("/favicon.ico"))
    assert client.head("/favicon.ico").status_code == 200
    assert journal(client) == []


@pytest.mark.parametrize("vendor", ["aliyun", "sigma"])
def test_the_favicon_with_one_vendor_served_at_the_root(vendor):
    app = create_app(test_settings(vendors=[vendor]), start_background=False)
    c = app.test_client()
    assert_icon(c.get("/favicon.ico"))
    assert c.get("/__admin/requests").json["requests"] == []
    if vendor == "sigma":  # the vendor's own routes still answer at the root
        login = c.get("/login?account_name=sigma&user_name=test&password=MTIzNDU2")
        assert login.status_code == 200 and login.json["data"]["user_info"]["token"]
    app.extensions["mockservers.namespaces"].close()


def test_favicon_ico_is_no_bucket_name(client):
    """OSS bucket names have no dots: a PUT of /favicon.ico is the object store's, refused as a bucket name."""
    answer = client.put("/favicon.ico")
    assert answer.status_code == 400 and "<Code>InvalidBucketName</Code>" in answer.get_data(as_text=True)
    assert [e["path"] for e in journal(client)] == ["/favicon.ico"]


@pytest.mark.parametrize(
    "path, hint, envelope",
    [
        (
            "/sigma/accounts/sigma/jobs/list",
            "no such path; did you mean /sigma/accounts/sigma/jobs/list/ (with a trailing slash)?",
            lambda a: a.json["error"]["code"] == "NotFound",
        ),
        (
            "/sigma/login/",
            "no such path; did you mean /sigma/login (without the trailing slash)?",
            lambda a: a.json["error"]["code"] == "NotFound",
        ),
        (
            "/sphere/qidors/studies/",
            "no such path; did you mean /sphere/qidors/studies (without the trailing slash)?",
            lambda a: a.json == {"detail": "Not found."},
        ),
        (
            "/msdicom/v1/studies/",
            "no such path; did you mean /msdicom/v1/studies (without the trailing slash)?",
            lambda a: a.get_data(as_text=True) == "The requested resource cannot be found.",
        ),
    ],
)
def test_a_path_one_slash_away_from_a_route_is_explained(client, path, hint, envelope):
    answer = client.get(path)
    assert answer.status_code == 404 and envelope(answer), "the vendor's own 404 envelope"
    assert answer.headers["X-Mock-Explain"] == hint
    assert [(e["path"], e["explain"]) for e in journal(client)] == [(path, hint)]


def test_a_route_for_another_method_one_slash_away_is_named_too(client):
    answer = client.post("/sigma/accounts/sigma/jobs", json={})
    assert answer.status_code == 404
    assert answer.headers["X-Mock-Explain"] == (
        "no such path; did you mean /sigma/accounts/sigma/jobs/ (with a trailing slash)?"
    )


def test_a_path_that_is_simply_wrong_keeps_the_generic_explanation(client):
    answer = client.get("/sigma/accounts/sigma/nothing/")
    assert answer.status_code == 404 and answer.headers["X-Mock-Explain"] == WERKZEUG_NOT_FOUND


def test_cad4tb_still_redirects_to_the_slash_as_django_does(client):
    answer = client.get("/cad4tb/api/v1/patient/get?patient_id=1")
    assert answer.status_code == 301 and answer.headers["Location"] == "/cad4tb/api/v1/patient/get/?patient_id=1"
