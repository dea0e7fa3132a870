"""`mockservers seed --scenario demo`: every vendor's demo() once per namespace, each study in its own transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mockservers.core.models import Counter

if TYPE_CHECKING:
    from mockservers.core.runtime import Runtime

MARKER = "core:demo-seeded"


def seed_demo(runtime: Runtime, studies: int, progress: Callable[[int], object]) -> dict[str, int] | None:
    """Seeds every vendor; None when this namespace was seeded before (seeding twice would double the data).
    Under a real clock the demo is written at VIRTUAL_EPOCH, so `--seed N` stores the same files on any day."""
    with runtime.store.transaction() as db:
        if db.get(Counter, MARKER) is not None:
            return None
    with runtime.clock.held_at_epoch():
        report = _seed_vendors(runtime, studies, progress)
    with runtime.store.transaction() as db:
        db.add(Counter(name=MARKER, value=studies))
    return report


def _seed_vendors(runtime: Runtime, studies: int, progress: Callable[[int], object]) -> dict[str, int]:
    report = {}
    for key, vendor in runtime.vendors.items():
        before = 0

        def step(n: int = 1) -> None:
            nonlocal before
            before += n
            progress(n)

        vendor.demo(_ContextFactory(runtime, key), studies, step)
        report[key] = before
    return report


class _ContextFactory:
    """Hands a vendor's demo() one fresh transaction per unit: `with factory() as ctx:`."""

    def __init__(self, runtime: Runtime, vendor: str):
        self.runtime = runtime
        self.vendor = vendor

    def __call__(self):
        return _Unit(self.runtime, self.vendor)


class _Unit:
    def __init__(self, runtime: Runtime, vendor: str):
        self.runtime, self.vendor = runtime, vendor

    def __enter__(self):
        self._tx = self.runtime.store.transaction()
        db = self._tx.__enter__()
        self.runtime.clock.load(db)
        return self.runtime.context(db, self.vendor)

    def __exit__(self, *exc):
        return self._tx.__exit__(*exc)
