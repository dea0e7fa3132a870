"""The state tests keep: memory, or the database --mock-state chose (state.py sets it), a schema per call."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from typing import Any

from mockservers import pytest_plugin
from mockservers.settings import Settings


class _State:
    """The session's choice (one per process: each xdist worker configures its own)."""

    url = "memory"
    schemas: list[str] = []  # one list for the process, on purpose
    folder: str | None = None


def use(url: str) -> None:
    _State.url = url


def test_settings(**overrides: Any) -> Settings:
    """The plugin's test_settings (memory state, virtual clock, seed 0), on --mock-state's database when one is
    chosen: a fresh schema and a file folder of its own for each call."""
    if _State.url != "memory" and "state" not in overrides:
        schema = f"t_{os.getpid()}_{len(_State.schemas) + 1}"
        _State.schemas.append(schema)
        overrides = {"state": _State.url, "db_schema": schema, "data_dir": os.path.join(_files(), schema), **overrides}
    return pytest_plugin.test_settings(**overrides)


test_settings.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test, wherever a test imports it


def _files() -> str:
    if _State.folder is None:
        _State.folder = tempfile.mkdtemp(prefix="mockservers-files-")
        atexit.register(shutil.rmtree, _State.folder, ignore_errors=True)
    return _State.folder


def drop_schemas() -> None:
    """Drop the schemas this process made (a cluster of its own is simply stopped instead)."""
    if not _State.schemas:
        return
    from mockservers.core.store import make_engine

    engine = make_engine(_State.url)
    try:
        with engine.begin() as conn:
            for schema in _State.schemas:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        engine.dispose()
