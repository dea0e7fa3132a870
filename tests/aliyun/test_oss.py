"""The OSS store, driven by the real oss2 SDK against a live mock server (path style, signature v1)."""

import base64
import hashlib

import oss2
import pytest
import requests

KEY_ID, SECRET = "mock-access-key-id", "mock-access-key-secret"


@pytest.fixture
def bucket(mock_server):
    return oss2.Bucket(oss2.Auth(KEY_ID, SECRET), mock_server.base_url, "demo-bucket")


def sts(mock_server, **body):
    answer = requests.post(
        mock_server.url("aliyun") + "/sts/token", json={"accessKeyId": KEY_ID, "accessKeySecret": SECRET, **body}
    ).json()
    assert answer["returnCode"] == "000000", answer
    return answer["data"]


def xml_error(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/xml")
    assert f"<Code>{code}</Code>" in response.text and "<RequestId>" in response.text
    assert len(response.headers["x-oss-request-id"]) == 24


def test_put_get_head_delete_round_trip(bucket):
    data = b"\x00DICM" * 1000
    put = bucket.put_object("study/1/image one+.dcm", data)
    assert put.status == 200 and put.etag == hashlib.md5(data).hexdigest().upper()
    assert len(put.request_id) == 24
    got = bucket.get_object("study/1/image one+.dcm")
    assert got.read() == data and got.content_length == len(data) and got.etag == put.etag
    assert got.object_type == "Normal" and got.last_modified > 0
    head = bucket.head_object("study/1/image one+.dcm")
    assert head.content_length == len(data) and head.etag == put.etag
    assert bucket.get_object_meta("study/1/image one+.dcm").content_length == len(data)
    assert bucket.object_exists("study/1/image one+.dcm")
    bucket.delete_object("study/1/image one+.dcm")
    assert not bucket.object_exists("study/1/image one+.dcm")


def test_overwrite_replaces_content_and_metadata_headers_come_back(bucket):
    bucket.put_object("k", b"first")
    bucket.put_object("k", b"second", headers={"x-oss-meta-patient": "anon", "Content-Type": "application/dicom"})
    got = bucket.get_object("k")
    assert got.read() == b"second"
    assert got.headers["x-oss-meta-patient"] == "anon" and got.headers["Content-Type"] == "application/dicom"


def test_unicode_key_and_range_read(bucket):
    bucket.put_object("检查/影像.dcm", b"0123456789")
    assert bucket.get_object("检查/影像.dcm", byte_range=(2, 5)).read() == b"2345"
    assert [o.key for o in oss2.ObjectIterator(bucket, prefix="检查/")] == ["检查/影像.dcm"]


def test_list_with_prefix_delimiter_and_paging(bucket):
    for key in ["a/1", "a/2", "b/1", "c", "d"]:
        bucket.put_object(key, key.encode())
    assert [o.key for o in oss2.ObjectIterator(bucket)] == ["a/1", "a/2", "b/1", "c", "d"]
    assert [o.key for o in oss2.ObjectIterator(bucket, prefix="a/", max_keys=1)] == ["a/1", "a/2"]
    assert [o.key for o in oss2.ObjectIterator(bucket, delimiter="/", max_keys=2)] == ["a/", "b/", "c", "d"]
    assert [o.key for o in oss2.ObjectIteratorV2(bucket, delimiter="/", max_keys=1)] == ["a/", "b/", "c", "d"]
    page = bucket.list_objects(max_keys=2)
    assert page.is_truncated and page.next_marker == "a/2"
    info = page.object_list[0]
    assert info.size == 3 and info.etag == hashlib.md5(b"a/1").hexdigest().upper() and info.type == "Normal"


def test_create_and_delete_bucket(mock_server):
    other = oss2.Bucket(oss2.Auth(KEY_ID, SECRET), mock_server.base_url, "study-archive")
    other.create_bucket()
    other.put_object("x", b"1")
    with pytest.raises(oss2.exceptions.BucketNotEmpty):
        other.delete_bucket()
    other.delete_object("x")
    other.delete_bucket()
    with pytest.raises(oss2.exceptions.NoSuchBucket):
        other.get_object("x")


def test_missing_key_and_bucket_are_oss_errors(bucket, mock_server):
    with pytest.raises(oss2.exceptions.NoSuchKey) as missing:
        bucket.get_object("nope")
    assert missing.value.status == 404 and missing.value.message == "The specified key does not exist."
    assert missing.value.details["Key"] == "nope" and missing.value.request_id
    with pytest.raises(oss2.exceptions.NotFound) as head:
        bucket.head_object("nope")
    assert head.value.code == "NoSuchKey"  # read from the x-oss-err header: a HEAD answer has no body
    with pytest.raises(oss2.exceptions.NoSuchBucket):
        oss2.Bucket(oss2.Auth(KEY_ID, SECRET), mock_server.base_url, "no-such-bucket").put_object("k", b"1")


def test_wrong_secret_is_signature_does_not_match_with_the_string_to_sign(bucket, mock_server):
    bucket.put_object("k", b"1")
    wrong = oss2.Bucket(oss2.Auth(KEY_ID, "not-the-secret"), mock_server.base_url, "demo-bucket")
    with pytest.raises(oss2.exceptions.SignatureDoesNotMatch) as error:
        wrong.get_object("k")
    assert error.value.status == 403
    assert error.value.details["StringToSign"].endswith("\n/demo-bucket/k")
    with pytest.raises(oss2.exceptions.SignatureDoesNotMatch):
        wrong.put_object("k", b"2")
    assert bucket.get_object("k").read() == b"1", "a refused PUT stores nothing"


def test_unknown_access_key_and_anonymous_requests_are_refused(mock_server):
    with pytest.raises(oss2.exceptions.ServerError) as error:
        oss2.Bucket(oss2.Auth("someone-else", "x"), mock_server.base_url, "demo-bucket").get_object("k")
    assert (error.value.status, error.value.code) == (403, "InvalidAccessKeyId")
    xml_error(requests.get(mock_server.base_url + "/demo-bucket/k"), 403, "AccessDenied")
    with pytest.raises(oss2.exceptions.AccessDenied):
        oss2.Bucket(oss2.AnonymousAuth(), mock_server.base_url, "demo-bucket").get_object("k")


def test_sts_credentials_work_until_they_expire(bucket, mock_server):
    bucket.put_object("k", b"1")
    cred = sts(mock_server, durationSeconds=900)
    assert cred["AccessKeyId"].startswith("STS.") and not cred["AccessKeyId"].startswith("LTAI")
    assert cred["Expiration"] == "2026-01-01T00:15:00Z"
    temp = oss2.Bucket(
        oss2.StsAuth(cred["AccessKeyId"], cred["AccessKeySecret"], cred["SecurityToken"]),
        mock_server.base_url,
        "demo-bucket",
    )
    assert temp.get_object("k").read() == b"1"
    no_token = oss2.Bucket(oss2.Auth(cred["AccessKeyId"], cred["AccessKeySecret"]), mock_server.base_url, "demo-bucket")
    with pytest.raises(oss2.exceptions.ServerError) as error:
        no_token.get_object("k")
    assert (error.value.status, error.value.code) == (403, "InvalidSecurityToken")
    mock_server.admin.advance(900)
    with pytest.raises(oss2.exceptions.ServerError) as error:
        temp.get_object("k")
    assert (error.value.status, error.value.code) == (403, "SecurityTokenExpired")


def test_sts_issue_refuses_a_wrong_key_pair(mock_server):
    answer = requests.post(
        mock_server.url("aliyun") + "/sts/token", json={"accessKeyId": KEY_ID, "accessKeySecret": "wrong"}
    )
    assert answer.status_code == 403 and answer.json()["returnCode"] == "100006"
    answer = requests.post(
        mock_server.url("aliyun") + "/sts/token",
        json={"accessKeyId": KEY_ID, "accessKeySecret": SECRET, "durationSeconds": 10},
    )
    assert answer.status_code == 400 and answer.json()["returnMessage"] == "参数错误: durationSeconds"


def test_presigned_url(bucket):
    bucket.put_object("k", b"signed")
    assert requests.get(bucket.sign_url("GET", "k", 60)).content == b"signed"
    url = bucket.sign_url("GET", "k", 60).replace("Signature=", "Signature=x")
    xml_error(requests.get(url), 403, "SignatureDoesNotMatch")


def test_content_md5_mismatch_is_refused_and_stores_nothing(bucket):
    good = base64.b64encode(hashlib.md5(b"data").digest()).decode()
    bucket.put_object("k", b"data", headers={"Content-MD5": good})
    with pytest.raises(oss2.exceptions.InvalidDigest):
        bucket.put_object("k", b"other", headers={"Content-MD5": good})
    assert bucket.get_object("k").read() == b"data"


def test_invalid_bucket_names_and_unsupported_operations(mock_server, bucket):
    xml_error(requests.get(mock_server.base_url + "/Bad_Bucket/k"), 400, "InvalidBucketName")  # oss2 refuses to send it
    with pytest.raises(oss2.exceptions.ServerError) as error:
        bucket.put_object_acl("k", oss2.OBJECT_ACL_PRIVATE)
    assert (error.value.status, error.value.code) == (400, "NotImplemented")
    xml_error(signed_request(mock_server, "POST", "demo-bucket/k"), 405, "MethodNotAllowed")
    xml_error(requests.patch(mock_server.base_url + "/demo-bucket/k"), 405, "MethodNotAllowed")
    with pytest.raises(oss2.exceptions.ServerError) as error:
        bucket.list_objects(max_keys=5000)
    assert (error.value.status, error.value.code) == (400, "InvalidArgument")


def test_vendor_prefixes_and_admin_are_not_buckets(mock_server):
    sigma = requests.get(mock_server.base_url + "/sigma/nothing")
    assert sigma.status_code == 404 and sigma.json()["error"]["code"] == "NotFound"
    assert requests.get(mock_server.base_url + "/sigma/logout").status_code == 405
    assert requests.get(mock_server.base_url + "/__admin/nothing").status_code == 404
    with pytest.raises(oss2.exceptions.ServerError) as error:
        oss2.Bucket(oss2.Auth(KEY_ID, SECRET), mock_server.base_url, "aliyun").create_bucket()
    assert error.value.status == 404  # the platform's own 404 envelope: /aliyun/ is not a bucket
    assert requests.get(mock_server.base_url + "/aliyun/").json()["returnCode"] == "100011"


def test_requests_are_journaled_under_aliyun(bucket, mock_server):
    bucket.put_object("k", b"1")
    entries = mock_server.admin.requests(vendor="aliyun", method="PUT")
    assert [e["path"] for e in entries] == ["/demo-bucket/k"] and entries[0]["status"] == 200


def test_a_garbled_authorization_header_is_refused_not_a_500(mock_server):
    response = requests.get(
        mock_server.base_url + "/demo-bucket/k",
        headers={
            "Authorization": "OSS mock-access-key-id:签名".encode(),
            "Date": "Mon, 01 Jan 2024 00:00:00 GMT",
        },
    )
    xml_error(response, 403, "SignatureDoesNotMatch")
    xml_error(
        requests.get(mock_server.base_url + "/demo-bucket/k", headers={"Authorization": "Bearer x"}),
        400,
        "InvalidArgument",
    )


def test_x_mock_namespace_scopes_the_store(mock_server, bucket):
    ns_a, ns_b = {"X-Mock-Namespace": "aliyun-a"}, {"X-Mock-Namespace": "aliyun-b"}
    bucket.put_object("scoped", b"a", headers=ns_a)
    assert bucket.get_object("scoped", headers=ns_a).read() == b"a"
    with pytest.raises(oss2.exceptions.NoSuchKey):
        bucket.get_object("scoped", headers=ns_b)
    with pytest.raises(oss2.exceptions.NoSuchKey):
        bucket.get_object("scoped")


def test_invalid_object_name_and_range(bucket):
    for bad in ("k" * 1024, "a\x00b"):
        with pytest.raises(oss2.exceptions.ServerError) as error:
            bucket.put_object(bad, b"1")
        assert (error.value.status, error.value.code) == (400, "InvalidObjectName")
    bucket.put_object("ten", b"0123456789")
    with pytest.raises(oss2.exceptions.ServerError) as error:
        bucket.get_object("ten", byte_range=(100, 200))
    assert (error.value.status, error.value.code) == (416, "InvalidRange")
    assert bucket.get_object("ten", byte_range=(None, 3)).read() == b"789"


def test_batch_delete(bucket, mock_server):
    for key in ["a", "b/c", "d"]:
        bucket.put_object(key, b"1")
    result = bucket.batch_delete_objects(["a", "b/c", "missing"])
    assert result.deleted_keys == ["a", "b/c", "missing"]
    assert [o.key for o in oss2.ObjectIterator(bucket)] == ["d"]
    auth = oss2.Auth(KEY_ID, SECRET)
    with pytest.raises(oss2.exceptions.ServerError) as error:
        oss2.Bucket(auth, mock_server.base_url, "demo-bucket").batch_delete_objects(["k" * 1024])
    assert (error.value.status, error.value.code) == (400, "InvalidObjectName")
    assert [o.key for o in oss2.ObjectIterator(bucket)] == ["d"]


def signed_request(mock_server, method, bucket_key, query="", body=b"", headers=None, secret=SECRET):
    """A request signed by hand (signature v1), for what oss2 will not send."""
    import hmac
    from email.utils import formatdate

    headers = {"Date": formatdate(usegmt=True), **(headers or {})}
    resource = "/" + bucket_key + (f"?{query}" if query else "")
    text = "\n".join(
        [method, headers.get("Content-MD5", ""), headers.get("Content-Type", ""), headers["Date"], resource]
    )
    signature = base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha1).digest()).decode()
    headers["Authorization"] = f"OSS {KEY_ID}:{signature}"
    url = mock_server.base_url + "/" + bucket_key + (f"?{query}" if query else "")
    return requests.request(method, url, data=body, headers=headers, timeout=10)


