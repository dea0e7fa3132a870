"""POST /__admin/clock/advance: what it refuses (changing nothing), and that concurrent advances add up."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from mockservers.core.runtime import Runtime
from tests.machinery import test_settings

TEN_YEARS = 315_360_000
END_OF_9999 = 253402300799
NOT_SECONDS = f"'seconds' must be a number from 0 to {TEN_YEARS} (ten years)"
NOT_A_BODY = 'body must be {"seconds": N}'


@pytest.mark.parametrize(
    "body, error",
    [
        ('{"seconds": 1e308}', NOT_SECONDS),
        ('{"seconds": 1e400}', NOT_SECONDS),
        ('{"seconds": -1}', NOT_SECONDS),
        ('{"seconds": -0.5}', NOT_SECONDS),
        ('{"seconds": "5"}', NOT_SECONDS),
        ('{"seconds": true}', NOT_SECONDS),
        ('{"seconds": null}', NOT_SECONDS),
        ('{"seconds": [1]}', NOT_SECONDS),
        (f'{{"seconds": {TEN_YEARS + 1}}}', NOT_SECONDS),
        ("{}", NOT_A_BODY),
        ("[]", NOT_A_BODY),
        ('"x"', NOT_A_BODY),
        ("", NOT_A_BODY),
        ("x", "body: not JSON"),
    ],
)
def test_a_bad_advance_is_refused_and_changes_nothing(client, body, error):
    before = client.get("/__admin/clock").json
    response = client.post("/__admin/clock/advance", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json == {"error": error}
    assert client.get("/__admin/clock").json == before
    assert client.post("/__admin/clock/advance", json={"seconds": 1}).json["now"] == before["now"] + 1


@pytest.mark.parametrize("body", ['{"seconds": Infinity}', '{"seconds": NaN}', '{"seconds": -Infinity}'])
def test_nan_and_infinity_are_not_json_and_change_nothing(client, body):
    before = client.get("/__admin/clock").json
    response = client.post("/__admin/clock/advance", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json == {"error": "body: NaN and Infinity are not JSON numbers"}
    assert client.get("/__admin/clock").json == before


def test_the_clock_stops_at_the_end_of_year_9999(mock_app):
    rt = mock_app.extensions["mockservers"]
    with rt.store.transaction() as db:
        rt.clock.set(db, END_OF_9999 - 10)
    client = mock_app.test_client()
    assert client.post("/__admin/clock/advance", json={"seconds": 10}).json["iso"] == "9999-12-31T23:59:59Z"
    response = client.post("/__admin/clock/advance", json={"seconds": 0.5})
    assert response.status_code == 400
    assert response.json == {"error": "the virtual clock cannot pass 9999-12-31T23:59:59Z"}
    assert client.get("/__admin/clock").json["now"] == END_OF_9999
    assert client.get("/__admin/requests").status_code == 200


def test_a_zero_advance_runs_what_is_due_now(client):
    before = client.get("/__admin/clock").json
    response = client.post("/__admin/clock/advance", json={"seconds": 0})
    assert response.status_code == 200 and response.json["now"] == before["now"]


def test_concurrent_advances_add_up_over_http(client):
    start = client.get("/__admin/clock").json["now"]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: client.post("/__admin/clock/advance", json={"seconds": 1}), range(8)))
    assert [a.status_code for a in answers] == [200] * 8
    assert client.get("/__admin/clock").json["now"] == start + 8


@pytest.mark.parametrize("where", ["memory", "file"])
def test_concurrent_advances_add_up_across_workers(tmp_path, where):
    """Runtimes on one state stand for worker processes: each keeps its own copy of the time."""
    state = "memory" if where == "memory" else f"sqlite:///{tmp_path}/state.db"
    first = Runtime(test_settings(state=state, data_dir=str(tmp_path)), vendors=[])
    workers = (
        [first] * 4
        if where == "memory"
        else [first] + [Runtime(test_settings(state=state, data_dir=str(tmp_path)), vendors=[]) for _ in range(3)]
    )
    seen = []
    first.scheduler.register("t.tick", lambda ctx, p: seen.append((p["n"], ctx.now)))
    for rt in workers[1:]:
        rt.scheduler.register("t.tick", lambda ctx, p: seen.append((p["n"], ctx.now)))
    start = first.clock.now()
    with first.store.transaction() as db:
        for n in range(1, 9):
            first.context(db, "t").schedule("tick", n - 0.5, {"n": n})
    go = threading.Barrier(8)

    def advance(i):
        go.wait(timeout=30)
        return workers[i % len(workers)].advance(1)

    with ThreadPoolExecutor(8) as pool:
        ran = list(pool.map(advance, range(8)))
    assert sum(ran) == 8 and sorted(n for n, _ in seen) == list(range(1, 9))
    assert all(when == start + n - 0.5 for n, when in seen)
    with first.store.transaction() as db:
        first.clock.load(db)
    assert first.clock.now() == start + 8
    for rt in {id(w): w for w in workers}.values():
        rt.close()


def test_runtime_advance_refuses_what_the_route_refuses():
    from mockservers.core.clock import ClockError

    rt = Runtime(test_settings(), vendors=[])
    start = rt.clock.now()
    for seconds in (float("inf"), float("nan"), -1, TEN_YEARS + 1):
        with pytest.raises(ClockError):
            rt.advance(seconds)
    assert rt.clock.now() == start
    rt.close()
