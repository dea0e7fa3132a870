"""Blobs kept in the PostgreSQL state database, where every `serve` process on every host reaches them.

A file is a row of core_blob_files and its content rows of core_blob_chunks (bytea, CHUNK bytes each), written
with COPY and read row by row, so neither way holds a whole large file in memory at once. A request writes them in
its own transaction: a rolled-back upload leaves nothing in the database, and removal after the last release is
as transactional as the reference count. The folder of the store is this host's cache: a put writes the file there
too, and a read of a file absent there fetches it once. Files are named by their content, so a cached file is
never stale; whether a file is stored is asked of the database.

Snapshots keep copies under "snapshots/ID/KEY" in the same tables (reset and the sweep leave them), so a snapshot
taken through one host is restored through another.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    func,
)
from sqlalchemy.engine import Connection, Engine

from mockservers.core.blobs import BlobStore

CHUNK = 1 << 20  # bytes per content row: large enough for few rows, small enough to stream
ORPHAN_AGE = "600 seconds"  # the sweep's margin for files stored outside a request (see blobs.ORPHAN_AGE_SECONDS)

# Tables of their own, not the state's Base: snapshots and exports dump the state's tables, never file contents.
METADATA = MetaData()
FILES = Table(
    "core_blob_files",
    METADATA,
    Column("key", String(200), primary_key=True),  # a SHA-256, or snapshots/ID/SHA-256 for a snapshot's copy
    Column("size", BigInteger, nullable=False),
    Column("stored_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
)
CHUNKS = Table(
    "core_blob_chunks",
    METADATA,
    Column("key", String(200), ForeignKey("core_blob_files.key", ondelete="CASCADE"), primary_key=True),
    Column("n", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)
KEPT = "position('/' in key) > 0"  # a snapshot's copy


def _create(engine: Engine) -> None:
    with engine.begin() as conn:
        METADATA.create_all(conn)
        # Stored as they are: DICOM pixels, zips and images gain little from compression and pay for it each time.
        conn.exec_driver_sql("ALTER TABLE core_blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL")


def _cursor(conn: Connection):
    """A psycopg cursor in the connection's transaction: COPY and row-by-row reads are psycopg's own."""
    raw = conn.connection.driver_connection
    assert raw is not None  # a connection in use has its driver's
    return raw.cursor()


class PostgresBlobStore(BlobStore):
    def __init__(self, root: str, engine: Engine):
        super().__init__(root)
        self.engine = engine
        try:
            _create(engine)
        except Exception:  # another process was creating the same tables; now they exist
            _create(engine)

    @contextlib.contextmanager
    def _connection(self, db) -> Iterator[Connection]:
        """The request's transaction if there is one, else a transaction of its own."""
        if db is not None:
            yield db.connection()
        else:
            with self.engine.begin() as conn:
                yield conn

    # ---- writing ---------------------------------------------------------------------------

    def put(self, data: bytes, key: str | None = None, db=None, staged: str | None = None) -> str:
        key = super().put(data, key, staged=staged)
        view = memoryview(data)
        self._store(key, len(data), (view[at : at + CHUNK] for at in range(0, len(data), CHUNK)), db)
        return key

    def put_file(self, source: str, key: str, db=None) -> None:
        super().put_file(source, key)
        with open(source, "rb") as fh:
            self._store(key, os.fstat(fh.fileno()).st_size, iter(lambda: fh.read(CHUNK), b""), db)

    def _store(self, key: str, size: int, chunks: Iterable, db) -> None:
        """The file's rows, unless they are there. A request has counted the key first (blobs.CountedBlobs.put):
        its row of core_blob_refs is locked until it commits, so no other transaction stores or removes the same
        key meanwhile."""
        with self._connection(db) as conn:
            if conn.execute(FILES.select().where(FILES.c.key == key)).first() is not None:
                return
            conn.execute(FILES.insert().values(key=key, size=size))
            copying = "COPY core_blob_chunks (key, n, data) FROM STDIN (FORMAT BINARY)"
            with _cursor(conn) as cursor, cursor.copy(copying) as copy:
                copy.set_types(["varchar", "int4", "bytea"])
                for n, chunk in enumerate(chunks):
                    copy.write_row((key, n, chunk))

    # ---- reading ---------------------------------------------------------------------------

    def path(self, key: str, db=None) -> str:
        """The cached file, fetched from the database first if this host has none."""
        path = self._path(key)
        if os.path.exists(path):
            return path
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh, self._connection(db) as conn, _cursor(conn) as cursor:
                found = False
                for (chunk,) in cursor.stream("SELECT data FROM core_blob_chunks WHERE key = %s ORDER BY n", (key,)):
                    fh.write(chunk)
                    found = True
            if not found:
                raise KeyError(key)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        return path

    def exists(self, key: str, db=None) -> bool:
        try:
            self._path(key)
        except KeyError:
            return False
        with self._connection(db) as conn:
            return conn.execute(FILES.select().where(FILES.c.key == key)).first() is not None

    # ---- removing --------------------------------------------------------------------------

    def delete(self, key: str, db=None) -> None:
        super().delete(key)
        with self._connection(db) as conn:
            conn.execute(FILES.delete().where(FILES.c.key == key))

    def sweep(self, held: set[str], older_than: float) -> int:
        """This host's cached files no record holds, as in a folder; and in the database, files whose references
        dropped to none (their removal after commit never ran) and files no reference counts that were stored
        long enough ago not to be a request's in flight. Locking the zero counts first makes a request putting
        the same content now wait, then store it anew."""
        removed = super().sweep(held, older_than)
        with self.engine.begin() as conn:
            zero = [key for (key,) in conn.exec_driver_sql("DELETE FROM core_blob_refs WHERE refs <= 0 RETURNING key")]
            gone = conn.exec_driver_sql(
                f"DELETE FROM core_blob_files f WHERE NOT ({KEPT}) AND (key = ANY(%s) OR (stored_at < now() - "
                f"interval '{ORPHAN_AGE}' AND NOT EXISTS (SELECT 1 FROM core_blob_refs r WHERE r.key = f.key)))",
                (zero,),
            )
            return removed + gone.rowcount

    def wipe(self) -> None:
        super().wipe()
        with self.engine.begin() as conn:
            conn.exec_driver_sql(f"DELETE FROM core_blob_files WHERE NOT ({KEPT})")

    # ---- snapshots -------------------------------------------------------------------------

    def keep(self, keys: list[str], label: str) -> None:
        super().keep(keys, label)
        self._copy(keys, "", f"{label}/")

    def bring_back(self, keys: list[str], label: str, db=None) -> None:
        """The database's copies, then the folder's: those of a snapshot taken before the files were kept in the
        database are stored there now."""
        self._copy(keys, f"{label}/", "", db)
        super().bring_back(keys, label, db)

    def _copy(self, keys: list[str], source: str, target: str, db=None) -> None:
        """Server-side copies of files from one name to another: `source`+key to `target`+key."""
        names = [source + key for key in keys]
        start = len(source) + 1
        with self._connection(db) as conn:
            conn.exec_driver_sql(
                "INSERT INTO core_blob_files (key, size) SELECT %s || substr(key, %s), size FROM core_blob_files "
                "WHERE key = ANY(%s) ON CONFLICT DO NOTHING",
                (target, start, names),
            )
            conn.exec_driver_sql(
                "INSERT INTO core_blob_chunks (key, n, data) SELECT %s || substr(key, %s), n, data "
                "FROM core_blob_chunks WHERE key = ANY(%s) ON CONFLICT DO NOTHING",
                (target, start, names),
            )
