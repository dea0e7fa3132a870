"""Content-addressed blob store: files named by their SHA-256, written atomically. On a PostgreSQL state the files
are kept in the database as well (blobs_postgres.py), so that every process on every host reaches them.

Each method takes the request's transaction as `db` (None: none): the folder store has no use for it, a store in
the database writes and reads in it."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import shutil
import tempfile
from collections import Counter
from typing import cast

from sqlalchemy import Integer, Table, bindparam, case, delete, select, update

from mockservers.core.upsert import add_to

# The start-up sweep leaves younger files alone: another process on the same state may be writing them for a
# request it has not committed yet (a runtime opens in each worker, and on a namespace's first use in it).
ORPHAN_AGE_SECONDS = 600.0


class BlobStore:
    def __init__(self, root: str):
        self.root = os.path.abspath(root)
        os.makedirs(self.root, exist_ok=True)

    def _path(self, key: str) -> str:
        if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
            raise KeyError(key)
        return os.path.join(self.root, key[:2], key)

    def put(self, data: bytes, key: str | None = None, db=None, staged: str | None = None) -> str:
        """`staged`: stage(data, key)'s file, renamed into place if the file is not there yet."""
        key = key or key_of(data)
        self._put_here(data, key, staged)
        return key

    def _put_here(self, data: bytes, key: str, staged: str | None = None) -> None:
        """The file in this store's folder."""
        path = self._path(key)
        try:
            os.utime(path)  # already there, and held anew: young again, so another process's start-up sweep leaves it
            return
        except FileNotFoundError:
            pass
        if staged is not None:
            try:
                os.replace(staged, path)
                return
            except FileNotFoundError:  # gone meanwhile (a sweep): written again below
                pass
        tmp = self._written(data, path)
        try:
            os.replace(tmp, path)
        except BaseException:
            self.discard(tmp)
            raise

    def _written(self, data: bytes, path: str) -> str:
        """`data` in a temp file beside `path`: its name."""
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
        try:
            # Atomic (a reader sees the whole file or none), not synced: a killed server loses nothing, as the
            # page cache outlives it, and the state database (synchronous=NORMAL) does not sync each commit either.
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        except BaseException:
            self.discard(tmp)
            raise
        return tmp

    def stage(self, data: bytes, key: str) -> str | None:
        """The file written beside its place before the transaction that puts it (put's `staged`), so that the
        transaction only renames it; None when it is in place already. Its writer discards it, taken or not."""
        path = self._path(key)
        if os.path.exists(path):
            return None
        return self._written(data, path)

    @staticmethod
    def discard(staged: str) -> None:
        """A staged file that put() did not take: removed."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(staged)

    def put_file(self, source: str, key: str, db=None) -> None:
        """The file at `source`, whose content is named `key`, stored (linked where the file system allows)."""
        target = self._path(key)
        if not os.path.exists(target):
            link_or_copy(source, target)

    def get(self, key: str, db=None) -> bytes:
        with open(self.path(key, db), "rb") as fh:
            return fh.read()

    def path(self, key: str, db=None) -> str:
        """A file of the content, to read (never to change)."""
        path = self._path(key)
        if not os.path.exists(path):
            raise KeyError(key)
        return path

    def exists(self, key: str, db=None) -> bool:
        try:
            return os.path.exists(self._path(key))
        except KeyError:
            return False

    def delete(self, key: str, db=None) -> None:
        with contextlib.suppress(KeyError, FileNotFoundError):
            os.unlink(self._path(key))

    def keep(self, keys: list[str], label: str) -> None:
        """Copies of the files, kept apart under `label` (a snapshot's: "snapshots/ID") whatever becomes of the
        store's: in the folder `label` beside the store's."""
        folder = os.path.join(os.path.dirname(self.root), label)
        for key in keys:
            link_or_copy(self.path(key), os.path.join(folder, key))

    def bring_back(self, keys: list[str], label: str, db=None) -> None:
        """The copies kept under `label` back in the store, those that are there."""
        folder = os.path.join(os.path.dirname(self.root), label)
        for key in keys:
            source = os.path.join(folder, key)
            if os.path.exists(source):
                self.put_file(source, key, db)

    def sweep(self, held: set[str], older_than: float) -> int:
        """Remove every file modified before `older_than` that is not a held key in its place: files a crash left
        between writing and committing, and its temp files. The number removed."""
        removed = 0
        for folder, _, names in os.walk(self.root):
            for name in names:
                full = os.path.join(folder, name)
                if name in held and full == self._path(name):
                    continue
                try:
                    if os.stat(full).st_mtime < older_than:
                        os.unlink(full)
                        removed += 1
                except FileNotFoundError:
                    pass
        return removed

    def file_system_now(self) -> float:
        """The time as the file system stamps files: what their modification times are compared with (Python's
        clock may differ: moved in tests, or a network file system's server skewed)."""
        fd, probe = tempfile.mkstemp(dir=self.root, prefix=".tmp-now-")
        try:
            return os.fstat(fd).st_mtime
        finally:
            os.close(fd)
            os.unlink(probe)

    def wipe(self) -> None:
        for entry in os.listdir(self.root):
            full = os.path.join(self.root, entry)
            if os.path.isdir(full):
                shutil.rmtree(full, ignore_errors=True)


def key_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def link_or_copy(source: str, target: str) -> None:
    os.makedirs(os.path.dirname(target), exist_ok=True)
    try:
        os.link(source, target)
    except FileExistsError:
        pass
    except OSError:
        shutil.copyfile(source, target)


def open_store(root: str, store) -> BlobStore:
    """The runtime's blob store: files in the folder `root`; on a PostgreSQL state, in the database too (the
    folder then caches them on this host)."""
    if store.engine.dialect.name == "postgresql":
        from mockservers.core.blobs_postgres import PostgresBlobStore

        return PostgresBlobStore(root, store.engine)
    return BlobStore(root)


def _chunks(keys: list[str], size: int = 500):
    """SQLite caps the bound parameters of one statement."""
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


def held_keys(db) -> set[str]:
    """The files some record holds."""
    from mockservers.core.models import BlobRef

    return set(db.scalars(select(BlobRef.key).where(BlobRef.refs > 0)))


def sweep_orphans(db, store: BlobStore) -> int:
    """Called once when a runtime opens: the files no record holds, old enough not to be another process's
    uncommitted write, are removed."""
    return store.sweep(held_keys(db), store.file_system_now() - ORPHAN_AGE_SECONDS)


@functools.cache
def _release():
    """refs -= :count (never below 0) for the keys in :keys, RETURNING key, refs: built once (building it cost
    more than running it)."""
    from mockservers.core.models import BlobRef

    table = cast(Table, BlobRef.__table__)
    count = bindparam("count", type_=Integer)
    return (
        update(table)
        .where(table.c.key.in_(bindparam("keys", expanding=True)))
        .values(refs=case((table.c.refs > count, table.c.refs - count), else_=0))
        .returning(table.c.key, table.c.refs)
    )


class CountedBlobs:
    """The blob store as a request sees it: each put() is a reference held in the request's transaction, and
    release() drops one; a file no record holds any more is removed once the transaction commits. Files are
    shared by content, so a vendor deleting its record never removes a file another record still holds."""

    def __init__(self, store: BlobStore, db, on_commit, transaction):
        self.store, self.db, self.on_commit = store, db, on_commit
        self.transaction = transaction  # a new transaction of the same state, for the removal after commit

    def put(self, data: bytes, key: str | None = None, staged: str | None = None) -> str:
        """`key`: the content's key, when the caller has it already; `staged`: the store's stage(data, key)."""
        from mockservers.core.models import BlobRef

        key = key or key_of(data)
        # Counted before the file is written: a removal of the same key after another commit waits on this row,
        # then finds it held; or it went first, and the file is written again here.
        # __table__ is typed as any FromClause; a declarative class's is a Table
        add_to(self.db, cast(Table, BlobRef.__table__), key, "refs", 1)
        return self.store.put(data, key, db=self.db, staged=staged)

    def replace(self, old: str | None, data: bytes) -> str:
        """A record's file `old` (None: it had none) replaced by `data`'s; its key. The same bytes again leave the
        counts as they are (the record still holds its one reference) and only touch the file."""
        key = key_of(data)
        if key == old:
            return self.store.put(data, key, db=self.db)  # on disk, young again
        self.put(data, key)
        if old:  # released after the put: a file two records share stays
            self.release(old)
        return key

    def release(self, *keys: str) -> None:
        """Drop one reference per key given (a key given twice drops two), in a statement per chunk of keys."""
        zero = []
        by_count: dict[int, list[str]] = {}
        for key, count in sorted(Counter(keys).items()):
            by_count.setdefault(count, []).append(key)
        with self.db.no_autoflush:  # the caller may hold a half-built record that is flushed later
            for count, same in by_count.items():
                for chunk in _chunks(same):
                    rows = self.db.connection().execute(_release(), {"keys": chunk, "count": count})
                    zero += [key for key, left in rows if left == 0]
        if zero:  # kept at zero: a later put in this transaction counts up from there
            released = self.db.info.get("blobs.released")
            if released is None:
                released = self.db.info["blobs.released"] = set()
                self.on_commit(lambda: self._remove_unheld(released))
            released.update(zero)

    def _remove_unheld(self, keys: set[str]) -> None:
        """After the commit: the files of the keys still at zero go, in one transaction. The rows are deleted
        and the files unlinked before it commits, so a put of the same bytes elsewhere either waits for this
        and writes the file anew, or counted first and keeps it."""
        from mockservers.core.models import BlobRef

        table = cast(Table, BlobRef.__table__)
        with self.transaction() as db:
            for chunk in _chunks(sorted(keys)):
                gone = db.scalars(
                    delete(table).where(table.c.key.in_(chunk), table.c.refs <= 0).returning(table.c.key)
                ).all()
                for key in gone:
                    self.store.delete(key, db=db)

    def get(self, key: str) -> bytes:
        return self.store.get(key, db=self.db)

    def path(self, key: str) -> str:
        return self.store.path(key, db=self.db)

    def exists(self, key: str) -> bool:
        return self.store.exists(key, db=self.db)
