"""The request journal: every vendor request with its answer, bounded in size."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mockservers.core.models import JournalEntry

if TYPE_CHECKING:
    from mockservers.core.store import Store

BODY_LIMIT = 4096
SKIPPED_HEADERS = {"cookie"}
_INSERT = JournalEntry.__table__.insert()
_COLUMNS = [c.name for c in JournalEntry.__table__.columns if c.name != "id"]
_PLAIN_INSERT = f"INSERT INTO core_journal ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"


def text_of(data: bytes, content_type: str | None = None) -> str:
    if not data:
        return ""
    ct = (content_type or "").lower()
    binary = ct.startswith(("application/dicom", "application/octet-stream", "image/", "application/zip")) \
        or "multipart/related" in ct
    if not binary:
        try:
            text = data[:BODY_LIMIT].decode("utf-8")
            return text + ("…" if len(data) > BODY_LIMIT else "")
        except UnicodeDecodeError:
            pass
    return f"<{len(data)} bytes {ct or 'binary'}>"


def record(db: Session, size: int, **fields: Any) -> None:
    # A Core insert: the ORM's unit of work costs several times more, on every request.
    new_id = db.connection().execute(_INSERT, fields).inserted_primary_key[0]
    if new_id % min(size, 100) == 0:  # prune now and then; query() shows no more than `size` anyway
        db.execute(delete(JournalEntry).where(JournalEntry.id <= new_id - size))


def record_apart(store: "Store", size: int, **fields: Any) -> None:
    """Record in a transaction of its own: plain sqlite3 on a SQLite file, a session elsewhere."""
    if not store.readers_apart:
        with store.transaction() as db:
            record(db, size, **fields)
        return
    fields["headers"] = json.dumps(fields["headers"])
    with store.plain_write() as conn:
        new_id = conn.execute(_PLAIN_INSERT, [fields[c] for c in _COLUMNS]).lastrowid
        if new_id % min(size, 100) == 0:
            conn.execute("DELETE FROM core_journal WHERE id <= ?", (new_id - size,))


def query(db: Session, vendor: str | None = None, path: str | None = None, method: str | None = None,
          status: int | None = None, limit: int | None = None, unmatched: bool | None = None,
          size: int | None = None) -> list[dict]:
    q = select(JournalEntry).order_by(JournalEntry.id.desc())
    if size:
        newest = db.scalar(select(func.max(JournalEntry.id))) or 0
        q = q.where(JournalEntry.id > newest - size)
    if unmatched is not None:
        q = q.where(JournalEntry.unmatched.is_(unmatched))
    if vendor:
        q = q.where(JournalEntry.vendor == vendor)
    if method:
        q = q.where(JournalEntry.method == method.upper())
    if status:
        q = q.where(JournalEntry.status == status)
    if path:
        if "*" in path:
            q = q.where(JournalEntry.path.like(path.replace("*", "%")))
        else:
            q = q.where(JournalEntry.path == path)
    if limit:
        q = q.limit(limit)
    return [as_dict(e) for e in db.scalars(q)]


def as_dict(e: JournalEntry) -> dict:
    return {"id": e.id, "time": e.ts, "vendor": e.vendor, "method": e.method, "path": e.path, "query": e.query,
            "headers": e.headers, "body": e.body, "status": e.status, "response_body": e.response_body,
            "duration_ms": round(e.duration_ms, 3), "fault_id": e.fault_id, "explain": e.explain,
            "unmatched": bool(e.unmatched), "worker": e.worker}
