"""Token auth, the SDK's access-key signature, and the account check, on every protected endpoint."""

import base64
import hashlib
import hmac
import io
from email.utils import formatdate

import pydicom
import pytest

from tests.sigma.conftest import assert_error

PROTECTED = [
    ("POST", "/sigma/accounts/sigma/store/uploads/1.2.3/"),
    ("PUT", "/sigma/accounts/sigma/store/uploads/x.dcm/?upload_id=1"),
    ("GET", "/sigma/accounts/sigma/store/downloads/?filename=x.dcm"),
    ("POST", "/sigma/accounts/sigma/jobs/"),
    ("GET", "/sigma/accounts/sigma/jobs/job-1/"),
    ("GET", "/sigma/accounts/sigma/jobs/list/?unique_id=1"),
    ("GET", "/sigma/accounts/sigma/jobs/studylist/"),
]


@pytest.mark.parametrize("method, path", PROTECTED)
def test_every_endpoint_needs_a_token(client, method, path):
    assert_error(client.open(path, method=method), 401, "InvalidToken")
    assert_error(client.open(path, method=method, headers={"Sigma-Token": "forged"}), 401, "InvalidToken")


@pytest.mark.parametrize("method, path", PROTECTED)
def test_every_endpoint_checks_the_account(sigma, client, method, path):
    response = client.open(path.replace("/accounts/sigma/", "/accounts/other/"), method=method, headers=sigma.headers)
    assert_error(response, 403, "AccessDenied")


def signature(secret, method, path, query="", headers=None):
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    text = (
        "\n".join([method, headers.get("content-md5", ""), headers.get("content-type", ""), headers.get("date", "")])
        + "\n"
    )
    for name in sorted(h for h in headers if h.startswith("x-sigma-")):
        text += f"{name}:{headers[name]}\n"
    text += path + (("?" + "&".join(sorted(query.split("&")))) if query else "")
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()).decode()


@pytest.fixture
def keys(sigma, client):
    info = sigma.login().json["data"]["user_info"]
    return info["access_key"], info["secret_key"]


def test_signed_request_is_accepted_without_a_token(client, keys):
    access, secret = keys
    date = formatdate(usegmt=True)
    headers = {"Date": date, "x-sigma-trace": "abc"}
    sig = signature(secret, "GET", "/sigma/accounts/sigma/jobs/list/", "unique_id=1.2&b=2", headers)
    response = client.get(
        "/sigma/accounts/sigma/jobs/list/?unique_id=1.2&b=2",
        headers={**headers, "Authorization": f"12Sigma {access}:{sig}"},
    )
    assert response.status_code == 200, response.json


def test_signature_covers_content_md5_and_type(client, keys, sigma):
    access, secret = keys
    headers = {"Date": formatdate(usegmt=True), "Content-Type": "application/json", "Content-MD5": "abc"}
    sig = signature(secret, "POST", "/sigma/accounts/sigma/store/uploads/1.2.3/", "", headers)
    response = client.post(
        "/sigma/accounts/sigma/store/uploads/1.2.3/",
        data='{"quantity": 1, "converted": "1", "overwrite": "1"}',
        headers={**headers, "Authorization": f"12Sigma {access}:{sig}"},
    )
    assert response.status_code == 200, response.json


@pytest.mark.parametrize("tamper", ["secret", "path", "date", "key", "format"])
def test_bad_signature_is_refused(client, keys, tamper):
    access, secret = keys
    date = formatdate(usegmt=True)
    path = "/sigma/accounts/sigma/jobs/list/"
    sig = signature(
        "wrong" if tamper == "secret" else secret,
        "GET",
        path + ("x" if tamper == "path" else ""),
        "unique_id=1",
        {"Date": date},
    )
    auth = f"12Sigma {'AAAA' if tamper == 'key' else access}:{sig}"
    if tamper == "format":
        auth = f"Bearer {sig}"
    headers = {"Authorization": auth, "Date": date if tamper != "date" else "Mon, 01 Jan 2024 00:00:00 GMT"}
    response = client.get(path + "?unique_id=1", headers=headers)
    assert_error(
        response,
        401,
        "SignatureDoesNotMatch",
        "The request signature does not match the signature calculated by the server!",
        "请求签名与服务端计算的签名不一致!",
    )


def test_signature_without_date_is_refused(client, keys):
    access, secret = keys
    sig = signature(secret, "GET", "/sigma/accounts/sigma/jobs/studylist/")
    response = client.get("/sigma/accounts/sigma/jobs/studylist/", headers={"Authorization": f"12Sigma {access}:{sig}"})
    assert_error(response, 401, "SignatureDoesNotMatch")
    assert response.headers["X-Mock-Explain"] == "Date: the header is required with a signature"


def test_keys_are_stable_across_logins(sigma):
    first = sigma.login().json["data"]["user_info"]
    second = sigma.login(force_new="True").json["data"]["user_info"]
    assert (first["access_key"], first["secret_key"]) == (second["access_key"], second["secret_key"])
    assert first["token"] != second["token"]


def _signed_put(client, keys, name, data, upload_id, **extra_headers):
    access, secret = keys
    path = f"/sigma/accounts/sigma/store/uploads/{name}/"
    headers = {"Date": formatdate(usegmt=True), **extra_headers}
    sig = signature(secret, "PUT", path, f"upload_id={upload_id}", headers)
    return client.put(
        f"{path}?upload_id={upload_id}", data=data, headers={**headers, "Authorization": f"12Sigma {access}:{sig}"}
    )


@pytest.mark.parametrize("name", ["a_0136.dcm", "/home/12sigma/1961551/a_0136.dcm"])
def test_a_signed_put_needs_no_content_md5(client, keys, sigma, dx, name):
    """The SDK's access-key mode sends the upload PUT without Content-MD5: the signature covers the request."""
    series = pydicom.dcmread(io.BytesIO(dx), stop_before_pixels=True).SeriesInstanceUID
    upload_id = sigma.open_upload(series).json["data"]["upload_id"]
    response = _signed_put(client, keys, name, dx, upload_id)
    assert response.status_code == 200, response.json
    assert response.json["message"] == f"Upload {name} succeed" and response.json["store_id"]
    download = client.get(
        "/sigma/accounts/sigma/store/downloads/", query_string={"filename": "a_0136.dcm"}, headers=sigma.headers
    )
    assert download.data == dx


def test_a_signed_put_with_a_wrong_content_md5_is_still_refused(client, keys, sigma, dx):
    series = pydicom.dcmread(io.BytesIO(dx), stop_before_pixels=True).SeriesInstanceUID
    upload_id = sigma.open_upload(series).json["data"]["upload_id"]
    response = _signed_put(client, keys, "a.dcm", dx, upload_id, **{"Content-MD5": hashlib.md5(b"x").hexdigest()})
    assert_error(response, 400, "InvalidContentMD5")
    missing = client.get(
        "/sigma/accounts/sigma/store/downloads/", query_string={"filename": "a.dcm"}, headers=sigma.headers
    )
    assert_error(missing, 404, "InternalServerError")
