"""Snapshots of a namespace (every table, every blob) and scenario files made from them."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from sqlalchemy import Float, Integer, String, select, text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import JSON

from mockservers.core.blobs import key_of
from mockservers.core.models import BlobRef
from mockservers.core.store import Base

if TYPE_CHECKING:
    from mockservers.core.runtime import Runtime

FORMAT = "mockservers-scenario/1"


class Snapshot(Base):
    __tablename__ = "core_snapshots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[float] = mapped_column(Float)
    data: Mapped[dict] = mapped_column(JSON)


KEPT = {Snapshot.__tablename__}  # survives reset and restore: snapshots are the control plane's, not state


class ScenarioError(ValueError):
    pass


def _encode(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"__bytes__": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"__bytes__"}:
        return base64.b64decode(value["__bytes__"])
    return value


def _state_tables():
    return [t for t in Base.metadata.sorted_tables if t.name not in KEPT]


def dump_tables(runtime: Runtime) -> dict[str, list[dict]]:
    with runtime.store.transaction() as db:
        return {
            table.name: [{k: _encode(v) for k, v in row._mapping.items()} for row in db.execute(select(table))]
            for table in _state_tables()
        }


def _held(tables: dict[str, list[dict]]) -> set[str]:
    """The files the rows hold: a file no record holds (deleted, overwritten, left by a crash) is not state."""
    rows = tables.get(BlobRef.__tablename__) or []
    return {
        row["key"]
        for row in rows
        if isinstance(row, dict)
        and isinstance(row.get("refs"), int)
        and row["refs"] > 0
        and isinstance(row.get("key"), str)
    }


def _blob_keys(runtime: Runtime, tables: dict[str, list[dict]]) -> list[str]:
    return sorted(key for key in _held(tables) if runtime.blobs.exists(key))


def _label(snapshot_id: int) -> str:
    """Where the blob store keeps a snapshot's files."""
    return f"snapshots/{snapshot_id}"


def take(runtime: Runtime, label: str = "") -> dict:
    tables = dump_tables(runtime)
    blobs = _blob_keys(runtime, tables)
    with runtime.store.transaction() as db:
        snap = Snapshot(label=label, created_at=runtime.clock.now(), data={"tables": tables, "blobs": blobs})
        db.add(snap)
        db.flush()
        snapshot_id = snap.id
    runtime.blobs.keep(blobs, _label(snapshot_id))
    return describe(snapshot_id, label, runtime.clock.now(), tables, blobs)


def describe(snapshot_id: int, label: str, created_at: float, tables: dict, blobs: list) -> dict:
    return {
        "id": snapshot_id,
        "label": label,
        "created_at": created_at,
        "rows": sum(len(rows) for rows in tables.values()),
        "blobs": len(blobs),
    }


def listing(runtime: Runtime) -> list[dict]:
    with runtime.store.transaction() as db:
        return [
            describe(s.id, s.label, s.created_at, s.data["tables"], s.data["blobs"])
            for s in db.scalars(select(Snapshot).order_by(Snapshot.id))
        ]


def restore(runtime: Runtime, snapshot_id: int) -> bool:
    with runtime.store.transaction() as db:
        snap = db.get(Snapshot, snapshot_id)
        if snap is None:
            return False
        data = snap.data
    held = _held(data["tables"])  # a snapshot taken before files were counted may list orphans too
    _load(runtime, data["tables"], kept=(_label(snapshot_id), [key for key in data["blobs"] if key in held]))
    return True


def export(runtime: Runtime) -> dict:
    """The namespace as a self-contained scenario: rows and blob contents."""
    tables = dump_tables(runtime)
    return {
        "format": FORMAT,
        "tables": tables,
        "blobs": {key: base64.b64encode(runtime.blobs.get(key)).decode("ascii") for key in _blob_keys(runtime, tables)},
    }


def load_scenario(runtime: Runtime, scenario: Any) -> dict:
    if not isinstance(scenario, dict) or scenario.get("format") != FORMAT:
        raise ScenarioError(f'not a scenario: expected an object with "format": "{FORMAT}"')
    tables, blobs = scenario.get("tables"), scenario.get("blobs", {})
    known = {t.name for t in _state_tables()}
    if not isinstance(tables, dict) or not isinstance(blobs, dict) or set(tables) - known:
        raise ScenarioError(f"unknown or malformed tables: {sorted(set(tables or {}) - known)}")
    try:
        contents = {key: base64.b64decode(value, validate=True) for key, value in blobs.items()}
    except (ValueError, TypeError):
        raise ScenarioError("blobs must be base64") from None
    if any(key_of(data) != key for key, data in contents.items()):
        raise ScenarioError("blobs: each is named by the SHA-256 of its content")
    held = _held(tables)  # files the rows do not hold would be orphans from the start
    contents = {key: data for key, data in contents.items() if key in held}
    _load(runtime, tables, blob_bytes=contents)
    return {"rows": sum(len(rows) for rows in tables.values()), "blobs": len(contents)}


def _load(
    runtime: Runtime,
    tables: dict[str, list[dict]],
    kept: tuple[str, list[str]] | None = None,
    blob_bytes: dict[str, bytes] | None = None,
) -> None:
    runtime.reset(seed_vendors=False)
    with runtime.store.transaction() as db:  # the files in the rows' transaction (a store in the database)
        if kept is not None:
            runtime.blobs.bring_back(kept[1], kept[0], db=db)
        for data in (blob_bytes or {}).values():
            runtime.blobs.put(data, db=db)
        for table in reversed(_state_tables()):
            db.execute(table.delete())  # reset() recreated the clock row; the loaded one replaces it
        for table in _state_tables():
            rows = tables.get(table.name) or []
            if rows:
                db.execute(table.insert(), [{k: _decode(v) for k, v in row.items()} for row in rows])
        if runtime.store.engine.dialect.name == "postgresql":
            _advance_sequences(db)
        runtime.faults.changed(db)  # the loaded rules replace whatever a worker had copied
        runtime.clock.load(db)


def _advance_sequences(db) -> None:
    for table in _state_tables():
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement is not False and isinstance(pk[0].type, Integer):
            db.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                    f"COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"
                )
            )
