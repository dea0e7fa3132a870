import hashlib
import os

import pytest

from mockservers.core.blobs import BlobStore


def test_content_addressed_and_idempotent(tmp_path):
    store = BlobStore(str(tmp_path))
    key = store.put(b"hello")
    assert key == hashlib.sha256(b"hello").hexdigest()
    assert store.put(b"hello") == key
    assert store.get(key) == b"hello" and store.exists(key)
    assert not [n for n in os.listdir(os.path.dirname(store.path(key))) if n.startswith(".tmp")]


def test_unknown_and_malformed_keys(tmp_path):
    store = BlobStore(str(tmp_path))
    assert not store.exists("0" * 64) and not store.exists("../etc/passwd")
    with pytest.raises(KeyError):
        store.get("0" * 64)
    with pytest.raises(KeyError):
        store.path("../../x")


def test_counted_references_remove_a_file_only_when_nothing_holds_it(tmp_path):
    from mockservers.core.runtime import Runtime
    from tests.machinery import test_settings

    rt = Runtime(test_settings(data_dir=str(tmp_path)), vendors=[])
    with rt.store.transaction() as db:
        ctx = rt.context(db, "t")
        key = ctx.blobs.put(b"shared")
        assert ctx.blobs.put(b"shared") == key
    with rt.store.transaction() as db:
        rt.context(db, "t").blobs.release(key)
    assert rt.blobs.exists(key), "one record still holds it"
    with pytest.raises(RuntimeError), rt.store.transaction() as db:
        rt.context(db, "t").blobs.release(key)
        raise RuntimeError("rolled back")
    assert rt.blobs.exists(key), "a rolled-back release removes nothing"
    with rt.store.transaction() as db:
        rt.context(db, "t").blobs.release(key)
    assert not rt.blobs.exists(key)


def test_release_of_many_keys_at_once_counts_each_and_a_put_after_it_keeps_the_file(tmp_path):
    from mockservers.core.runtime import Runtime
    from tests.machinery import test_settings

    rt = Runtime(test_settings(data_dir=str(tmp_path)), vendors=[])
    with rt.store.transaction() as db:
        blobs = rt.context(db, "t").blobs
        twice, once, again = blobs.put(b"twice"), blobs.put(b"once"), blobs.put(b"again")
        blobs.put(b"twice")
    with rt.store.transaction() as db:
        blobs = rt.context(db, "t").blobs
        blobs.release(twice, once, twice, again)
        blobs.put(b"again")  # held anew in the same transaction
    assert [rt.blobs.exists(k) for k in (twice, once, again)] == [False, False, True]


def test_serve_refuses_a_url_for_the_blob_folder(capsys):
    from mockservers import cli

    assert cli.main(["serve", "--blobs", "s3://bucket", "--port", "0", "--state", "memory"]) == 2
    assert capsys.readouterr().err == (
        "--blobs takes a folder, not 's3://bucket' (on a postgresql:// state the stored files are kept in the "
        "database, and the folder caches them)\n"
    )
