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
        c.get("/sphere/qidors/studies", headers={"Authorization": f"Bearer {bad}"}), 401)
    assert c.get("/sphere/qidors/studies", headers={"Authorization": f"Bearer {token()}"}).status_code == 200


def test_expiry_follows_the_mock_clock(configured):
    c = configured(JWT_ON)
    now = c.get("/__admin/clock").json["now"]
    good = token(exp=int(now) + 60)
    assert c.get("/sphere/qidors/studies", headers={"Authorization": f"Bearer {good}"}).status_code == 200
    c.post("/__admin/clock/advance", json={"seconds": 120})
    detail(c.get("/sphere/qidors/studies", headers={"Authorization": f"Bearer {good}"}), 401,
           "Given token not valid: Signature has expired.")


@pytest.mark.parametrize("hosts, status", [(["*"], 200), (["127.0.0.1"], 200), (["10.1.2.3"], 403)])
def test_allowed_hosts(configured, hosts, status):
    c = configured({"api": {"allowed_hosts": hosts}})
    r = c.get("/sphere/qidors/studies", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert r.status_code == status
    if status == 403:
        detail(r, 403, "Host 127.0.0.1 is not in allowed_hosts.")
