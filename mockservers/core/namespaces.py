"""Namespaces: each has its own state, blobs, clock, seed, journal, faults and callbacks, on one server."""

from __future__ import annotations

import contextlib
import dataclasses
import glob
import hashlib
import os
import re
import sqlite3
import threading
from collections import OrderedDict

from mockservers.core.models import ScheduledEvent
from mockservers.core.namespace_header import DEFAULT, HEADER
from mockservers.core.runtime import Runtime
from mockservers.core.scheduler import Ticker
from mockservers.core.store import MEMORY_URLS
from mockservers.core.vendor import VendorSpec
from mockservers.settings import Settings

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")


class InvalidNamespace(ValueError):
    pass


class TooManyNamespaces(InvalidNamespace):
    """A new namespace past `max_namespaces`: refused like a bad name (400), creating nothing."""


# Names Windows gives to devices, whatever the case and the extension ("con.txt"): a namespace's file and folder
# could not be made there, nor a state folder copied there. Refused on every system.
_DEVICES = re.compile(r"(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?", re.IGNORECASE)


def _refusal(name: str) -> str | None:
    """Why `name` is not a namespace name, to follow "is not a namespace name" (None if it is one)."""
    if not _NAME.fullmatch(name or ""):
        return " (letters, digits, '_', '.', '-'; at most 63 characters)"
    if _DEVICES.fullmatch(name):
        return (
            ": Windows reserves it for a device (CON, PRN, AUX, NUL, COM0-COM9, LPT0-LPT9, in any case, with or "
            "without an extension)"
        )
    if name.endswith("."):
        return ": it ends with '.'"  # Windows drops it: 'a.' and 'a' would be one file there
    return None


def check_name(name: str) -> str:
    refusal = _refusal(name)
    if refusal is not None:
        raise InvalidNamespace(f"{HEADER}: {name!r} is not a namespace name{refusal}")
    return name


def seed_for(seed: int, name: str) -> int:
    if name == DEFAULT:
        return seed
    return int.from_bytes(hashlib.sha256(f"{seed}\x1f{name}".encode()).digest()[:4], "big")


def settings_for(settings: Settings, name: str) -> Settings:
    """The default namespace uses the settings as they are; others get their own database, folder and seed."""
    if name == DEFAULT:
        return settings
    state, data_dir, schema = settings.state, settings.data_dir, None
    if state in MEMORY_URLS:
        state, data_dir = "memory", None
    elif state.startswith("sqlite:///"):
        folder = os.path.join(os.path.dirname(os.path.abspath(state[len("sqlite:///") :])), "namespaces")
        state = f"sqlite:///{folder}/{name}.db"
        data_dir = os.path.join(folder, name)
    else:  # a server database: one schema per namespace, and a folder of its own for files
        safe = re.sub(r"[^a-z0-9_]", "_", name.lower())
        schema = f"{settings.db_schema}_ns_{safe}" if settings.db_schema else f"ns_{safe}"
        data_dir = os.path.join(settings.data_dir or os.path.abspath("var"), "namespaces", name)
    return dataclasses.replace(
        settings, state=state, data_dir=data_dir, seed=seed_for(settings.seed, name), db_schema=schema
    )


