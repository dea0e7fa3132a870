"""Persisted due-time events. Each event runs once, in its own transaction, claimed in the database."""
from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mockservers.core.models import ScheduledEvent

if TYPE_CHECKING:
    from mockservers.core.runtime import Runtime

log = logging.getLogger(__name__)

# A handler gets (ctx, payload); it may return a callable to run after its transaction commits
# (work that must not hold the database, such as an HTTP call).
Handler = Callable[[Any, dict], Callable[[], None] | None]


def schedule(db: Session, kind: str, due_at: float, payload: dict | None = None) -> ScheduledEvent:
    event = ScheduledEvent(due_at=due_at, kind=kind, payload=payload or {}, state="pending")
    db.add(event)
    db.flush()
    return event


def cancel(db: Session, event_id: int | None) -> None:
    if event_id is not None:
        db.execute(
            update(ScheduledEvent)
            .where(ScheduledEvent.id == event_id, ScheduledEvent.state == "pending")
            .values(state="cancelled")
        )


class Scheduler:
    def __init__(self, runtime: "Runtime"):
        self.runtime = runtime
        self.handlers: dict[str, Handler] = {}
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._run_lock = threading.Lock()

    def register(self, kind: str, handler: Handler) -> None:
        self.handlers[kind] = handler

    def _next_due(self, until: float) -> tuple[int, float, str, dict] | None:
        with self.runtime.store.transaction() as db:
            row = db.execute(
                select(ScheduledEvent.id, ScheduledEvent.due_at, ScheduledEvent.kind, ScheduledEvent.payload)
                .where(ScheduledEvent.state == "pending", ScheduledEvent.due_at <= until)
                .order_by(ScheduledEvent.due_at, ScheduledEvent.id)
                .limit(1)
            ).first()
        return tuple(row) if row else None

    def run_due(self, until: float, advance_clock: bool = False) -> int:
        """Run every pending event due at or before `until`, in due order. Returns how many ran."""
        ran = 0
        with self._run_lock:
            while True:
                nxt = self._next_due(until)
                if nxt is None:
                    break
                event_id, due_at, kind, payload = nxt
                if self._run_one(event_id, due_at, kind, payload, advance_clock):
                    ran += 1
        return ran

    def _run_one(self, event_id: int, due_at: float, kind: str, payload: dict, advance_clock: bool) -> bool:
        runtime = self.runtime
        follow_up = None
        with runtime.store.transaction() as db:
            claimed = db.execute(
                update(ScheduledEvent)
                .where(ScheduledEvent.id == event_id, ScheduledEvent.state == "pending")
                .values(state="done")
            ).rowcount
            if not claimed:
                return False
            if advance_clock:
                runtime.clock.set(db, due_at)
            handler = self.handlers.get(kind)
            if handler is None:
                db.get(ScheduledEvent, event_id).error = f"no handler for {kind!r}"
                db.get(ScheduledEvent, event_id).state = "failed"
                return True
            ctx = runtime.context(db, vendor=kind.split(".", 1)[0])
            try:
                with db.begin_nested():
                    follow_up = handler(ctx, payload)
            except Exception as exc:  # a broken handler must not stop the others
                log.exception("scheduled event %s (%s) failed", event_id, kind)
                event = db.get(ScheduledEvent, event_id)
                event.state = "failed"
                event.error = f"{type(exc).__name__}: {exc}"
                follow_up = None
        if follow_up is not None:
            follow_up()
        return True

    def start(self, tick: float) -> None:
        if self._thread is not None:
            return

        def loop():
            while not self._stop.wait(tick):
                try:
                    self.run_due(self.runtime.clock.now())
                except Exception:
                    log.exception("scheduler tick failed")

        self._thread = threading.Thread(target=loop, name="mockservers-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
