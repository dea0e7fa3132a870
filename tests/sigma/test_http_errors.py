"""Failures met before a route runs still answer in the vendor's envelope, never Flask's HTML."""

import pytest

from tests.sigma.conftest import assert_error


@pytest.mark.parametrize(
    "path", ["/sigma/nothing", "/sigma/accounts/sigma/jobs", "/sigma/login/", "/sigma/accounts/sigma/store/downloads"]
)
def test_unknown_url_or_missing_slash_is_not_found(client, path):
    assert_error(
        client.get(path), 404, "NotFound", "The requested URL was not found on the server!", "请求的URL不存在!"
    )


@pytest.mark.parametrize(
    "method, path",
    [
        ("PUT", "/sigma/accounts/sigma/jobs/"),
        ("GET", "/sigma/logout"),
        ("DELETE", "/sigma/accounts/sigma/store/downloads/"),
    ],
)
def test_wrong_method(client, method, path):
    assert_error(client.open(path, method=method), 405, "MethodNotAllowed")


def test_fault_error_renders_in_the_envelope_with_the_catalog_status(sigma, client):
    client.post(
        "/__admin/faults",
        json={
            "vendor": "sigma",
            "method": "GET",
            "path": "/sigma/accounts/*/jobs/studylist/",
            "times": 2,
            "action": {"error": "ListStudyListError"},
        },
    )
    for _ in range(2):
        assert_error(
            client.get("/sigma/accounts/sigma/jobs/studylist/", headers=sigma.headers),
            500,
            "ListStudyListError",
            "list study failed!",
            "",  # the document's failure example
        )
    assert client.get("/sigma/accounts/sigma/jobs/studylist/", headers=sigma.headers).status_code == 200
    journal = client.get("/__admin/requests", query_string={"path": "/sigma/accounts/sigma/jobs/studylist/"}).json
    assert [e["fault_id"] is not None for e in journal["requests"]] == [False, True, True]


def test_fault_with_unknown_error_code_is_refused(client):
    response = client.post("/__admin/faults", json={"vendor": "sigma", "action": {"error": "Nope"}})
    assert response.status_code == 400 and "catalog" in response.json["error"]


def test_unexpected_exception_is_a_500_envelope(client, monkeypatch):
    from mockservers.sigma import backend

    def explode(self, *args):
        raise RuntimeError("boom")

    monkeypatch.setattr(backend.SigmaBackend, "list_jobs", explode)
    from tests.sigma.conftest import Sigma

    s = Sigma(client)
    s.login()
    response = client.get("/sigma/accounts/sigma/jobs/list/?unique_id=1", headers=s.headers)
    assert_error(response, 500, "InternalServerError")


def test_an_explanation_outside_latin1_is_escaped(sigma, client):
    response = client.get(
        "/sigma/accounts/sigma/store/downloads/", query_string={"filename": "胸片.dcm"}, headers=sigma.headers
    )
    assert response.status_code == 404
    response = client.post("/sigma/accounts/sigma/jobs/", data='{"job_type": "胸片"}', headers=sigma.headers)
    assert response.status_code == 400 and response.headers["X-Mock-Explain"].isascii()
