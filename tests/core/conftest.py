"""Fixtures of the core's tests."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from mockservers.core.store import Store


@pytest.fixture
def store(tmp_path):
    """A bare store on a SQLite file with one table, t (x INTEGER)."""
    store = Store(f"sqlite:///{tmp_path}/plain.db")
    with store.transaction() as db:
        db.execute(text("CREATE TABLE t (x INTEGER)"))
    yield store
    store.dispose()
