"""State store on SQLAlchemy: one transaction per unit of work, whatever the database."""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool


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
        return url[len("sqlite:///"):]
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
        # Take the write lock up front, so that concurrent writers wait instead of failing mid-transaction.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class Store:
    """Owns the engine; hands out one session per transaction."""

    def __init__(self, url: str, schema: str | None = None):
        self.url = normalize_url(url)
        self.engine = make_engine(url)
        if schema and self.engine.dialect.name != "sqlite":
            self._use_schema(schema)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time; serialising in-process keeps threads from spinning on busy locks,
        # and the in-memory database is one shared connection.
        self._lock = threading.RLock() if self.is_sqlite else None

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

    @property
    def sqlite_path(self) -> str | None:
        return _sqlite_file(self.url)

    def create_all(self) -> None:
        try:
            Base.metadata.create_all(self.engine)
        except Exception:
            if self.is_sqlite:
                raise
            Base.metadata.create_all(self.engine)  # another process was creating the same tables; now they exist

    def open(self) -> Session:
        if self._lock:
            self._lock.acquire()
        try:
            return self._factory()
        except BaseException:
            if self._lock:
                self._lock.release()
            raise

    def close(self, session: Session, commit: bool) -> None:
        after = session.info.pop("after_commit", [])
        try:
            if commit:
                session.commit()
            else:
                session.rollback()
        finally:
            session.close()
            if self._lock:
                self._lock.release()
        if commit:
            for callback in after:
                callback()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        session = self.open()
        ok = False
        try:
            yield session
            ok = True
        finally:
            self.close(session, commit=ok)

    def wipe(self, keep: set[str] | frozenset[str] = frozenset()) -> None:
        with self.transaction() as db:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name not in keep:
                    db.execute(table.delete())

    def dispose(self) -> None:
        self.engine.dispose()
