"""The state's tables made, or brought up to date, once per database (Store.create_all): a schema stamp (a hash of
every table's and column's name on Base) in a table of its own says a database already has them all. A database
without the stamp's table is taken for new and gets every table in one transaction, unchecked; one carrying this
stamp costs two queries; any other (a state file from an older version, which fails the unchecked making at its
first table, or one made with other vendors) is checked table by table and gains the tables and nullable columns it
lacks, then this stamp too."""

from __future__ import annotations

import hashlib
from contextlib import suppress
from typing import TYPE_CHECKING

from sqlalchemy import Column, MetaData, String, Table, create_mock_engine, inspect, select
from sqlalchemy.engine import Connection

from mockservers.core.store import Base

if TYPE_CHECKING:
    from mockservers.core.store import Store

# Not on Base: wipe, snapshots and exports handle the state's tables, never this one.
_STAMPS = MetaData()
STAMP = Table("core_schema_stamp", _STAMPS, Column("stamp", String(64), primary_key=True))
_SCRIPTS: dict[tuple, list[str]] = {}  # (dialect, its server's version, stamp) -> the statements making it all


def stamp(metadata: MetaData = Base.metadata) -> str:
    """What a database made from `metadata` has: its tables and their columns' names (what the check adds)."""
    digest = hashlib.sha256()
    for name, table in sorted(metadata.tables.items()):
        digest.update(f"{name}({','.join(sorted(c.name for c in table.columns))});".encode())
    return digest.hexdigest()


def ensure(store: Store) -> None:
    current = stamp()
    try:
        with store.engine.begin() as conn:
            # One look-up by name (listing a PostgreSQL schema's tables scans the catalog: a schema per test)
            if not inspect(conn).has_table(STAMP.name, schema=store.schema):
                _create(conn, current)  # a new database; an older one fails at its first table, checked below
                return
            if current in conn.execute(select(STAMP.c.stamp)).scalars().all():
                return
    except Exception:
        pass  # an older state, or another process making the same tables at once: the check below sees them
    _check(store)
    # Stamps are only added: tables and columns are never taken away, so an older stamp still holds. Another
    # process stamping the same at once leaves its row, as good as ours.
    with suppress(Exception), store.engine.begin() as conn:
        _STAMPS.create_all(conn)
        conn.execute(STAMP.insert().values(stamp=current))


def _create(conn: Connection, current: str) -> None:
    """What create_all would send a new database, and the stamp: compiled once per dialect, sent as they are (in
    one round trip to PostgreSQL). Compiling the DDL took half of a new in-memory database's making."""
    dialect = conn.dialect
    key = (dialect.name, dialect.server_version_info, current)
    script = _SCRIPTS.get(key)
    if script is None:
        sent: list[str] = []
        mock = create_mock_engine(
            conn.engine.url, lambda ddl, *_args, **_kw: sent.append(str(ddl.compile(dialect=dialect)))
        )
        Base.metadata.create_all(mock, checkfirst=False)
        _STAMPS.create_all(mock, checkfirst=False)
        sent.append(f"INSERT INTO {STAMP.name} (stamp) VALUES ('{current}')")  # a hex digest: nothing to quote
        script = _SCRIPTS[key] = [statement.strip() for statement in sent]
    driver = conn.connection.driver_connection
    assert driver is not None  # a connection in use has its driver's
    if dialect.name == "postgresql":
        driver.execute(";\n".join(script))  # no parameters: psycopg sends several statements as one query
        return
    cursor = driver.cursor()
    try:
        for statement in script:
            cursor.execute(statement)
    finally:
        cursor.close()


def _check(store: Store) -> None:
    try:
        Base.metadata.create_all(store.engine)
    except Exception:
        if store.is_sqlite:
            raise
        Base.metadata.create_all(store.engine)  # another process was creating the same tables; now they exist
    _add_missing_columns(store)


def _add_missing_columns(store: Store) -> None:
    """A state made by an older version lacks the nullable columns added since: add them, so it keeps working."""
    engine = store.engine
    inspector = inspect(engine)
    tables = set(inspector.get_table_names(schema=store.schema))
    quote = engine.dialect.identifier_preparer.quote
    for table in Base.metadata.sorted_tables:
        if table.name not in tables:
            continue
        have = {c["name"] for c in inspector.get_columns(table.name, schema=store.schema)}
        for column in table.columns:
            if column.name in have or not column.nullable:
                continue
            kind = column.type.compile(dialect=engine.dialect)
            try:
                with engine.begin() as conn:
                    conn.exec_driver_sql(f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(column.name)} {kind}")
            except Exception:
                inspector.clear_cache()
                if column.name not in {c["name"] for c in inspector.get_columns(table.name, schema=store.schema)}:
                    raise
                # another process added it meanwhile