def test_hand_signed_requests_and_malformed_batch_delete(mock_server, bucket):
    bucket.put_object("k", b"1")
    assert signed_request(mock_server, "GET", "demo-bucket/k").content == b"1"
    xml_error(signed_request(mock_server, "GET", "demo-bucket/k", secret="other"), 403, "SignatureDoesNotMatch")
    xml_error(
        signed_request(mock_server, "POST", "demo-bucket/", "delete", b"<Delete><Oops/></Delete>"), 400, "MalformedXML"
    )
    xml_error(signed_request(mock_server, "POST", "demo-bucket/"), 405, "MethodNotAllowed")
    assert bucket.object_exists("k")


def test_unicode_keys_in_errors_and_explanations(bucket, mock_server):
    wrong = oss2.Bucket(oss2.Auth(KEY_ID, "not-the-secret"), mock_server.base_url, "demo-bucket")
    with pytest.raises(oss2.exceptions.SignatureDoesNotMatch) as error:
        wrong.get_object("检查/影像.dcm")
    assert error.value.details["StringToSign"].endswith("/demo-bucket/检查/影像.dcm")
    assert "\\u68c0" in error.value.headers["X-Mock-Explain"]


def test_response_header_overrides(bucket):
    bucket.put_object("k", b"1")
    got = bucket.get_object(
        "k",
        params={
            "response-content-disposition": "attachment; filename=k.dcm",
            "response-content-type": "application/dicom",
        },
    )
    assert got.headers["Content-Disposition"] == "attachment; filename=k.dcm"
    assert got.headers["Content-Type"] == "application/dicom"
    got.close()  # an unread body holds its connection out of the pool
    with pytest.raises(oss2.exceptions.ServerError) as error:
        bucket.get_object("k", params={"response-content-disposition": "attachment; filename=影像.dcm"})
    assert (error.value.status, error.value.code) == (400, "InvalidArgument")
