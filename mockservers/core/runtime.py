"""The running state of one server: store, blobs, clock, scheduler, callbacks, faults, and request contexts."""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import tempfile
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from mockservers.core import callbacks as callbacks_mod
from mockservers.core import filelocks, models, snapshots  # noqa: F401  (models, snapshots: register the core tables)
from mockservers.core.blobs import CountedBlobs, open_store, sweep_orphans
from mockservers.core.clock import Clock
from mockservers.core.fake import next_counter, seeded_faker, seeded_hex, seeded_random, seeded_uuid
from mockservers.core.faults import Faults
from mockservers.core.scheduler import Scheduler, schedule
from mockservers.core.store import Store
from mockservers.core.vendor import VendorSpec
from mockservers.settings import Settings, merge


def _data_dir(settings: Settings, store: Store) -> str:
    if settings.data_dir:
        return settings.data_dir
    if store.sqlite_path:
        return os.path.dirname(os.path.abspath(store.sqlite_path))
    if store.url == "sqlite://":
        path = tempfile.mkdtemp(prefix="mockservers-")
        atexit.register(shutil.rmtree, path, ignore_errors=True)
        return path
    return os.path.abspath("var")


class Runtime:
    def __init__(self, settings: Settings, vendors: list[VendorSpec], namespace: str = "default"):
        self.settings = settings
        self.namespace = namespace
        self.vendors = {v.key: v for v in vendors}
        self.store = Store(settings.state, schema=settings.db_schema)
        self.data_dir = _data_dir(settings, self.store)
        self.blobs = open_store(os.path.join(self.data_dir, "blobs"), self.store)
        self.clock = Clock(settings.clock)
        self.scheduler = Scheduler(self)
        self.store.on_commit = self.scheduler.changed
        self.faults = Faults(self)
        self._configs: dict[str, dict[str, Any]] = {}
        self._configs_of: dict | None = None
        self.dispatcher = callbacks_mod.Dispatcher(self)
        self._advance_lock = threading.Lock()
        # Numbers answers whose ids need only be fresh (request ids): per runtime, not per process, so an id
        # never depends on what ran before in the same process (another test, another namespace).
        self.answer_numbers = itertools.count(1)
        for vendor in vendors:
            for kind, handler in vendor.handlers().items():
                self.scheduler.register(f"{vendor.key}.{kind}", handler)
            for name, acceptor in vendor.acceptors().items():
                self.dispatcher.acceptors[f"{vendor.key}.{name}"] = acceptor
        self.store.create_all()
        with self.store.transaction() as db:
            self.clock.load(db)
            sweep_orphans(db, self.blobs)
        self.seed_vendors()

    def vendor_config(self, key: str) -> dict[str, Any]:
        """The vendor's defaults under the settings' overrides, merged once per overrides object (merging on every
        request cost more than the request's query). Read it, never change it: every request shares it."""
        if self._configs_of is not self.settings.vendor_config:
            self._configs, self._configs_of = {}, self.settings.vendor_config
        config = self._configs.get(key)
        if config is None:
            vendor = self.vendors.get(key)
            base = vendor.default_config() if vendor else {}
            config = self._configs[key] = merge(base, self.settings.for_vendor(key))
        return config

    def context(self, db: Session, vendor: str, fault: dict | None = None) -> Context:
        return Context(self, db, vendor, fault)

    def seed_vendors(self) -> None:
        for vendor in self.vendors.values():
            with self.store.transaction() as db:
                vendor.seed(self.context(db, vendor.key))

    def reset(self, seed_vendors: bool = True) -> None:
        """Forget all state (snapshots are kept: they are the control plane's)."""
        from mockservers.core.snapshots import KEPT

        self.store.wipe(keep=KEPT)
        self.blobs.wipe()
        self.clock.reset()
        with self.store.transaction() as db:
            self.clock.load(db)
        if seed_vendors:
            self.seed_vendors()

    def advance(self, seconds: float) -> int:
        """Move virtual time forward, running every event that falls due, in order. Raises ClockError (and changes
        nothing) for an advance the clock refuses. Advances run one at a time, in every process: each counts from
        the time the one before reached (so concurrent advances add up), and none runs an event while another
        advance still sends the callback that event would retry."""
        Clock.check_advance(seconds)
        with self._advancing():
            with self.store.transaction() as db:
                target = self.clock.target(db, seconds)
            ran = self.scheduler.run_due(target, advance_clock=True)
            with self.store.transaction() as db:
                self.clock.set(db, target)
        return ran

    @contextmanager
    def _advancing(self) -> Iterator[None]:
        """This namespace's advance lock: this process's threads queue on a lock, then the processes on a file lock
        (core/filelocks.py) beside a SQLite file, or on a PostgreSQL advisory lock keyed by the namespace's schema."""
        with self._advance_lock:
            if self.store.sqlite_path:
                with open(self.store.sqlite_path + ".advance.lock", "a") as lock_file:
                    filelocks.lock(lock_file.fileno())
                    try:
                        yield
                    finally:
                        filelocks.unlock(lock_file.fileno())
            elif self.store.engine.dialect.name == "postgresql":
                key = zlib.crc32(f"mockservers.advance.{self.settings.db_schema}".encode())
                with self.store.engine.connect() as conn:
                    conn.execution_options(
                        isolation_level="AUTOCOMMIT"
                    )  # the lock is the session's, not a transaction's
                    conn.exec_driver_sql("SELECT pg_advisory_lock(%s)", (key,))
                    try:
                        yield
                    finally:
                        conn.exec_driver_sql("SELECT pg_advisory_unlock(%s)", (key,))
            else:  # memory: one process
                yield

    def release(self) -> bool:
        """Close the connections and files held while idle (see Store.release)."""
        return self.store.release()

    def close(self) -> None:
        self.store.dispose()

    def destroy(self) -> None:
        """Forget this namespace for good: its database and its folder of files. Never the default namespace's,
        whose folder holds the others."""
        if self.namespace == "default":
            raise ValueError("the default namespace cannot be destroyed")
        self.store.destroy()
        shutil.rmtree(self.data_dir, ignore_errors=True)


