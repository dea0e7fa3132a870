"""Content-addressed blob store: files named by their SHA-256, written atomically."""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile

from sqlalchemy import case, update

from mockservers.core.upsert import add_to


class BlobStore:
    def __init__(self, root: str):
        self.root = os.path.abspath(root)
        os.makedirs(self.root, exist_ok=True)

    def _path(self, key: str) -> str:
        if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
            raise KeyError(key)
        return os.path.join(self.root, key[:2], key)

    def put(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        path = self._path(key)
        if os.path.exists(path):
            return key
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
        try:
            # Atomic (a reader sees the whole file or none), not synced: a killed server loses nothing, as the
            # page cache outlives it, and the state database (synchronous=NORMAL) does not sync each commit either.
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return key

    def get(self, key: str) -> bytes:
        with open(self.path(key), "rb") as fh:
            return fh.read()

    def path(self, key: str) -> str:
        path = self._path(key)
        if not os.path.exists(path):
            raise KeyError(key)
        return path

    def exists(self, key: str) -> bool:
        try:
            return os.path.exists(self._path(key))
        except KeyError:
            return False

    def delete(self, key: str) -> None:
        try:
            os.unlink(self._path(key))
        except (KeyError, FileNotFoundError):
            pass

    def wipe(self) -> None:
        for entry in os.listdir(self.root):
            full = os.path.join(self.root, entry)
            if os.path.isdir(full):
                shutil.rmtree(full, ignore_errors=True)


class CountedBlobs:
    """The blob store as a request sees it: each put() is a reference held in the request's transaction, and
    release() drops one; a file no record holds any more is removed once the transaction commits. Files are
    shared by content, so a vendor deleting its record never removes a file another record still holds."""

    def __init__(self, store: BlobStore, db, on_commit, remove_if_unheld):
        self.store, self.db, self.on_commit = store, db, on_commit
        self.store_remove = remove_if_unheld

    def put(self, data: bytes) -> str:
        from mockservers.core.models import BlobRef

        key = self.store.put(data)
        add_to(self.db, BlobRef.__table__, key, "refs", 1)
        return key

    def release(self, key: str) -> None:
        from mockservers.core.models import BlobRef

        refs = BlobRef.__table__.c.refs
        with self.db.no_autoflush:  # the caller may hold a half-built record that is flushed later
            left = self.db.execute(update(BlobRef.__table__).where(BlobRef.__table__.c.key == key)
                                   .values(refs=case((refs > 1, refs - 1), else_=0)).returning(refs)).scalar()
        if left == 0:  # kept at zero: a later put in this transaction counts up from here
            self.on_commit(lambda: self._remove_if_unheld(key))

    def _remove_if_unheld(self, key: str) -> None:
        self.store_remove(key)

    def get(self, key: str) -> bytes:
        return self.store.get(key)

    def path(self, key: str) -> str:
        return self.store.path(key)

    def exists(self, key: str) -> bool:
        return self.store.exists(key)
