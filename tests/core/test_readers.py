"""On a SQLite file, GETs read without the writer lock; one that writes after another writer committed starts over."""

from __future__ import annotations

import base64
import io
import threading

import pytest
from sqlalchemy import text

from mockservers.app import create_app
from mockservers.core import runtime as runtime_mod
from mockservers.core.models import Counter
from mockservers.core.replay import AS_WRITER, START_OVER, StartStaleReadersOver
from mockservers.core.store import StaleRead, Store
from tests.machinery import test_settings

pytestmark = pytest.mark.no_postgres_pass  # SQLite files are the point here

LOGIN = {"account_name": "sigma", "user_name": "test", "password": base64.urlsafe_b64encode(b"123456").decode()}


@pytest.fixture
def file_app(tmp_path):
    app = create_app(test_settings(state=f"sqlite:///{tmp_path}/state.db", vendors=["sigma"]), start_background=False)
    yield app
    app.extensions["mockservers.namespaces"].close()


def _write(store: Store, value: int) -> None:
    with store.transaction() as db:
        db.execute(text("INSERT INTO t VALUES (:x)"), {"x": value})


def test_a_reader_does_not_hold_back_a_writer(store):
    reader = store.open(write=False)
    assert reader.execute(text("SELECT count(*) FROM t")).scalar() == 0
    writer = threading.Thread(target=_write, args=(store, 1))
    writer.start()
    writer.join(timeout=10)
    assert not writer.is_alive()
    assert reader.execute(text("SELECT count(*) FROM t")).scalar() == 0  # its snapshot, unchanged
    store.close(reader, commit=True)


def test_a_reader_that_writes_on_a_fresh_snapshot_commits(store):
    reader = store.open(write=False)
    reader.execute(text("SELECT count(*) FROM t"))
    reader.execute(text("INSERT INTO t VALUES (2)"))
    store.close(reader, commit=True)
    _write(store, 3)  # the writer lock was given back
    with store.transaction() as db:
        assert db.execute(text("SELECT x FROM t ORDER BY x")).scalars().all() == [2, 3]


def test_a_reader_that_writes_on_a_stale_snapshot_is_refused_and_changes_nothing(store):
    reader = store.open(write=False)
    reader.execute(text("SELECT count(*) FROM t"))
    _write(store, 1)
    with pytest.raises(Exception) as raised:
        reader.execute(text("INSERT INTO t VALUES (2)"))
    assert store.is_stale(raised.value)
    store.close(reader, commit=False)
    _write(store, 3)
    with store.transaction() as db:
        assert db.execute(text("SELECT x FROM t ORDER BY x")).scalars().all() == [1, 3]


def test_a_stale_commit_says_so_and_runs_nothing_after(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/orm.db")
    store.create_all()
    reader = store.open(write=False)
    assert reader.get(Counter, "n") is None
    with store.transaction() as other:
        other.add(Counter(name="elsewhere", value=1))
    reader.add(Counter(name="n", value=1))  # flushed at commit
    reader.info["after_commit"] = [lambda: pytest.fail("ran after a refused commit")]
    with pytest.raises(StaleRead):
        store.close(reader, commit=True)
    with store.transaction() as db:  # the writer lock was given back, and nothing of the reader's was kept
        assert db.get(Counter, "n") is None
    store.dispose()


def test_the_middleware_runs_a_stale_get_again_as_a_writer_with_its_body():
    seen = []

    def app(environ, start_response):
        body = environ["wsgi.input"].read()
        seen.append((bool(environ.get(AS_WRITER)), body))
        if len(seen) == 1:
            environ[START_OVER] = True
        start_response("200 OK", [("X-Attempt", str(len(seen)))])
        return [b"attempt %d" % len(seen)]

    answers = []
    wrapped = StartStaleReadersOver(app)
    out = wrapped(
        {"REQUEST_METHOD": "GET", "CONTENT_LENGTH": "3", "wsgi.input": io.BytesIO(b"abc")},
        lambda status, headers, exc=None: answers.append((status, headers)),
    )
    assert b"".join(out) == b"attempt 2"
    assert answers == [("200 OK", [("X-Attempt", "2")])]  # the first answer was never sent
    assert seen == [(False, b"abc"), (True, b"abc")]


def test_a_get_that_writes_after_another_writer_committed_is_answered_once(file_app, monkeypatch):
    runtime = file_app.extensions["mockservers"]
    real_counter = runtime_mod.next_counter
    calls = []

    def counter_after_a_concurrent_write(db, name, step=1):
        calls.append(name)
        if len(calls) == 1:  # another writer commits between this GET's snapshot and its first write
            with runtime.store.transaction() as other:
                real_counter(other, "elsewhere")
        return real_counter(db, name)

    monkeypatch.setattr(runtime_mod, "next_counter", counter_after_a_concurrent_write)
    client = file_app.test_client()
    answer = client.get("/sigma/login", query_string={**LOGIN, "force_new": "True"})
    assert answer.status_code == 200, answer.json
    assert calls == ["sigma:token", "sigma:token"]  # started over once, as a writer
    token = answer.json["data"]["user_info"]["token"]
    jobs = client.get(
        "/sigma/accounts/sigma/jobs/list/", headers={"Sigma-Token": token}, query_string={"unique_id": "1.2.3"}
    )
    assert jobs.status_code == 200
    logins = client.get("/__admin/requests", query_string={"path": "/sigma/login"}).json["requests"]
    assert [(r["method"], r["status"]) for r in logins] == [("GET", 200)]


def test_gets_on_a_file_are_journaled_once_each(file_app):
    client = file_app.test_client()
    token = client.get("/sigma/login", query_string=LOGIN).json["data"]["user_info"]["token"]
    for _ in range(3):
        assert (
            client.get(
                "/sigma/accounts/sigma/jobs/list/", headers={"Sigma-Token": token}, query_string={"unique_id": "1.2.3"}
            ).status_code
            == 200
        )
    assert client.get("/sigma/accounts/sigma/jobs/list/", query_string={"unique_id": "1"}).status_code == 401
    listed = client.get("/__admin/requests", query_string={"vendor": "sigma"}).json["requests"]
    jobs = "/sigma/accounts/sigma/jobs/list/"
    assert [(r["path"], r["status"]) for r in listed] == [(jobs, 401)] + [(jobs, 200)] * 3 + [("/sigma/login", 200)]
