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
