"""settings.yml: api.dicomweb.jwt_validate (Bearer JWT, PyJWT) and api.allowed_hosts, both off by default."""

from __future__ import annotations

import jwt
import pytest

from tests.sphere.conftest import detail

SECRET = "sphere-test-secret-at-least-32-bytes"
JWT_ON = {"api": {"dicomweb": {"jwt_validate": True, "jwt_secret": SECRET}}}


def token(**claims):
    return jwt.encode({"sub": "viewer", **claims}, SECRET, algorithm="HS256")


def test_off_by_default(client):
    assert client.get("/sphere/qidors/studies").status_code == 200


def test_jwt_validate_requires_a_valid_bearer_token(configured):
    c = configured(JWT_ON)
    r = c.get("/sphere/qidors/studies")
    detail(r, 401, "Authentication credentials were not provided.")
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    detail(c.get("/sphere/qidors/studies", headers={"Authorization": "Basic abc"}), 401)
    bad = jwt.encode({"sub": "x"}, "another-secret-also-at-least-32-bytes", algorithm="HS256")
    assert "Signature verification failed" in detail(
        c.get("/sphere/qidors/studies", headers={"Authorization": f"Bearer {bad}"}), 401
    )
    assert c.get("/sphere/qidors/studies", headers={"Authorization": f"Bearer {token()}"}).status_code == 200


def test_expiry_follows_the_mock_clock(configured):
    c = configured(JWT_ON)
    now = c.get("/__admin/clock").json["now"]
    good = token(exp=int(now) + 60)
    assert c.get("/sphere/qidors/studies", headers={"Authorization": f"Bearer {good}"}).status_code == 200
    c.post("/__admin/clock/advance", json={"seconds": 120})
    detail(
        c.get("/sphere/qidors/studies", headers={"Authorization": f"Bearer {good}"}),
        401,
        "Given token not valid: Signature has expired.",
    )


@pytest.mark.parametrize("hosts, status", [(["*"], 200), (["127.0.0.1"], 200), (["10.1.2.3"], 403)])
def test_allowed_hosts(configured, hosts, status):
    c = configured({"api": {"allowed_hosts": hosts}})
    r = c.get("/sphere/qidors/studies", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert r.status_code == status
    if status == 403:
        detail(r, 403, "Host 127.0.0.1 is not in allowed_hosts.")


def test_the_guard_answers_every_method_of_a_served_url_and_no_unmatched_path(configured):
    """The host and JWT checks run before anything else on a URL sphere serves, OPTIONS and HEAD included; a path it
    does not serve is a plain 404, and a method it does not take a 405, before any check."""
    c = configured(JWT_ON)
    for method in ("GET", "HEAD", "OPTIONS", "DELETE"):
        r = c.open("/sphere/wadors/studies/1.2.3", method=method)
        assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer"), method
    r = c.options("/sphere/wadors/studies/1.2.3", headers={"Authorization": f"Bearer {token()}"})
    assert r.status_code == 200
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "DELETE"}
    detail(c.get("/sphere/qidors/nothing"), 404, "Not found.")
    detail(c.put("/sphere/qidors/studies"), 405, "Method not allowed.")
    delete = c.delete("/sphere/wadors/studies/1.2.3", headers={"Authorization": f"Bearer {token()}"})
    detail(delete, 405, 'Method "DELETE" not allowed.')
    hosts = configured({"api": {"allowed_hosts": ["10.1.2.3"]}})
    r = hosts.options("/sphere/stowrs/studies", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    detail(r, 403, "Host 127.0.0.1 is not in allowed_hosts.")
