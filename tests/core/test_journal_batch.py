"""The journal's group commit on a SQLite file: entries of concurrent requests are written together, in the order
they were queued, each committed before its request goes on; a failed write leaves no request waiting."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest

from mockservers.core import journal
from mockservers.core.models import JournalEntry
from mockservers.core.store import Base, Store

pytestmark = pytest.mark.no_postgres_pass  # the batch is SQLite's; elsewhere an entry is a transaction of its own


@pytest.fixture
def journal_store(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/journal.db")
    Base.metadata.create_all(store.engine, tables=[JournalEntry.__table__])
    yield store
    store.dispose()


def entry(path: str) -> dict:
    return dict(
        ts=0.0,
        vendor="sigma",
        method="GET",
        path=path,
        query="",
        headers={},
        body="",
        status=200,
        response_body="{}",
        response_headers={},
        duration_ms=1.0,
        fault_id=None,
        explain=None,
        unmatched=False,
        worker=1,
    )


def paths_written(store: Store) -> list[str]:
    db = store.open(write=False)  # a reader: no lock, whoever holds it
    try:
        return [e["path"] for e in reversed(journal.query(db))]
    finally:
        store.close(db, commit=False)


def counting_transactions(store: Store, monkeypatch) -> list[int]:
    """Counts the journal's transactions on `store` (one item each)."""
    opened: list[int] = []
    plain_write = store.plain_write

    @contextlib.contextmanager
    def counted():
        opened.append(1)
        with plain_write() as conn:
            yield conn

    monkeypatch.setattr(store, "plain_write", counted)
    return opened


def wait_until(check, seconds: float = 10.0) -> None:
    """Until check() is true for a real thread's work, for at most `seconds`."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        threading.Event().wait(0.002)


def test_an_entry_alone_is_written_at_once(journal_store, monkeypatch):
    opened = counting_transactions(journal_store, monkeypatch)
    journal.record_apart(journal_store, 100, **entry("/one"))
    assert paths_written(journal_store) == ["/one"]
    assert len(opened) == 1


def test_entries_queued_while_the_writer_lock_is_held_are_written_in_one_transaction_in_order(
    journal_store, monkeypatch
):
    journal.record_apart(journal_store, 100, **entry("/first"))  # the batch exists, the connection is open
    another_writer = journal_store.plain_write
    opened = counting_transactions(journal_store, monkeypatch)
    batch = journal._batch(journal_store)
    threads = []
    with another_writer():  # holds the writer lock: the entries queue
        for n in range(5):
            thread = threading.Thread(target=journal.record_apart, args=(journal_store, 100), kwargs=entry(f"/{n}"))
            thread.start()
            threads.append(thread)
            wait_until(lambda n=n: batch.tickets == n + 2)  # queued in this order
        assert paths_written(journal_store) == ["/first"]  # none written while the lock is held
    for thread in threads:
        thread.join(timeout=10)
    assert paths_written(journal_store) == ["/first", "/0", "/1", "/2", "/3", "/4"]
    assert len(opened) == 1


def test_a_failed_write_leaves_no_one_waiting_and_the_next_entry_is_written(journal_store, monkeypatch):
    def failing():
        raise OSError("disk full")

    monkeypatch.setattr(journal_store, "plain_write", failing)
    with pytest.raises(OSError):
        journal.record_apart(journal_store, 100, **entry("/lost"))
    monkeypatch.undo()
    journal.record_apart(journal_store, 100, **entry("/kept"))
    assert paths_written(journal_store) == ["/kept"]
