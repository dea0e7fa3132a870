"""Content-addressed blob store: files named by their SHA-256, written atomically."""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile


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
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
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

    def wipe(self) -> None:
        for entry in os.listdir(self.root):
            full = os.path.join(self.root, entry)
            if os.path.isdir(full):
                shutil.rmtree(full, ignore_errors=True)
