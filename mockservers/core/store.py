"""State store on SQLAlchemy: one transaction per unit of work, whatever the database."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool

from mockservers.core import filelocks


class Base(DeclarativeBase):
    """Every table, the core's and the vendors', lives on this metadata."""


MEMORY_URLS = ("memory", "sqlite://", "sqlite:///:memory:")


def normalize_url(url: str) -> str:
    if url in MEMORY_URLS:
        return "sqlite://"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]  # psycopg 3, installed with the package
    return url


def _sqlite_file(url: str) -> str | None:
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return url[len("sqlite:///") :]
    return None


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url == "sqlite://":
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    elif url.startswith("sqlite"):
        path = _sqlite_file(url)
        if path:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=20)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, in_memory=url == "sqlite://")
    return engine


READER = "mockservers_reader"  # execution option of the engine that reader sessions are bound to


class StaleRead(Exception):
    """A reader tried to write after another writer committed: its snapshot is stale, so it must start over as a
    writer (SQLite cannot upgrade a stale read transaction)."""


class WriterLock:
    """One writer at a time on a SQLite file: the threads of this process, then the processes (a file lock on a
    lock file: flock on POSIX, core/filelocks.py). SQLite's own busy handler sleeps and polls; a blocking file lock
    hands over the moment the lock is free."""

    def __init__(self, path: str | None):
        self._thread = threading.RLock()
        self._path = path
        self._fd: int | None = None
        self._pid: int | None = None
        self._depth = 0

    def acquire(self) -> None:
        self._thread.acquire()
        if self._path and self._depth == 0:
            filelocks.lock(self._file(self._path))
        self._depth += 1

    def release(self) -> None:
        self._depth -= 1
        if self._path and self._depth == 0:
            assert self._fd is not None  # acquire opened it, and it stays open while held
            filelocks.unlock(self._fd)
        self._thread.release()

    def _file(self, path: str) -> int:
        if self._fd is None or self._pid != os.getpid():  # a forked worker opens its own: the lock is the open file's
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            self._pid = os.getpid()
        return self._fd

    def close_when_free(self, also: Callable[[], None]) -> bool:
        """If no thread of this process holds the lock: run `also` and close the lock file (opened again when next
        needed). Does not wait; False if the lock was held."""
        if not self._thread.acquire(blocking=False):
            return False
        try:
            if self._depth:  # this very thread is inside a writer
                return False
            also()
            if self._fd is not None and self._pid == os.getpid():
                os.close(self._fd)
            self._fd = None
            return True
        finally:
            self._thread.release()


def _configure_sqlite(engine: Engine, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (pysqlite's own is too late)
        cur = dbapi_conn.cursor()
        if not in_memory:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # On the driver's connection: through exec_driver_sql this cost a fifth of a reader's whole transaction.
        driver = conn.connection.driver_connection
        if conn.get_execution_options().get(READER):
            driver.execute("BEGIN")  # a snapshot, no lock: readers run side by side
        else:
            # Take SQLite's write lock up front, so that writers queue instead of failing mid-transaction.
            driver.execute("BEGIN IMMEDIATE")


class Store:
    """Owns the engine; hands out one session per transaction."""

    def __init__(self, url: str, schema: str | None = None):
        self.url = normalize_url(url)
        self.engine = make_engine(url)
        self.schema = schema if schema and self.engine.dialect.name != "sqlite" else None
        if self.schema:
            self._use_schema(self.schema)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self.in_memory = in_memory = self.url == "sqlite://"
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        self._reader_factory = sessionmaker(self.engine.execution_options(**{READER: True}), expire_on_commit=False)
        # SQLite has one writer at a time. The in-memory database is one shared connection, so everything takes
        # the lock there; on a file, only writers do, and readers take it when they first write.
        self._lock = WriterLock(self.sqlite_path + ".lock" if self.sqlite_path else None) if self.is_sqlite else None
        self.readers_apart = self.is_sqlite and not in_memory
        self._upgraded = threading.local()
        self._plain: sqlite3.Connection | None = None  # the journal's connection, used under the writer lock
        self._plain_pid: int | None = None
        self.on_commit: Callable[[], None] | None = None  # called after each commit (the scheduler looks again)
        self.holding = True  # may hold connections or files (see release)
        self._sessions = 0  # open now
        self._sessions_lock = threading.Lock()
        if self.readers_apart:
            self._watch_readers()

    @property
    def _writer_lock(self) -> WriterLock:
        """The writer lock, asked for only on SQLite (where it exists)."""
        assert self._lock is not None
        return self._lock

    def _use_schema(self, schema: str) -> None:
        """A namespace of its own on a server database: a schema, first on every connection's search_path."""
        try:
            with self.engine.begin() as conn:
                conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        except Exception:  # another process created it at the same moment
            with self.engine.connect() as conn:
                found = conn.exec_driver_sql("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).first()
            if not found:
                raise
        self.engine.dispose()

        @event.listens_for(self.engine, "connect")
        def _search_path(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute(f'SET search_path TO "{schema}"')
            cur.close()
            dbapi_conn.commit()

    def _watch_readers(self) -> None:
        @event.listens_for(self.engine, "before_cursor_execute")
        def _reader_writes(conn, _cursor, statement, _params, _context, _many):
            if not conn.get_execution_options().get(READER) or getattr(self._upgraded, "held", False):
                return
            if statement.lstrip()[:6].upper() in ("SELECT", "PRAGMA", "BEGIN"):
                return
            self._writer_lock.acquire()  # released when the session closes
            self._upgraded.held = True

    def is_stale(self, error: BaseException) -> bool:
        """Whether `error` is a reader's write refused because its snapshot is stale."""
        return isinstance(error, StaleRead) or (
            self.readers_apart
            and getattr(self._upgraded, "held", False)
            and isinstance(error, OperationalError)
            and "locked" in str(error.orig)
        )

    @property
    def sqlite_path(self) -> str | None:
        return _sqlite_file(self.url)

    def create_all(self) -> None:
        """Every table and column the state needs (schema.py: a new database at once, a stamped one unchecked)."""
        from mockservers.core import schema  # it imports Base from here

        schema.ensure(self)

    def open(self, write: bool = True) -> Session:
        """A session for one transaction. A reader (write=False) on a SQLite file takes no lock and sees a
        snapshot; should it write, it takes the writer lock then, and fails with StaleRead if another writer
        committed since its snapshot."""
        reader = not write and self.readers_apart
        locked = self._lock is not None and not reader
        if locked:
            self._writer_lock.acquire()
        with self._sessions_lock:
            self._sessions += 1
            self.holding = True
        try:
            session = (self._reader_factory if reader else self._factory)()
        except BaseException:
            self._session_ended()
            if locked:
                self._writer_lock.release()
            raise
        session.info["store.locked"] = locked
        session.info["store.reader"] = reader
        return session

    def close(self, session: Session, commit: bool) -> None:
        after = session.info.pop("after_commit", [])
        try:
            if commit:
                session.commit()
            else:
                session.rollback()
        except OperationalError as exc:
            if session.info.get("store.reader") and self.is_stale(exc):
                raise StaleRead(str(exc)) from exc
            raise
        finally:
            session.close()
            self._session_ended()
            if session.info.pop("store.locked", False):
                self._writer_lock.release()
            if session.info.pop("store.reader", False) and getattr(self._upgraded, "held", False):
                self._upgraded.held = False
                self._writer_lock.release()
        if commit:
            if self.on_commit is not None:
                self.on_commit()
            for callback in after:
                callback()

    def _session_ended(self) -> None:
        with self._sessions_lock:
            self._sessions -= 1

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        session = self.open()
        ok = False
        try:
            yield session
            ok = True
        finally:
            self.close(session, commit=ok)

    @contextmanager
    def plain_write(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction on a plain sqlite3 connection, under the writer lock (SQLite files only). For
        the journal, written on every request: a SQLAlchemy session costs about 90 µs, this about 10. One
        connection serves every thread: the writer lock lets one use it at a time."""
        self._writer_lock.acquire()
        self.holding = True
        try:
            conn = self._plain
            if conn is None or self._plain_pid != os.getpid():  # a forked worker opens its own
                path = self.sqlite_path
                assert path is not None  # a SQLite file, said above
                conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
                conn.execute("PRAGMA synchronous=NORMAL")
                self._plain, self._plain_pid = conn, os.getpid()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            self._writer_lock.release()

    def wipe(self, keep: set[str] | frozenset[str] = frozenset()) -> None:
        with self.transaction() as db:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name not in keep:
                    db.execute(table.delete())

    def _close_plain(self) -> None:
        if self._plain is not None and self._plain_pid == os.getpid():
            self._plain.close()
        self._plain = None

    def release(self) -> bool:
        """Close every connection and file this store holds while idle; the next transaction opens what it needs.
        Does not wait: False if a session or a writer is running (the store is in use, not idle). The in-memory
        database lives in its one connection, so it keeps it."""
        with self._sessions_lock:
            if self._sessions:
                return False
            if not self.in_memory:
                if self._lock is not None and not self._lock.close_when_free(also=self._close_plain):
                    return False
                self.engine.dispose()
            self.holding = False
        return True

    def dispose(self) -> None:
        """Close the engine and the journal's connection, once no session of this process uses them: closing a
        SQLite connection another thread is executing on crashes the interpreter (the in-memory database's one
        connection is used under the writer lock, and so is the journal's)."""
        if self._lock is not None:
            self._writer_lock.acquire()
            try:
                self.engine.dispose()
                self._close_plain()
            finally:
                self._writer_lock.release()
            self._lock.close_when_free(also=lambda: None)
        else:
            self.engine.dispose()

    def destroy(self) -> None:
        """Forget the database itself: its files (SQLite) or its schema (a server database)."""
        self.dispose()
        if self.sqlite_path:
            for suffix in ("", "-wal", "-shm", ".lock"):
                with suppress(FileNotFoundError):
                    os.unlink(self.sqlite_path + suffix)
        elif self.schema:
            engine = make_engine(self.url)
            try:
                with engine.begin() as conn:
                    conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
            finally:
                engine.dispose()