class Context:
    """What a backend gets for one unit of work: the transaction, time, seeded randomness, the outbox."""

    def __init__(self, runtime: Runtime, db: Session, vendor: str, fault: dict | None = None):
        self.runtime = runtime
        self.db = db
        self.vendor = vendor
        self.fault = fault or {}

    @property
    def now(self) -> float:
        return self.runtime.clock.now()

    @property
    def seed(self) -> int:
        return self.runtime.settings.seed

    @property
    def config(self) -> dict[str, Any]:
        return self.runtime.vendor_config(self.vendor)

    @property
    def blobs(self) -> CountedBlobs:
        return CountedBlobs(self.runtime.blobs, self.db, self.after_commit, self.runtime.store.transaction)

    def after_commit(self, callback) -> None:
        """Run `callback` once this unit's transaction has committed (never if it rolls back)."""
        self.db.info.setdefault("after_commit", []).append(callback)

    def rng(self, *parts):
        return seeded_random(self.seed, self.vendor, *parts)

    def faker(self, *parts, locale: str = "en_US"):
        return seeded_faker(self.seed, self.vendor, *parts, locale=locale)

    def uuid(self, *parts):
        return seeded_uuid(self.seed, self.vendor, *parts)

    def hex(self, length: int, *parts) -> str:
        return seeded_hex(self.seed, length, self.vendor, *parts)

    def counter(self, name: str, step: int = 1) -> int:
        """The next value of a persistent sequence; with step N, the last of N values taken at once."""
        return next_counter(self.db, f"{self.vendor}:{name}", step)

    def unique_uuid(self, kind: str):
        """A deterministic id that never repeats: the seed, the kind and a persisted sequence number."""
        return self.uuid(kind, self.counter(kind))

    def schedule(self, kind: str, delay: float, payload: dict | None = None) -> int:
        return schedule(self.db, f"{self.vendor}.{kind}", self.now + delay, payload).id

    def callback(self, url: str, body: Any, accept: str | None = None, headers: dict | None = None, delay: float = 0.0):
        accept_name = f"{self.vendor}.{accept}" if accept else None
        return callbacks_mod.enqueue(self, url, body, accept=accept_name, headers=headers, delay=delay)
