"""The core's own tables."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mockservers.core.store import Base


class ClockState(Base):
    __tablename__ = "core_clock"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    now: Mapped[float] = mapped_column(Float)


class Counter(Base):
    __tablename__ = "core_counters"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class BlobRef(Base):
    """How many records hold a stored file; at zero the file is removed."""

    __tablename__ = "core_blob_refs"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    refs: Mapped[int] = mapped_column(Integer, default=0)


class ScheduledEvent(Base):
    __tablename__ = "core_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    due_at: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending | done | failed | cancelled
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    __table_args__ = (Index("ix_core_events_due", "state", "due_at"),)


class Callback(Base):
    __tablename__ = "core_callbacks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vendor: Mapped[str] = mapped_column(String(50))
    url: Mapped[str] = mapped_column(Text)
    body: Mapped[dict] = mapped_column(JSON)
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    accept: Mapped[str | None] = mapped_column(String(100), nullable=True)  # vendor's acceptance rule name
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending | delivered | failed | dropped
    attempts: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[float] = mapped_column(Float)
    next_event_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class JournalEntry(Base):
    __tablename__ = "core_journal"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ts: Mapped[float] = mapped_column(Float)
    vendor: Mapped[str | None] = mapped_column(String(50), nullable=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(Text)
    query: Mapped[str] = mapped_column(Text, default="")
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text, default="")
    # None in a row written before the column was added (Store.create_all adds it to an old state)
    response_headers: Mapped[dict | None] = mapped_column(JSON, nullable=True, default=dict)
    duration_ms: Mapped[float] = mapped_column(Float)
    fault_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    explain: Mapped[str | None] = mapped_column(Text, nullable=True)
    unmatched: Mapped[bool] = mapped_column(Boolean, default=False)  # no route answered it
    worker: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the serving process


class FaultRule(Base):
    __tablename__ = "core_faults"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vendor: Mapped[str | None] = mapped_column(String(50), nullable=True)
    method: Mapped[str | None] = mapped_column(String(10), nullable=True)
    path: Mapped[str | None] = mapped_column(Text, nullable=True)
    match: Mapped[dict] = mapped_column(JSON, default=dict)
    action: Mapped[dict] = mapped_column(JSON)
    times: Mapped[int | None] = mapped_column(Integer, nullable=True)
    after: Mapped[int] = mapped_column(Integer, default=0)
    probability: Mapped[float | None] = mapped_column(Float, nullable=True)
    seen: Mapped[int] = mapped_column(Integer, default=0)
    fired: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
