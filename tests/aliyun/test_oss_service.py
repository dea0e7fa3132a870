"""The OSS service root and the headers of every OSS answer: GET / with OSS credentials is ListBuckets (oss2.Service),
one Date (the mock's clock) and one Server per answer, no empty Content-MD5."""

import base64
import hashlib
import http.client
from email.utils import parsedate_to_datetime

import oss2
import pytest
import requests

from tests.aliyun.test_oss import KEY_ID, SECRET


@pytest.fixture
def bucket(mock_server):
    return oss2.Bucket(oss2.Auth(KEY_ID, SECRET), mock_server.base_url, "demo-bucket")


def raw_headers(mock_server, method, path, headers=None, body=None):
    """Every header line as sent (requests folds repeated headers into one)."""
    port = int(mock_server.base_url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheaders()
    finally:
        connection.close()


def test_list_buckets_with_oss_credentials(mock_server, bucket):
    oss2.Bucket(oss2.Auth(KEY_ID, SECRET), mock_server.base_url, "studies").create_bucket()
    service = oss2.Service(oss2.Auth(KEY_ID, SECRET), mock_server.base_url)
    listed = service.list_buckets()
    assert [b.name for b in listed.buckets] == ["demo-bucket", "studies"]
    assert not listed.is_truncated and listed.owner.id
    assert all(b.creation_date == 1767225600 for b in listed.buckets), "created on the mock's clock"
    assert [b.name for b in service.list_buckets(prefix="stu").buckets] == ["studies"]
    page = service.list_buckets(max_keys=1)
    assert [b.name for b in page.buckets] == ["demo-bucket"] and page.is_truncated and page.next_marker
    assert [b.name for b in oss2.BucketIterator(service, max_keys=1)] == ["demo-bucket", "studies"]


def test_the_root_without_credentials_is_still_the_dashboard(mock_server):
    page = requests.get(mock_server.base_url + "/")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")


def test_list_buckets_is_not_the_dashboard_behind_an_admin_token():
    """The admin token guards the dashboard at '/': an oss2 client, which cannot send it, still lists its buckets."""
    from mockservers.pytest_plugin import LiveServer
    from tests.machinery.settings import test_settings

    server = LiveServer(test_settings(admin_token="admin-secret"))
    try:
        service = oss2.Service(oss2.Auth(KEY_ID, SECRET), server.base_url)
        assert [b.name for b in service.list_buckets().buckets] == ["demo-bucket"]
        assert requests.get(server.base_url + "/").status_code == 401
    finally:
        server.stop()


def test_list_buckets_refuses_a_wrong_signature_in_xml(mock_server):
    service = oss2.Service(oss2.Auth(KEY_ID, "not-the-secret"), mock_server.base_url)
    with pytest.raises(oss2.exceptions.SignatureDoesNotMatch) as error:
        service.list_buckets()
    assert error.value.details["StringToSign"].endswith("\n/")
    with pytest.raises(oss2.exceptions.ServerError) as error:
        oss2.Service(oss2.Auth("someone-else", "x"), mock_server.base_url).list_buckets()
    assert (error.value.status, error.value.code) == (403, "InvalidAccessKeyId")


def test_list_buckets_is_journaled_under_aliyun(mock_server):
    oss2.Service(oss2.Auth(KEY_ID, SECRET), mock_server.base_url).list_buckets()
    [entry] = mock_server.admin.requests(vendor="aliyun", method="GET")
    assert entry["path"] == "/" and entry["status"] == 200


def test_one_date_and_one_server_header_per_answer(mock_server, bucket):
    bucket.put_object("k", b"1")
    signed = bucket.sign_url("GET", "k", 60).removeprefix(mock_server.base_url)
    for path in (signed, "/demo-bucket/missing", "/aliyun/nothing", "/__admin/health"):
        _, lines = raw_headers(mock_server, "GET", path)
        names = [name.lower() for name, _ in lines]
        assert names.count("date") == 1 and names.count("server") == 1, (path, lines)
    _, lines = raw_headers(mock_server, "GET", signed)
    date = parsedate_to_datetime(dict(lines)["Date"]).timestamp()
    assert date == 1767225600, "the mock's clock (2026-01-01), which signed requests are checked against"
    assert dict(lines)["Server"] == "AliyunOSS"


def test_put_object_without_content_md5_gets_none_back(bucket):
    put = bucket.put_object("k", b"data")
    assert "Content-MD5" not in put.headers
    digest = base64.b64encode(hashlib.md5(b"data").digest()).decode()
    put = bucket.put_object("k", b"data", headers={"Content-MD5": digest})
    assert put.headers["Content-MD5"] == digest
