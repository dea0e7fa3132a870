"""At-least-once delivery: a schedule that outlasts a receiver's outage, a stable delivery id, the attempt
recorded before the send, and redelivery from the control plane."""

import itertools
import uuid

import pytest
from werkzeug import Response

from mockservers.core.callbacks import DELIVERY_HEADER, list_callbacks
from mockservers.core.runtime import Runtime
from mockservers.dicom.synthetic import dx_file
from tests.machinery import test_settings
from tests.sigma.conftest import Sigma


def outbox(**settings):
    return Runtime(test_settings(**settings), vendors=[])


@pytest.fixture
def dx():
    return dx_file(seed=0, index=0)


@pytest.fixture
def runtime():
    rt = outbox()
    yield rt
    rt.close()


def enqueue(rt, url, body=None, vendor="t"):
    with rt.store.transaction() as db:
        return rt.context(db, vendor).callback(url, body or {}).id


def callbacks(rt):
    with rt.store.transaction() as db:
        return list_callbacks(db)


def offsets(cb):
    return [a["time"] - cb["created_at"] for a in cb["attempts"]]


def test_a_receiver_down_for_five_minutes_gets_it_once_back(runtime, httpserver):
    url = httpserver.url_for("/hook")
    httpserver.stop()
    enqueue(runtime, url, {"x": 1})
    runtime.advance(300)
    [cb] = callbacks(runtime)
    assert cb["state"] == "pending" and all("ConnectionError" in a["error"] for a in cb["attempts"])
    httpserver.start()
    httpserver.expect_request("/hook").respond_with_data("ok")
    runtime.advance(1800)
    [cb] = callbacks(runtime)
    assert cb["state"] == "delivered" and len(httpserver.log) == 1


def test_the_default_schedule_doubles_to_half_an_hour_and_gives_up_after_a_day(runtime, httpserver):
    httpserver.expect_request("/hook").respond_with_data("down", status=503)
    enqueue(runtime, httpserver.url_for("/hook"))
    runtime.advance(23 * 3600)
    assert callbacks(runtime)[0]["state"] == "pending"
    runtime.advance(7 * 86400)
    [cb] = callbacks(runtime)
    times = offsets(cb)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps[:12] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 1800]
    assert set(gaps[11:]) == {1800} and times[-1] <= 86400 < times[-1] + 1800
    assert cb["state"] == "failed" and len(httpserver.log) == len(times)


def test_the_schedule_is_a_setting_of_each_vendor(httpserver):
    httpserver.expect_request("/hook").respond_with_data("down", status=503)
    rt = outbox(
        callback_backoff_seconds=3,
        callback_backoff_max_seconds=3,
        callback_give_up_seconds=10,
        vendor_config={
            "v": {"callback_retry": {"backoff_seconds": 10, "backoff_max_seconds": 20, "give_up_seconds": 60}},
            "w": {"callback_retry": {"max_attempts": 2}},
        },
    )
    try:
        for vendor in ("v", "w", "t"):
            enqueue(rt, httpserver.url_for("/hook"), vendor=vendor)
        rt.advance(1000)
        by_vendor = {cb["vendor"]: cb for cb in callbacks(rt)}
    finally:
        rt.close()
    assert offsets(by_vendor["v"]) == [0, 10, 30, 50]
    assert offsets(by_vendor["w"]) == [0, 3]  # the rest from the global settings
    assert offsets(by_vendor["t"]) == [0, 3, 6, 9]
    assert {cb["state"] for cb in by_vendor.values()} == {"failed"}


@pytest.mark.parametrize(
    "retry, why",
    [
        ({"backoff_seconds": -1}, "backoff_seconds must be a number above 0"),
        ({"give_up_seconds": "soon"}, "give_up_seconds must be a number of 0 or more"),
        ({"max_attempts": 1.5}, "max_attempts must be a whole number of 0 or more"),
        ({"every": 3}, "unknown key 'every'"),
        ("fast", "must be a mapping"),
    ],
)
def test_a_bad_retry_setting_is_an_error_at_start(retry, why):
    with pytest.raises(ValueError) as err:
        outbox(vendor_config={"v": {"callback_retry": retry}})
    assert str(err.value) == f"vendor_config.v.callback_retry: {why}"


def test_the_delivery_id_is_the_same_on_every_attempt_and_redelivery(runtime, httpserver):
    answers = iter([Response("busy", status=500), Response("ok"), Response("ok again")])
    httpserver.expect_request("/hook").respond_with_handler(lambda request: next(answers))
    first = enqueue(runtime, httpserver.url_for("/hook"), {"n": 1})
    runtime.advance(1)
    assert callbacks(runtime)[0]["state"] == "delivered"
    redelivered = runtime.dispatcher.redeliver(first)
    assert redelivered["state"] == "delivered" and redelivered["attempts"][-1]["redelivery"] is True
    ids = [request.headers[DELIVERY_HEADER] for request, _ in httpserver.log]
    assert len(ids) == 3 and len(set(ids)) == 1 and uuid.UUID(ids[0])
    assert redelivered["headers"][DELIVERY_HEADER] == ids[0]
    httpserver.clear()
    httpserver.expect_request("/hook").respond_with_data("ok")
    enqueue(runtime, httpserver.url_for("/hook"), {"n": 1})
    runtime.advance(0)
    [(request, _)] = httpserver.log
    assert request.headers[DELIVERY_HEADER] != ids[0], "another callback, another id"


