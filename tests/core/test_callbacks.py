"""The outbox: POST, retry with exponential backoff until a 2xx, every attempt recorded."""

import pytest
from werkzeug import Response

from mockservers.core.runtime import Runtime
from tests.machinery import test_settings


@pytest.fixture
def runtime():
    rt = Runtime(test_settings(callback_max_attempts=4, callback_backoff_seconds=2), vendors=[])
    yield rt
    rt.close()


def enqueue(rt, url, body):
    with rt.store.transaction() as db:
        return rt.context(db, "t").callback(url, body).id


def callbacks(rt):
    from mockservers.core.callbacks import list_callbacks

    with rt.store.transaction() as db:
        return list_callbacks(db)


def test_delivered_at_once(runtime, httpserver):
    httpserver.expect_oneshot_request("/hook", method="POST", json={"a": 1}).respond_with_data("ok")
    enqueue(runtime, httpserver.url_for("/hook"), {"a": 1})
    runtime.advance(0)
    httpserver.check_assertions()
    [cb] = callbacks(runtime)
    assert cb["state"] == "delivered" and len(cb["attempts"]) == 1 and cb["attempts"][0]["status"] == 200


def test_retries_with_exponential_backoff_until_2xx(runtime, httpserver):
    answers = iter([500, 503, 200])
    httpserver.expect_request("/hook").respond_with_handler(lambda r: Response("x", status=next(answers)))
    enqueue(runtime, httpserver.url_for("/hook"), {"n": 1})
    start = runtime.clock.now()
    runtime.advance(0)
    runtime.advance(1.9)
    assert len(callbacks(runtime)[0]["attempts"]) == 1
    runtime.advance(0.1)  # first retry after 2 s
    runtime.advance(4)  # second retry 4 s later
    [cb] = callbacks(runtime)
    assert [a["status"] for a in cb["attempts"]] == [500, 503, 200]
    assert [a["time"] - start for a in cb["attempts"]] == [0, 2, 6]
    assert cb["state"] == "delivered"
    runtime.advance(1000)
    assert len(callbacks(runtime)[0]["attempts"]) == 3


def test_gives_up_after_max_attempts(runtime, httpserver):
    httpserver.expect_request("/hook").respond_with_data("no", status=500)
    enqueue(runtime, httpserver.url_for("/hook"), {})
    runtime.advance(1000)
    [cb] = callbacks(runtime)
    assert cb["state"] == "failed" and len(cb["attempts"]) == 4
    assert all(a["error"] == "HTTP 500" for a in cb["attempts"])


@pytest.mark.parametrize(
    "action, state, attempts",
    [
        ({"drop": True}, "dropped", 1),
        ({"fail": True}, "delivered", 2),
        ({"duplicate": True}, "delivered", 2),
    ],
)
def test_callback_faults(runtime, httpserver, action, state, attempts):
    httpserver.expect_request("/hook").respond_with_data("ok")
    with runtime.store.transaction() as db:
        runtime.faults.add(db, {"path": "/hook", "times": 1, "action": {"callback": action}})
    enqueue(runtime, httpserver.url_for("/hook"), {})
    runtime.advance(10)
    [cb] = callbacks(runtime)
    assert cb["state"] == state and len(cb["attempts"]) == attempts
    assert cb["attempts"][0]["fault_id"] is not None
    received = len(httpserver.log)
    assert received == {"dropped": 0, "delivered": attempts if action.get("duplicate") else 1}[state]


def test_delay_fault_postpones_the_callback(runtime, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    with runtime.store.transaction() as db:
        runtime.faults.add(db, {"times": 1, "action": {"callback": {"delay_ms": 30000}}})
    enqueue(runtime, httpserver.url_for("/hook"), {})
    runtime.advance(29)
    assert callbacks(runtime)[0]["attempts"] == [] and len(httpserver.log) == 0
    runtime.advance(1)
    assert callbacks(runtime)[0]["state"] == "delivered"
