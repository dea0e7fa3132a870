"""Counting rows up in one statement (INSERT ... ON CONFLICT DO UPDATE ... RETURNING, on SQLite and PostgreSQL)."""

from __future__ import annotations

import functools

from sqlalchemy import Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


@functools.cache
def _statement(dialect_name: str, table: Table, column: str):
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    (key_column,) = table.primary_key.columns
    stmt = dialect.insert(table).values({key_column.name: bindparam("key"), column: bindparam("by")})
    stmt = stmt.on_conflict_do_update(
        index_elements=[key_column], set_={column: table.c[column] + stmt.excluded[column]}
    )
    return stmt.returning(table.c[column])


def add_to(db: Session, table: Table, key: str, column: str, by: int) -> int:
    """table[key].column += by, the row created at `by` if absent; the new value. Other writers wait on the row
    (PostgreSQL) or the database (SQLite), so no two callers see the same value. Pending ORM changes are not
    flushed first: the caller may hold a half-built record."""
    conn = db.connection()  # past the ORM's execute (which would autoflush, and costs as much as the statement)
    return conn.execute(_statement(conn.dialect.name, table, column), {"key": key, "by": by}).scalar_one()
