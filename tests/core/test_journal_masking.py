"""Credentials are masked in what the journal shows: each sent through its real route, read back from
/__admin/requests never in clear. The vendors themselves still see and judge them as sent."""

import base64
import io
import json

import pytest

from mockservers.aliyun.oss.auth import sign, string_to_sign
from mockservers.core.journal import mask

SIGMA_PASSWORD = base64.urlsafe_b64encode(b"123456").decode()
LOGIN = {"account_name": "sigma", "user_name": "test", "password": SIGMA_PASSWORD}
OSS_ID, OSS_SECRET = "mock-access-key-id", "mock-access-key-secret"
DATE = "Tue, 01 Dec 2026 00:00:00 GMT"


def journal(client, **filters) -> list[dict]:
    return client.get("/__admin/requests", query_string=filters).json["requests"]


def assert_hidden(client, *secrets: str) -> list[dict]:
    entries = journal(client)
    shown = json.dumps(entries, ensure_ascii=False)
    for secret in secrets:
        assert secret not in shown, f"{secret!r} is shown in the journal"
    return entries


@pytest.mark.parametrize(
    "value, shown",
    [
        ("123456", "***(6)"),
        ("MTIzNDU2", "***(8)"),
        ("", "***(0)"),
        ("0123456789ab", "012***(12)"),
        ("a" * 40, "aaa***(40)"),
    ],
)
def test_the_mask_keeps_three_characters_of_a_long_value_and_the_length(value, shown):
    assert mask(value) == shown


def test_an_authorization_header_keeps_its_scheme():
    assert mask("OSS mock-access-key-id:abc=", scheme=True) == "OSS moc***(23)"
    assert mask("Bearer eyJhbGciOiJIUzI1NiJ9.e30.x", scheme=True) == "Bearer eyJ***(26)"
    assert mask("opaque-token-without-scheme", scheme=True) == "opa***(27)"


def test_sigma_password_in_the_query_and_the_token_it_returns(client):
    login = client.get("/sigma/login", query_string=LOGIN)
    assert login.status_code == 200  # the vendor saw the password as sent
    token = login.json["data"]["user_info"]["token"]
    listed = client.get(
        "/sigma/accounts/sigma/jobs/list/", query_string={"unique_id": "1.2.3"}, headers={"Sigma-Token": token}
    )
    assert listed.status_code == 200  # and the token
    entries = assert_hidden(client, SIGMA_PASSWORD, token)
    lister, logged_in = entries
    assert logged_in["query"] == f"account_name=sigma&user_name=test&password={mask(SIGMA_PASSWORD)}"
    assert lister["headers"]["Sigma-Token"] == mask(token)
    answer = json.loads(logged_in["response_body"])["data"]["user_info"]
    assert answer["token"] == mask(token) and answer["name"] == "test"
    assert answer["password"].endswith("***(40)") and "***(" in answer["secret_key"]


@pytest.mark.parametrize("how", ["json", "form", "multipart"])
def test_sigma_password_in_a_body(client, how):
    secret = "hunter2-is-my-password"
    body = {**LOGIN, "password": secret}
    if how == "json":
        sent = client.post("/sigma/login", data=json.dumps(body), content_type="application/json")
    elif how == "form":
        sent = client.post("/sigma/login", data=body)
    else:
        sent = client.post("/sigma/login", data={**body, "file": (io.BytesIO(b"x"), "a.txt")})
    assert sent.status_code == 405  # the vendor's answer: Login is a GET
    (entry,) = assert_hidden(client, secret)
    assert mask(secret) in entry["body"] and "account_name" in entry["body"]
    if how == "json":
        assert json.loads(entry["body"]) == {**LOGIN, "password": "hun***(22)"}


def test_sigma_access_key_signature(client):
    client.get(
        "/sigma/accounts/sigma/jobs/list/",
        headers={"Authorization": "12Sigma some-access-key:c2lnbmF0dXJlLW9mLXRoZS1yZXF1ZXN0", "Date": DATE},
    )
    (entry,) = assert_hidden(client, "c2lnbmF0dXJlLW9mLXRoZS1yZXF1ZXN0", "some-access-key")
    assert entry["headers"]["Authorization"] == "12Sigma som***(48)"


def test_cad4tb_password_header(client):
    answer = client.get(
        "/cad4tb/api/v1/patient/studies/list/",
        query_string={"Project": "some-project", "Archive": "some-archive", "PatientID": "p-1"},
        headers={"X-USERNAME": "some-username", "X-PASSWORD": "some-password"},
    )
    assert answer.json["suberror"] == "patient_not_found"  # past the password check: it was judged as sent
    (entry,) = assert_hidden(client, "some-password")
    assert entry["headers"]["X-Password"] == "som***(13)" and entry["headers"]["X-Username"] == "some-username"


