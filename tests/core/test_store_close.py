"""Closing a store while another thread is inside a transaction waits for it: closing a SQLite connection that
another thread is executing on crashes the interpreter (CI saw it when a namespace was deleted while its scheduler
looked for due events)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from mockservers.core.models import ScheduledEvent
from mockservers.core.store import Store


@pytest.mark.parametrize("where", ["memory", "file"])
@pytest.mark.parametrize("how", ["dispose", "destroy"])
def test_closing_waits_for_the_transaction_in_flight(tmp_path, where, how):
    store = Store("sqlite://" if where == "memory" else f"sqlite:///{tmp_path}/state.db")
    store.create_all()
    closed = threading.Event()

    def close() -> None:
        getattr(store, how)()
        closed.set()

    with store.transaction() as db:
        closer = threading.Thread(target=close)
        closer.start()
        for _ in range(300):  # the closer runs meanwhile: it must not close this connection under these queries
            assert db.scalar(select(func.count()).select_from(ScheduledEvent)) == 0
        in_flight = not closed.is_set()
    closer.join(timeout=30)
    assert closed.is_set()
    assert in_flight
