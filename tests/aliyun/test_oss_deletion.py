"""Deleted means deleted: an OSS object deleted or overwritten (through the real oss2 SDK) leaves no file behind,
unless another record holds the same bytes."""

import hashlib
import os

import oss2
import pytest
import requests

KEY_ID, SECRET = "mock-access-key-id", "mock-access-key-secret"


@pytest.fixture
def bucket(mock_server):
    return oss2.Bucket(oss2.Auth(KEY_ID, SECRET), mock_server.base_url, "demo-bucket")


@pytest.fixture
def files(mock_server):
    """The files in the blob folder, by name (a SHA-256 each)."""
    root = mock_server.runtime.blobs.root
    return lambda: sorted(name for _, _, names in os.walk(root) for name in names)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_put_overwrite_delete_leave_only_the_current_file(bucket, files):
    bucket.put_object("study/a.dcm", b"first version")
    assert files() == [sha(b"first version")]
    bucket.put_object("study/a.dcm", b"second version")
    assert files() == [sha(b"second version")], "the overwritten bytes are gone"
    assert bucket.get_object("study/a.dcm").read() == b"second version"
    bucket.delete_object("study/a.dcm")
    assert files() == []


def test_overwriting_with_the_same_bytes_keeps_the_file(bucket, files):
    bucket.put_object("k", b"same")
    bucket.put_object("k", b"same")
    assert files() == [sha(b"same")] and bucket.get_object("k").read() == b"same"
    bucket.delete_object("k")
    assert files() == []


def test_the_same_bytes_under_two_keys_stay_until_the_last_goes(bucket, files):
    bucket.put_object("one", b"shared bytes")
    bucket.put_object("two", b"shared bytes")
    bucket.delete_object("one")
    assert files() == [sha(b"shared bytes")] and bucket.get_object("two").read() == b"shared bytes"
    bucket.put_object("two", b"other bytes")
    assert files() == [sha(b"other bytes")]


def test_delete_multiple_objects_removes_their_files(bucket, files):
    for key in ("a", "b", "c"):
        bucket.put_object(key, key.encode() * 10)
    result = bucket.batch_delete_objects(["a", "b", "missing"])
    assert sorted(result.deleted_keys) == ["a", "b", "missing"]
    assert files() == [sha(b"c" * 10)]


def test_a_refused_overwrite_keeps_the_old_file(bucket, files):
    bucket.put_object("k", b"kept")
    with pytest.raises(oss2.exceptions.OssError) as refused:
        bucket.put_object("k", b"refused", headers={"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="})
    assert refused.value.code == "InvalidDigest"
    assert files() == [sha(b"kept")] and bucket.get_object("k").read() == b"kept"


def test_copy_object_is_refused_and_changes_nothing(bucket, files):
    bucket.put_object("source", b"source bytes")
    bucket.put_object("target", b"target bytes")
    with pytest.raises(oss2.exceptions.OssError) as refused:
        bucket.copy_object("demo-bucket", "source", "target")
    assert refused.value.code == "NotImplemented"
    assert files() == sorted([sha(b"source bytes"), sha(b"target bytes")])


def test_a_deleted_object_is_in_no_export_nor_new_snapshot_but_an_older_snapshot_restores_it(
    mock_server, bucket, files
):
    def admin(method, path, **kwargs):
        response = requests.request(method, mock_server.base_url + "/__admin" + path, **kwargs)
        assert response.status_code in (200, 201), response.text
        return response.json()

    bucket.put_object("kept", b"kept bytes")
    bucket.put_object("gone", b"gone bytes")
    before = admin("POST", "/snapshots", json={"label": "both"})
    bucket.delete_object("gone")
    assert files() == [sha(b"kept bytes")]
    assert list(admin("GET", "/export")["blobs"]) == [sha(b"kept bytes")]
    after = admin("POST", "/snapshots", json={"label": "one"})
    assert (before["blobs"], after["blobs"]) == (2, 1)

    admin("POST", f"/snapshots/{before['id']}/restore")
    assert bucket.get_object("gone").read() == b"gone bytes", "a snapshot holds its files"
    assert files() == sorted([sha(b"kept bytes"), sha(b"gone bytes")])
    bucket.delete_object("gone")
    assert files() == [sha(b"kept bytes")], "restored references count as before"
    admin("POST", f"/snapshots/{before['id']}/restore")
    assert bucket.get_object("gone").read() == b"gone bytes", "restoring a snapshot twice still works"


def test_an_object_whose_file_went_under_a_reader_is_no_such_key(mock_server, bucket):
    """A GET that found the object's row just before a delete or overwrite removed its file."""
    bucket.put_object("k", b"bytes")
    mock_server.runtime.blobs.delete(sha(b"bytes"))
    with pytest.raises(oss2.exceptions.NoSuchKey):
        bucket.get_object("k")
