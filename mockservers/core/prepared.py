"""Reads prepared once per shape: a Core select compiled once per dialect, then run on the driver's own cursor of the
session's connection with its values alone, its rows read as plain records (no ORM objects).

For a QIDO search, building the statement and running it through the ORM cost twenty times the query itself (about
400 µs against 20 µs on SQLite, at 1,000 instances)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from sqlalchemy import JSON, Boolean, ColumnElement, Select
from sqlalchemy.orm import Session

Decoders = tuple[tuple[str, Callable[[Any], Any]], ...]  # (column name, what makes its driver value the ORM's)


class Record:
    """One table's columns of a row, as attributes (what a reader of an ORM object reads). A column with a decoder
    is decoded when first read: a JSON column no caller reads costs no json.loads."""

    def __init__(self, names: Sequence[str], values: Sequence[Any], decoders: Decoders = ()):
        self.__dict__.update(zip(names, values, strict=True))
        if decoders:
            raw = self.__dict__
            self.__dict__["_undecoded"] = {name: (decode, raw.pop(name)) for name, decode in decoders}

    def __getattr__(self, name: str) -> Any:  # a column still undecoded, or one the select left out
        undecoded = self.__dict__.get("_undecoded")
        if undecoded is not None and name in undecoded:
            decode, value = undecoded.pop(name)
            value = self.__dict__[name] = decode(value) if value is not None else None
            return value
        raise AttributeError(name)


def decoder(column: ColumnElement, dialect: Any) -> Callable[[Any], Any] | None:
    """What the ORM does to the column's value as the driver gives it, if anything: SQLite's driver gives JSON as
    text and a Boolean as 0 or 1, PostgreSQL's gives both as Python values. Text and numbers arrive as the ORM's
    from both drivers (a Float's processor on PostgreSQL would even want the column's type OID)."""
    if not isinstance(column.type, (JSON, Boolean)):
        return None
    return column.type.dialect_impl(dialect).result_processor(dialect, None)


class Prepared:
    """A statement compiled for one dialect. Its values are named by its bindparams; `tables` splits each row into
    one Record per table, in the select's order of columns."""

    def __init__(self, stmt: Select, columns: Sequence[ColumnElement], dialect: Any):
        compiled = stmt.compile(dialect=dialect)
        if "POSTCOMPILE" in compiled.string:  # expanding IN or literal LIMIT: values that change the SQL text
            raise ValueError("a prepared statement takes its values as they are: no expanding parameters")
        self.sql = compiled.string
        self.positions = compiled.positiontup  # the values' order for a positional paramstyle (SQLite's qmark)
        # values the compiler bound itself (SQLite's OFFSET 0 beside a LIMIT)
        self.fixed = {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required}
        spans: list[tuple[str, list[str], int]] = []
        for index, column in enumerate(columns):
            table = column.table.name  # every column prepared here is a table's
            if not spans or spans[-1][0] != table:
                spans.append((table, [], index))
            spans[-1][1].append(column.name)
        self.spans = [(table, tuple(names), start, start + len(names)) for table, names, start in spans]
        # per span, its columns' decoders (core/prepared.decoder), only those that do something
        self.decoders: list[Decoders] = []
        for _table, _names, start, end in self.spans:
            found = ((column.name, decoder(column, dialect)) for column in columns[start:end])
            self.decoders.append(tuple((name, decode) for name, decode in found if decode is not None))

    def rows(self, db: Session, values: dict[str, Any]) -> list[tuple]:
        if db.new or db.dirty or db.deleted:  # what the session holds unwritten, as the ORM's autoflush would
            db.flush()
        driver = db.connection().connection.driver_connection
        assert driver is not None  # None only once the connection is closed; the session's is open
        return driver.execute(self.sql, self.params(values)).fetchall()

    def params(self, values: dict[str, Any]) -> tuple | dict[str, Any]:
        """The values as the driver takes them: in order for a positional paramstyle, else by name."""
        if self.fixed:
            values = {**self.fixed, **values}
        return tuple(values[name] for name in self.positions) if self.positions is not None else values

    def records(self, db: Session, values: dict[str, Any]) -> list[dict[str, Record]]:
        """Each row as {table name: Record}."""
        spans = list(zip(self.spans, self.decoders, strict=True))
        return [
            {table: Record(names, row[start:end], decoders) for (table, names, start, end), decoders in spans}
            for row in self.rows(db, values)
        ]


class Cache:
    """Prepared statements by (dialect name, shape), the `size` most recently used. `build(shape)` returns the
    select and its columns."""

    def __init__(self, build: Callable[[Any], tuple[Select, Sequence[ColumnElement]]], size: int = 256):
        self.build = build
        self.size = size
        self._prepared: OrderedDict[Hashable, Prepared] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, db: Session, shape: Hashable) -> Prepared:
        dialect = db.get_bind().dialect
        key = (dialect.name, shape)
        with self._lock:
            prepared = self._prepared.get(key)
            if prepared is not None:
                self._prepared.move_to_end(key)
                return prepared
        prepared = Prepared(*self.build(shape), dialect)
        with self._lock:
            self._prepared[key] = prepared
            while len(self._prepared) > self.size:
                self._prepared.popitem(last=False)
        return prepared


class Statement:
    """One select of one table's columns, prepared once per dialect: `records()` its rows as Records. For reads whose
    objects are only read (a Record is not an ORM object: nothing written to it is saved)."""

    def __init__(self, stmt: Select):
        columns = list(stmt.selected_columns)
        self._cache = Cache(lambda _shape: (stmt, columns), size=4)

    def records(self, db: Session, values: dict[str, Any]) -> list[Record]:
        prepared = self._cache.get(db, None)
        (_table, names, _start, _end), *others = prepared.spans
        assert not others  # one table, said above
        decoders = prepared.decoders[0]
        return [Record(names, row, decoders) for row in prepared.rows(db, values)]
