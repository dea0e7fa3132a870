"""Time comes only from here: the wall clock, or a virtual clock persisted in the store."""

from __future__ import annotations

import math
import time
from contextlib import contextmanager

from sqlalchemy.orm import Session

from mockservers.core.models import ClockState

# A fixed, plausible start for virtual time, so that a fresh virtual server is deterministic.
VIRTUAL_EPOCH = 1767225600.0  # 2026-01-01T00:00:00Z
MAX_ADVANCE = 10 * 365 * 86400  # seconds: ten years at a time
END_OF_TIME = 253402300799.0  # 9999-12-31T23:59:59Z: later times have no ISO 8601 date, nor a Python datetime
_NOW_SQL = f"SELECT now FROM {ClockState.__tablename__} WHERE id = 1"


class ClockError(ValueError):
    """An advance the clock refuses; the message says why."""


class Clock:
    def __init__(self, mode: str = "real", start: float | None = None):
        if mode not in ("real", "virtual"):
            raise ValueError(f"clock must be 'real' or 'virtual', not {mode!r}")
        self.mode = mode
        self._start = VIRTUAL_EPOCH if start is None else start
        self._now = self._start
        self._held: float | None = None

    @property
    def virtual(self) -> bool:
        return self.mode == "virtual"

    def load(self, db: Session) -> None:
        """Read virtual time from the store (creating it on first use)."""
        if not self.virtual:
            return
        if not (db.new or db.dirty or db.deleted):  # else the ORM's read, which writes those first
            # Every request reads it: on the driver's own cursor this costs a tenth of the ORM's get()
            driver = db.connection().connection.driver_connection
            assert driver is not None  # None only once the connection is closed; the session's is open
            found = driver.execute(_NOW_SQL).fetchone()
            if found is not None:
                self._now = found[0]
                return
        row = db.get(ClockState, 1)
        if row is None:
            db.add(ClockState(id=1, now=self._start))
            self._now = self._start
        else:
            self._now = row.now

    def now(self) -> float:
        if self._held is not None:
            return self._held
        return self._now if self.virtual else time.time()

    @contextmanager
    def held_at_epoch(self):
        """A real clock reads VIRTUAL_EPOCH meanwhile, so what is written then is the same on any day (demo
        seeding); a virtual clock reads its own time as always."""
        self._held = None if self.virtual else VIRTUAL_EPOCH
        try:
            yield
        finally:
            self._held = None

    def set(self, db: Session, when: float) -> None:
        if not self.virtual:
            raise RuntimeError("the clock is real")
        row = db.get(ClockState, 1)
        if row is None:
            db.add(ClockState(id=1, now=when))
        elif when > row.now:
            row.now = when
        else:
            when = row.now
        self._now = when

    @staticmethod
    def check_advance(seconds: float) -> None:
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, (int, float))
            or not math.isfinite(seconds)
            or not 0 <= seconds <= MAX_ADVANCE
        ):
            raise ClockError(f"'seconds' must be a number from 0 to {MAX_ADVANCE} (ten years)")

    def target(self, db: Session, seconds: float) -> float:
        """Where an advance of `seconds` goes: from the stored time, not this process's copy of it."""
        if not self.virtual:
            raise RuntimeError("the clock is real")
        row = db.get(ClockState, 1)
        target = (row.now if row else self._start) + seconds
        if target > END_OF_TIME:
            raise ClockError("the virtual clock cannot pass 9999-12-31T23:59:59Z")
        return target

    def reset(self) -> None:
        self._now = self._start
