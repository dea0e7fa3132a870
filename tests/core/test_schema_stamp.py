"""Store.create_all makes a new database's tables at once and leaves a stamped one unchecked (schema.py); a database
made otherwise (an older version, other vendors) is checked and gains what it lacks. On --mock-state's database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, event, inspect

from mockservers.core import schema
from mockservers.core.models import JournalEntry
from mockservers.core.store import Base, Store
from tests.machinery import test_settings


@pytest.fixture
def store() -> Iterator[Store]:
    settings = test_settings()
    store = Store(settings.state, schema=settings.db_schema)
    yield store
    store.destroy()


def statements(store: Store) -> list[str]:
    seen: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda _c, _cur, sql, *_: seen.append(sql))
    return seen


def tables(store: Store) -> set[str]:
    with store.engine.connect() as conn:
        return set(inspect(conn).get_table_names(schema=store.schema))


def test_a_new_database_gets_every_table_and_the_stamp_in_one_transaction(store):
    begun: list[object] = []
    event.listen(store.engine, "begin", begun.append)
    store.create_all()
    assert len(begun) == 1
    assert tables(store) == {*Base.metadata.tables, schema.STAMP.name}
    with store.engine.connect() as conn:
        assert conn.execute(schema.STAMP.select()).scalars().all() == [schema.stamp()]


def test_a_stamped_database_is_opened_without_a_check_of_each_table(store):
    store.create_all()
    seen = statements(store)
    store.create_all()
    # whether the stamp's table is there, and the stamp: no other table's existence or columns, no DDL
    assert len([s for s in seen if s.split()[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK")]) == 2
    assert not [s for s in seen if s.lstrip().upper().startswith(("CREATE", "ALTER"))]


def test_a_database_made_with_other_tables_gains_the_missing_ones_and_the_stamp(store):
    with store.engine.begin() as conn:
        Base.metadata.create_all(conn, tables=[JournalEntry.__table__])
        schema.STAMP.create(conn)
        conn.execute(schema.STAMP.insert().values(stamp="made with fewer vendors"))
    store.create_all()
    assert tables(store) == {*Base.metadata.tables, schema.STAMP.name}
    with store.engine.connect() as conn:
        stamps = conn.execute(schema.STAMP.select()).scalars().all()
    assert sorted(stamps) == sorted(["made with fewer vendors", schema.stamp()])
    seen = statements(store)
    store.create_all()
    assert len([s for s in seen if s.split()[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK")]) == 2


def test_the_stamp_changes_with_any_table_or_column_name_and_only_with_them():
    def made(*tables: tuple[str, ...]) -> str:
        metadata = MetaData()
        for name, *columns in tables:
            Table(name, metadata, *(Column(c, Integer if n else String(10)) for n, c in enumerate(columns)))
        return schema.stamp(metadata)

    journal = made(("journal", "id", "path"), ("clock", "now"))
    assert made(("clock", "now"), ("journal", "path", "id")) == journal  # the order tables and columns come in
    assert made(("journal", "id", "path", "response_headers"), ("clock", "now")) != journal  # a column more
    assert made(("journal", "id", "path")) != journal  # a table less
    assert made(("journal", "id", "paths"), ("clock", "now")) != journal  # a column renamed