def test_each_attempt_is_recorded_as_sending_before_the_request_leaves(runtime, httpserver):
    seen = []

    def receiver(request):
        seen.append([(a["state"], a["status"]) for a in callbacks(runtime)[0]["attempts"]])
        return Response("ok")

    httpserver.expect_request("/hook").respond_with_handler(receiver)
    cb_id = enqueue(runtime, httpserver.url_for("/hook"))
    runtime.advance(0)
    runtime.dispatcher.redeliver(cb_id)
    assert seen == [[("sending", None)], [("done", 200), ("sending", None)]]
    assert [(a["state"], a["status"]) for a in callbacks(runtime)[0]["attempts"]] == [("done", 200), ("done", 200)]


# ---- POST /__admin/callbacks/ID/redeliver -----------------------------------------------------------------


def notified_job(client, httpserver, dx):
    sigma = Sigma(client)
    assert sigma.login().status_code == 200
    ds = sigma.upload(dx)
    answer = sigma.new_job(ds, notify="1", notify_url=httpserver.url_for("/notify"))
    assert answer.status_code == 200, answer.json
    return sigma


def test_redeliver_a_delivered_callback(client, httpserver, dx):
    httpserver.expect_request("/notify").respond_with_data("ok")
    notified_job(client, httpserver, dx).advance(60)
    [cb] = client.get("/__admin/callbacks").json["callbacks"]
    assert cb["state"] == "delivered"
    answer = client.post(f"/__admin/callbacks/{cb['id']}/redeliver")
    assert answer.status_code == 200
    assert answer.json["id"] == cb["id"] and answer.json["state"] == "delivered"
    assert [(a["status"], a.get("redelivery", False)) for a in answer.json["attempts"]] == [(200, False), (200, True)]
    assert client.get("/__admin/callbacks").json["callbacks"] == [answer.json]
    assert [r.get_json() for r, _ in httpserver.log] == [cb["body"], cb["body"]]


def test_redeliver_a_callback_that_was_given_up(client, httpserver, dx):
    httpserver.expect_request("/notify").respond_with_data("down", status=503)
    notified_job(client, httpserver, dx).advance(2 * 86400)
    [cb] = client.get("/__admin/callbacks").json["callbacks"]
    assert cb["state"] == "failed"
    httpserver.clear()
    httpserver.expect_request("/notify").respond_with_data("ok")
    answer = client.post(f"/__admin/callbacks/{cb['id']}/redeliver")
    assert answer.status_code == 200 and answer.json["state"] == "delivered"
    assert answer.json["attempts"][-1]["status"] == 200 and len(answer.json["attempts"]) == len(cb["attempts"]) + 1
    assert len(httpserver.log) == 1


def test_a_failed_redelivery_keeps_the_schedule_of_a_pending_callback(client, httpserver, dx):
    httpserver.expect_request("/notify").respond_with_data("down", status=503)
    sigma = notified_job(client, httpserver, dx)
    sigma.advance(10)  # the job ends at 6 s; attempts at 6, 7 and 9 s, the next at 13 s
    [cb] = client.get("/__admin/callbacks").json["callbacks"]
    answer = client.post(f"/__admin/callbacks/{cb['id']}/redeliver")
    assert answer.json["state"] == "pending" and answer.json["attempts"][-1]["error"] == "HTTP 503"
    httpserver.clear()
    httpserver.expect_request("/notify").respond_with_data("ok")
    sigma.advance(5)
    assert client.get("/__admin/callbacks").json["callbacks"][0]["state"] == "delivered"


@pytest.mark.parametrize("callback_id", ["99", "x", "-1", "2147483648", "99999999999999999999999", "1.5", "²"])
def test_redeliver_an_unknown_callback(client, callback_id):
    answer = client.post(f"/__admin/callbacks/{callback_id}/redeliver")
    assert answer.status_code == 404 and answer.json == {"error": f"no callback {callback_id}"}


def test_redeliver_looks_in_the_namespace_asked(client, httpserver, dx):
    httpserver.expect_request("/notify").respond_with_data("ok")
    notified_job(client, httpserver, dx).advance(60)
    [cb] = client.get("/__admin/callbacks").json["callbacks"]
    answer = client.post(f"/__admin/callbacks/{cb['id']}/redeliver", headers={"X-Mock-Namespace": "elsewhere"})
    assert answer.status_code == 404 and answer.json == {"error": f"no callback {cb['id']}"}
    assert len(httpserver.log) == 1
