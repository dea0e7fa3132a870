"""The request journal: every vendor request with its answer, bounded in size."""

from __future__ import annotations

import functools
import json
import os
import re
import threading
import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, delete, func, select
from sqlalchemy.orm import Session

from mockservers.core.models import JournalEntry

if TYPE_CHECKING:
    from mockservers.core.store import Store

BODY_LIMIT = 4096
CUT = "…"  # ends a body longer than BODY_LIMIT
SKIPPED_HEADERS = {"cookie"}
# Credentials any vendor may be sent; each vendor adds its own names on its VendorSpec (credential_names).
CREDENTIAL_NAMES = ("authorization", "proxy-authorization")
SCHEMED = frozenset(("authorization", "proxy-authorization"))  # 'Scheme credentials': the scheme is shown
RESPONSE_CREDENTIAL_NAMES = ("set-cookie",)  # a session handed out; the request's Cookie is not kept at all
_TABLE = cast(Table, JournalEntry.__table__)  # typed as any FromClause; a declarative class's is a Table
_INSERT = _TABLE.insert()
_COLUMNS = [c.name for c in _TABLE.columns if c.name != "id"]
_PLAIN_INSERT = f"INSERT INTO core_journal ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"


def text_of(data: bytes, content_type: str | None = None) -> str:
    if not data:
        return ""
    ct = (content_type or "").lower()
    binary = (
        ct.startswith(("application/dicom", "application/octet-stream", "image/", "application/zip"))
        or "multipart/related" in ct
    )
    if not binary:
        try:
            text = data[:BODY_LIMIT].decode("utf-8")
            return text + (CUT if len(data) > BODY_LIMIT else "")
        except UnicodeDecodeError:
            pass
    return f"<{len(data)} bytes {ct or 'binary'}>"


def mask(value: str, scheme: bool = False) -> str:
    """What the journal shows of a credential: its first 3 characters if it has 12 or more, `***`, and its length
    as sent: 'a1b***(32)', '***(6)'; an Authorization header keeps its scheme: 'OSS moc***(41)'."""
    if scheme:
        word, space, rest = value.partition(" ")
        if space and rest and word.isalnum():
            return f"{word} {mask(rest)}"
    return f"{value[:3] if len(value) >= 12 else ''}***({len(value)})"


class Masker:
    """Masks the values of the given names (any case) in headers, query strings, form, multipart and JSON text.
    Text cut by the journal's size limit is masked to its end, so a cut value is not shown either."""

    def __init__(self, names: Iterable[str]):
        self.names = tuple(sorted({n.lower() for n in (*CREDENTIAL_NAMES, *names)}, key=len, reverse=True))
        self.header_names = frozenset(self.names)

    def headers(self, headers: dict[str, str]) -> dict[str, str]:
        return {k: mask(v, k.lower() in SCHEMED) if k.lower() in self.header_names else v for k, v in headers.items()}

    def text(self, text: str) -> str:
        if not text:
            return text
        lowered = text.lower()
        found = tuple(n for n in self.names if n in lowered)  # a plain search first: most text names none
        if not found:
            return text
        pair, json_value, part = _patterns(found)
        cut = CUT if text.endswith(CUT) else ""  # text_of's mark of a body cut short stays visible
        text = text[: len(text) - len(cut)]
        text = pair.sub(lambda m: m[1] + mask(m[2]), text)
        text = json_value.sub(lambda m: m[0] if m[2] == "" else f'{m[1]}"{mask(m[2] or m[3])}"', text)
        return part.sub(lambda m: m[1] + mask(m[2]), text) + cut


@functools.lru_cache(maxsize=256)
def _patterns(names: tuple[str, ...]) -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    """name=value (query, form), "name": value (JSON), a multipart part named name: each value's span."""
    alternatives = "|".join(re.escape(n) for n in names)
    return (
        re.compile(rf"(?<![^&])((?:{alternatives})=)([^&]+)", re.IGNORECASE),
        re.compile(
            rf'("(?:{alternatives})"\s*:\s*)(?:"((?:[^"\\]|\\.)*)"?|(-?\d[\d.eE+-]*|true|false))', re.IGNORECASE
        ),
        re.compile(rf'(name="(?:{alternatives})"[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n)([^\r\n]+)', re.IGNORECASE),
    )


@functools.cache
def masker(names: tuple[str, ...]) -> Masker:
    return Masker(names)


def mask_entry(entry: dict[str, Any], names: tuple[str, ...]) -> None:
    """Mask the credentials of a journal entry before it is written: the state never holds them in clear."""
    m = masker(names)
    entry["headers"] = m.headers(entry["headers"])
    entry["response_headers"] = masker((*names, *RESPONSE_CREDENTIAL_NAMES)).headers(entry["response_headers"])
    for field in ("query", "body", "response_body"):
        entry[field] = m.text(entry[field])