def _has_pending_events(path: str) -> bool:
    """A quick look into a namespace's SQLite file, without opening its runtime."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as conn:
            return (
                conn.execute(f"SELECT 1 FROM {ScheduledEvent.__tablename__} WHERE state = 'pending' LIMIT 1").fetchone()
                is not None
            )
    except sqlite3.Error:
        return True  # unreadable this way: open it and let the runtime decide


class Namespaces:
    """Every namespace's runtime, made on first use, at most `max_namespaces` of them. Only the `threads` most
    recently used hold database connections and files; the others are released and reopen on their next use. One
    Ticker runs every namespace's due events (real clock)."""

    def __init__(self, settings: Settings, vendors: list[VendorSpec]):
        self.settings = settings
        self.vendors = vendors
        self._runtimes: dict[str, Runtime] = {}
        self._recent: OrderedDict[str, None] = OrderedDict()  # the `threads` most recently used names, latest last
        self._opening: dict[str, threading.Lock] = {}  # names whose runtime is being made
        self._last_used: str | None = None
        self._lock = threading.Lock()
        self._ticker: Ticker | None = None
        self.default = self.get(DEFAULT)

    def _folder(self) -> str | None:
        state = self.settings.state
        if not state.startswith("sqlite:///") or state in MEMORY_URLS:
            return None
        return os.path.join(os.path.dirname(os.path.abspath(state[len("sqlite:///") :])), "namespaces")

    def _persisted_names(self) -> list[str]:
        folder = self._folder()
        if folder is None:
            return []
        names = [os.path.basename(p)[:-3] for p in glob.glob(os.path.join(folder, "*.db"))]
        return sorted(n for n in names if _refusal(n) is None)

    def get(self, name: str) -> Runtime:
        runtime = self._runtimes.get(name)
        if runtime is None or self._deleted_elsewhere(runtime):
            runtime = self._open(name)
        if self._last_used != name:
            self._use(name)
        return runtime

    def _open(self, name: str) -> Runtime:
        """Make the namespace's runtime: under a lock of its own, so that one being made (its database created, its
        vendors seeded) holds up no request of another namespace."""
        check_name(name)
        with self._lock:
            runtime = self._runtimes.get(name)
            if runtime is not None and not self._deleted_elsewhere(runtime):
                return runtime
            self._runtimes.pop(name, None)
            self._recent.pop(name, None)
            known = set(self._runtimes) | set(self._opening) | set(self._persisted_names())
            if name not in known and len(known) >= self.settings.max_namespaces:
                raise TooManyNamespaces(
                    f"{HEADER}: {name!r} would be one namespace more than the {self.settings.max_namespaces} this "
                    f"server holds (max_namespaces); delete one with DELETE /__admin/namespaces/NAME"
                )
            opening = self._opening.setdefault(name, threading.Lock())
        with opening:
            runtime = self._runtimes.get(name)
            if runtime is None:
                try:
                    runtime = Runtime(settings_for(self.settings, name), self.vendors, namespace=name)
                finally:
                    with self._lock:
                        if runtime is not None:
                            self._runtimes[name] = runtime
                        self._opening.pop(name, None)
        return runtime

    @staticmethod
    def _deleted_elsewhere(runtime: Runtime) -> bool:
        """Another process (a worker) deleted this namespace's SQLite file: this process forgets it too."""
        if runtime.namespace == DEFAULT:
            return False
        path = runtime.store.sqlite_path
        return path is not None and not os.path.exists(path)

    def _use(self, name: str) -> None:
        """Mark the namespace most recently used; release the connections of the idle ones past the `threads` most
        recently used (one in use now is released at a later turn)."""
        with self._lock:
            self._last_used = name
            self._recent[name] = None
            self._recent.move_to_end(name)
            while len(self._recent) > max(1, self.settings.threads):
                self._recent.popitem(last=False)
            idle = [rt for n, rt in self._runtimes.items() if rt.store.holding and n not in self._recent]
        for old in idle:
            old.release()

    def names(self) -> list[str]:
        return sorted(set(self._runtimes) | set(self._persisted_names()))

    def delete(self, name: str) -> bool:
        """Forget a namespace: its state, files and folder. False if there is none of that name."""
        if name == DEFAULT:
            raise ValueError("the default namespace cannot be deleted")
        with self._lock:
            runtime = self._runtimes.pop(name, None)
            self._recent.pop(name, None)
        if runtime is None:
            if name not in self._persisted_names():
                return False
            runtime = Runtime(settings_for(self.settings, name), self.vendors, namespace=name)  # another worker's
        runtime.destroy()
        return True

    def start_background(self) -> None:
        """Run due events in the background (real clock): one Ticker for every namespace. A namespace kept in a
        file from an earlier run opens on its first request, or now if it has events pending."""
        if self._ticker is None and not self.default.clock.virtual and self.settings.background:
            folder = self._folder()
            if folder is not None:  # else nothing is persisted
                for name in self._persisted_names():
                    if name not in self._runtimes and _has_pending_events(os.path.join(folder, name + ".db")):
                        self.get(name)
            self._ticker = Ticker(
                candidates=lambda: list(self._runtimes.values()),
                has_work=lambda rt: rt.scheduler.has_work(rt.clock.now()),
                run=self._run_pending,
                tick=self.settings.scheduler_tick_seconds,
            )

    def _run_pending(self, runtime: Runtime) -> None:
        if self._runtimes.get(runtime.namespace) is not runtime:
            return  # deleted meanwhile
        self._use(runtime.namespace)
        runtime.scheduler.run_pending()

    def close(self) -> None:
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        for runtime in list(self._runtimes.values()):
            runtime.close()
