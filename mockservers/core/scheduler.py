"""Persisted due-time events. Each event runs once, in its own transaction, claimed in the database."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, func, select, update
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
    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self.handlers: dict[str, Handler] = {}
        self._run_lock = threading.Lock()
        # What the background Ticker knows without asking the database: whether anything committed since it last
        # looked (a commit may have scheduled an event), and when the earliest pending event it saw falls due.
        self._changed = True
        self._earliest: float | None = None
        self._looking: int | None = None  # the thread of run_pending(): its own commits need no second look

    def register(self, kind: str, handler: Handler) -> None:
        self.handlers[kind] = handler

    def changed(self) -> None:
        """Called after every commit of the runtime's store."""
        if threading.get_ident() != self._looking:
            self._changed = True

    def has_work(self, now: float) -> bool:
        return self._changed or (self._earliest is not None and self._earliest <= now)

    def run_pending(self) -> int:
        """The Ticker's turn: run what fell due by the clock's now, then note when the next pending event falls due."""
        self._looking = threading.get_ident()
        self._changed = False
        try:
            ran = self.run_due(self.runtime.clock.now())
            store = self.runtime.store
            db = store.open(write=False)
            try:
                self._earliest = db.scalar(
                    select(func.min(ScheduledEvent.due_at)).where(ScheduledEvent.state == "pending")
                )
            finally:
                store.close(db, commit=False)
        finally:
            self._looking = None
        return ran

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
            # an UPDATE's result is a CursorResult, which Session.execute's type does not say
            claimed = cast(
                CursorResult,
                db.execute(
                    update(ScheduledEvent)
                    .where(ScheduledEvent.id == event_id, ScheduledEvent.state == "pending")
                    .values(state="done")
                ),
            ).rowcount
            if not claimed:
                return False
            if advance_clock:
                runtime.clock.set(db, due_at)
            handler = self.handlers.get(kind)
            if handler is None:
                unhandled = db.get(ScheduledEvent, event_id)
                assert unhandled is not None  # claimed above, in this transaction
                unhandled.error = f"no handler for {kind!r}"
                unhandled.state = "failed"
                return True
            ctx = runtime.context(db, vendor=kind.split(".", 1)[0])
            try:
                with db.begin_nested():
                    follow_up = handler(ctx, payload)
            except Exception as exc:  # a broken handler must not stop the others
                log.exception("scheduled event %s (%s) failed", event_id, kind)
                event = db.get(ScheduledEvent, event_id)
                assert event is not None  # claimed above; the handler's savepoint was rolled back
                event.state = "failed"
                event.error = f"{type(exc).__name__}: {exc}"
                follow_up = None
        if follow_up is not None:
            follow_up()
        return True


class Ticker:
    """One background thread for every namespace's scheduler (real clock): each tick it hands the schedulers that
    have work to a small pool, so an idle namespace costs no thread and no query, and one namespace's slow callback
    receiver does not hold up the others' events."""

    def __init__(
        self,
        candidates: Callable[[], Iterable[Any]],
        has_work: Callable[[Any], bool],
        run: Callable[[Any], None],
        tick: float,
        threads: int = 4,
    ):
        self._candidates, self._has_work, self._run = candidates, has_work, run
        self._tick = tick
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="mockservers-events")
        self._busy: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="mockservers-scheduler", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self._tick):
            try:
                for item in self._candidates():
                    if id(item) not in self._busy and self._has_work(item):
                        self._busy.add(id(item))
                        self._pool.submit(self._turn, item)
            except Exception:
                log.exception("scheduler tick failed")

    def _turn(self, item: Any) -> None:
        try:
            self._run(item)
        except Exception:
            log.exception("scheduler tick failed")
        finally:
            self._busy.discard(id(item))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._pool.shutdown(wait=True, cancel_futures=True)