def record(db: Session, size: int, **fields: Any) -> None:
    connection = db.connection()
    if connection.dialect.name == "sqlite":  # the plain insert record_apart writes, on the session's connection
        driver = connection.connection.driver_connection
        assert driver is not None  # None only once the connection is closed; the session's is open
        for field in ("headers", "response_headers"):
            fields[field] = json.dumps(fields[field])
        new_id = driver.execute(_PLAIN_INSERT, [fields[c] for c in _COLUMNS]).lastrowid
    else:  # a Core insert: the ORM's unit of work costs several times more, on every request
        key = connection.execute(_INSERT, fields).inserted_primary_key
        new_id = key[0] if key is not None else None
    assert new_id is not None  # None only when no row was inserted; this inserts one
    if new_id % min(size, 100) == 0:  # prune now and then; query() shows no more than `size` anyway
        db.execute(delete(JournalEntry).where(JournalEntry.id <= new_id - size))


def record_apart(store: Store, size: int, **fields: Any) -> None:
    """Record in a transaction of its own: plain sqlite3 on a SQLite file (entries of concurrent requests written
    together, see _Batch), a session elsewhere. Returns once the entry is committed: an answer is sent only after
    its entry can be read, from any process."""
    if not store.readers_apart:
        with store.transaction() as db:
            record(db, size, **fields)
        return
    for field in ("headers", "response_headers"):
        fields[field] = json.dumps(fields[field])
    _batch(store).record([fields[c] for c in _COLUMNS], size)


class _Batch:
    """Group commit of one process's journal entries on a SQLite file. Each request queues its entry; one thread at
    a time (the flusher) takes the writer lock and writes every entry queued so far, in the order queued, in one
    transaction; the others wait for their entry to be written. Under load one lock, BEGIN and COMMIT serve many
    requests instead of one each; alone, a request writes its own entry at once, as before."""

    def __init__(self, store: Store):
        self.store = weakref.ref(store)  # the batch lives as long as its store (_batches)
        self.pid = os.getpid()  # a forked worker makes its own
        self.ready = threading.Condition()
        self.queued: list[tuple[list, int]] = []
        self.tickets = 0  # entries queued so far
        self.written = 0  # of which written
        self.flushing = False

    def record(self, row: list, size: int) -> None:
        with self.ready:
            self.queued.append((row, size))
            self.tickets += 1
            mine = self.tickets
            while self.written < mine:
                if not self.flushing:
                    self.flushing = True
                    break
                self.ready.wait()
            else:
                return
        try:
            self._flush()
        finally:
            with self.ready:
                self.flushing = False
                self.ready.notify_all()

    def _flush(self) -> None:
        """Write every entry queued by the time the writer lock is ours; later ones wait for the next flusher."""
        store = self.store()
        assert store is not None  # a request of the store's is running
        upto = None
        try:
            with store.plain_write() as conn:
                with self.ready:
                    rows, self.queued = self.queued, []
                    upto = self.tickets
                for row, size in rows:
                    new_id = conn.execute(_PLAIN_INSERT, row).lastrowid
                    assert new_id is not None  # set by the INSERT just run
                    if new_id % min(size, 100) == 0:
                        conn.execute("DELETE FROM core_journal WHERE id <= ?", (new_id - size,))
        finally:  # written, or failed (the flusher's caller logs it): no one waits for these rows any more
            with self.ready:
                if upto is None:  # failed before taking them: what is queued is given up
                    self.queued = []
                    upto = self.tickets
                self.written = upto


_batches: weakref.WeakKeyDictionary[Store, _Batch] = weakref.WeakKeyDictionary()
_batches_lock = threading.Lock()


def _batch(store: Store) -> _Batch:
    with _batches_lock:
        batch = _batches.get(store)
        if batch is None or batch.pid != os.getpid():
            batch = _batches[store] = _Batch(store)
        return batch


def query(
    db: Session,
    vendor: str | None = None,
    path: str | None = None,
    method: str | None = None,
    status: int | None = None,
    limit: int | None = None,
    unmatched: bool | None = None,
    size: int | None = None,
) -> list[dict]:
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
    return {
        "id": e.id,
        "time": e.ts,
        "vendor": e.vendor,
        "method": e.method,
        "path": e.path,
        "query": e.query,
        "headers": e.headers,
        "body": e.body,
        "status": e.status,
        "response_body": e.response_body,
        "response_headers": e.response_headers or {},
        "duration_ms": round(e.duration_ms, 3),
        "fault_id": e.fault_id,
        "explain": e.explain,
        "unmatched": bool(e.unmatched),
        "worker": e.worker,
    }
