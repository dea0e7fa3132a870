"""Namespaces: each has its own state, blobs, clock, seed, journal, faults and callbacks, on one server."""
from __future__ import annotations

import dataclasses
import glob
import hashlib
import os
import re
import threading

from mockservers.core.runtime import Runtime
from mockservers.core.store import MEMORY_URLS
from mockservers.core.vendor import VendorSpec
from mockservers.settings import Settings

HEADER = "X-Mock-Namespace"
DEFAULT = "default"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


class InvalidNamespace(ValueError):
    pass


def check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise InvalidNamespace(f"{HEADER}: {name!r} is not a namespace name (letters, digits, '_', '.', '-'; "
                               f"at most 63 characters)")
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
        folder = os.path.join(os.path.dirname(os.path.abspath(state[len("sqlite:///"):])), "namespaces")
        state = f"sqlite:///{folder}/{name}.db"
        data_dir = os.path.join(folder, name)
    else:  # a server database: one schema per namespace, and a folder of its own for files
        safe = re.sub(r"[^a-z0-9_]", "_", name.lower())
        schema = f"{settings.db_schema}_ns_{safe}" if settings.db_schema else f"ns_{safe}"
        data_dir = os.path.join(settings.data_dir or os.path.abspath("var"), "namespaces", name)
    return dataclasses.replace(settings, state=state, data_dir=data_dir, seed=seed_for(settings.seed, name),
                               db_schema=schema)


class Namespaces:
    def __init__(self, settings: Settings, vendors: list[VendorSpec]):
        self.settings = settings
        self.vendors = vendors
        self._runtimes: dict[str, Runtime] = {}
        self._lock = threading.Lock()
        self._background = False
        self.default = self.get(DEFAULT)
        for name in self._persisted_names():
            self.get(name)

    def _persisted_names(self) -> list[str]:
        state = self.settings.state
        if not state.startswith("sqlite:///") or state in MEMORY_URLS:
            return []
        folder = os.path.join(os.path.dirname(os.path.abspath(state[len("sqlite:///"):])), "namespaces")
        names = [os.path.basename(p)[:-3] for p in glob.glob(os.path.join(folder, "*.db"))]
        return sorted(n for n in names if _NAME.match(n))

    def get(self, name: str) -> Runtime:
        runtime = self._runtimes.get(name)
        if runtime is not None:
            return runtime
        check_name(name)
        with self._lock:
            runtime = self._runtimes.get(name)
            if runtime is None:
                runtime = Runtime(settings_for(self.settings, name), self.vendors, namespace=name)
                if self._background:
                    runtime.start_background()
                self._runtimes[name] = runtime
        return runtime

    def names(self) -> list[str]:
        return sorted(self._runtimes)

    def all(self) -> list[Runtime]:
        return [self._runtimes[n] for n in self.names()]

    def start_background(self) -> None:
        with self._lock:
            self._background = True
            for runtime in self._runtimes.values():
                runtime.start_background()

    def close(self) -> None:
        for runtime in list(self._runtimes.values()):
            runtime.close()
