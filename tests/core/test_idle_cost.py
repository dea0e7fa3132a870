"""What a store and a namespace hold while idle: the journal's one connection, connections released and reopened,
a scheduler that asks the database only when something may have fallen due."""

from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import text

from mockservers.core.runtime import Runtime
from mockservers.core.store import Store
from mockservers.vendors import load_vendors
from tests.machinery import test_settings

pytestmark = pytest.mark.no_postgres_pass  # SQLite files are the point here


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def _journal_write(store: Store, value: int) -> None:
    with store.plain_write() as conn:
        conn.execute("INSERT INTO t VALUES (?)", (value,))


def test_the_journal_connection_is_one_per_store_whatever_the_thread(store):
    _journal_write(store, 0)
    before = open_files()
    for value in range(1, 41):  # a thread each, as a thread-per-request server had
        thread = threading.Thread(target=_journal_write, args=(store, value))
        thread.start()
        thread.join(timeout=10)
    assert open_files() == before
    with store.transaction() as db:
        assert db.execute(text("SELECT count(*) FROM t")).scalar() == 41


def test_release_closes_every_file_and_the_next_transaction_reopens_them(store):
    before_store = open_files()
    _journal_write(store, 1)
    assert open_files() > before_store
    assert store.release()
    released = open_files()
    _journal_write(store, 2)
    with store.transaction() as db:
        assert db.execute(text("SELECT count(*) FROM t")).scalar() == 2
    assert store.release() and open_files() == released


def test_a_store_in_use_is_not_released(store):
    session = store.open(write=False)
    session.execute(text("SELECT count(*) FROM t"))
    assert not store.release(), "a session is open"
    store.close(session, commit=False)
    assert store.release()


def test_the_scheduler_asks_the_database_only_after_a_commit_or_when_an_event_falls_due():
    runtime = Runtime(test_settings(vendors=["sigma"]), load_vendors(["sigma"]))
    scheduler = runtime.scheduler
    now = runtime.clock.now()
    assert scheduler.has_work(now), "a new runtime looks once"
    scheduler.run_pending()
    assert not scheduler.has_work(now + 3600), "nothing pending: an idle namespace costs no query"
    with runtime.store.transaction() as db:
        runtime.context(db, "sigma").schedule("nothing", 60)
    assert scheduler.has_work(now), "a commit may have scheduled something"
    scheduler.run_pending()
    assert not scheduler.has_work(now + 59) and scheduler.has_work(now + 60)
    runtime.close()