def test_aliyun_token_id_header_and_secret_in_the_body(client):
    secret = "aliyun-secret-in-the-body"
    body = {
        "studyInstanceUid": "1.2.3",
        "studyType": 4,
        "accessKeyId": OSS_ID,
        "accessKeySecret": secret,
        "securityToken": "sts-token-in-the-body",
        "endpoint": "http://127.0.0.1:8080",
        "bucketName": "demo-bucket",
        "key": "studies/none",
        "forceAnalysis": False,
    }
    answer = client.post(
        "/aliyun/dicom/api/executeAnalysis", json=body, headers={"tokenId": "demo", "namespace": "demo"}
    )
    assert answer.json["returnCode"] == "100006"  # the secret was judged as sent: not this key's secret
    (entry,) = assert_hidden(client, secret, "sts-token-in-the-body")
    assert entry["headers"]["Tokenid"] == "***(4)" and entry["headers"]["Namespace"] == "demo"
    recorded = json.loads(entry["body"])
    assert recorded["accessKeySecret"] == "ali***(25)" and recorded["accessKeyId"] == OSS_ID


def test_aliyun_sts_secrets_both_ways_and_oss_with_them(client):
    issued = client.post("/aliyun/sts/token", json={"accessKeyId": OSS_ID, "accessKeySecret": OSS_SECRET})
    cred = issued.json["data"]
    headers = {"Content-Type": "application/octet-stream", "Date": DATE, "x-oss-security-token": cred["SecurityToken"]}
    signature = sign(
        cred["AccessKeySecret"],
        string_to_sign("PUT", {k.lower(): v for k, v in headers.items()}, "demo-bucket", "masked/sts", {}),
    )
    put = client.put(
        "/demo-bucket/masked/sts",
        data=b"data",
        headers={**headers, "Authorization": f"OSS {cred['AccessKeyId']}:{signature}"},
    )
    assert put.status_code == 200, put.get_data(as_text=True)
    put_entry, sts_entry = assert_hidden(client, OSS_SECRET, cred["AccessKeySecret"], cred["SecurityToken"], signature)
    assert json.loads(sts_entry["body"])["accessKeySecret"] == mask(OSS_SECRET)
    shown = json.loads(sts_entry["response_body"])["data"]
    assert shown["AccessKeyId"] == cred["AccessKeyId"] and shown["Expiration"] == cred["Expiration"]
    assert shown["AccessKeySecret"] == mask(cred["AccessKeySecret"])
    assert put_entry["headers"]["X-Oss-Security-Token"] == mask(cred["SecurityToken"])
    assert put_entry["headers"]["Authorization"].startswith("OSS ")


def test_oss_signature_header_and_presigned_query(client):
    headers = {"Content-Type": "application/octet-stream", "Date": DATE}
    signature = sign(
        OSS_SECRET, string_to_sign("PUT", {k.lower(): v for k, v in headers.items()}, "demo-bucket", "masked/key", {})
    )
    put = client.put(
        "/demo-bucket/masked/key", data=b"data", headers={**headers, "Authorization": f"OSS {OSS_ID}:{signature}"}
    )
    assert put.status_code == 200, put.get_data(as_text=True)
    expires = str(int(client.get("/__admin/clock").json["now"]) + 3600)
    presigned = sign(OSS_SECRET, string_to_sign("GET", {}, "demo-bucket", "masked/key", {}, date=expires))
    got = client.get(
        "/demo-bucket/masked/key", query_string={"OSSAccessKeyId": OSS_ID, "Expires": expires, "Signature": presigned}
    )
    assert got.status_code == 200 and got.data == b"data"
    got_entry, put_entry = assert_hidden(client, signature, presigned)
    assert put_entry["headers"]["Authorization"] == f"OSS {mask(OSS_ID + ':' + signature)}"
    assert f"OSSAccessKeyId={OSS_ID}&Expires={expires}&Signature=" in got_entry["query"]


def test_any_vendor_authorization_header(client):
    client.get(
        "/msdicom/v1/studies",
        headers={"Authorization": "Bearer a-dicomweb-bearer-token", "Proxy-Authorization": "Basic dXNlcjpwYXNz"},
    )
    (entry,) = assert_hidden(client, "a-dicomweb-bearer-token", "dXNlcjpwYXNz")
    assert entry["headers"]["Authorization"] == "Bearer a-d***(23)"
    assert entry["headers"]["Proxy-Authorization"] == "Basic dXN***(12)"


def test_a_body_cut_by_the_journal_limit_still_hides_its_secret(client):
    secret = "s" * 200
    body = '{"padding": "' + "p" * 3990 + '", "password": "' + secret + '"}'
    client.post("/sigma/login", data=body, content_type="application/json")
    (entry,) = assert_hidden(client, "s" * 20)
    assert entry["body"].endswith('"password": "sss***(77)"…')  # what the limit left of it, marked as cut


def test_names_are_matched_in_any_case(client):
    client.get(
        "/sigma/login",
        query_string={"PASSWORD": "CaseInsensitiveSecret", "user_name": "x"},
        headers={"sigma-token": "lower-case-header-token"},
    )
    assert_hidden(client, "CaseInsensitiveSecret", "lower-case-header-token")


def test_other_fields_are_shown_as_sent(client):
    client.get(
        "/sigma/login",
        query_string={"account_name": "sigma", "user_name": "passwordless", "passwords": "not-a-credential-name"},
    )
    (entry,) = journal(client)
    assert entry["query"] == "account_name=sigma&user_name=passwordless&passwords=not-a-credential-name"
