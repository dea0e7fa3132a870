"""Clock, scheduler and durability: events run in due order, exactly once, and survive a restart."""

import pytest

from mockservers.core.runtime import Runtime
from tests.machinery import test_settings


def make_runtime(**overrides):
    return Runtime(test_settings(**overrides), vendors=[])


def test_events_run_in_due_order_with_the_clock_at_their_time():
    rt = make_runtime()
    seen = []
    rt.scheduler.register("t.tick", lambda ctx, p: seen.append((p["n"], ctx.now)))
    start = rt.clock.now()
    with rt.store.transaction() as db:
        ctx = rt.context(db, "t")
        ctx.schedule("tick", 10, {"n": 2})
        ctx.schedule("tick", 5, {"n": 1})
        ctx.schedule("tick", 30, {"n": 3})
    assert rt.advance(20) == 2
    assert seen == [(1, start + 5), (2, start + 10)]
    assert rt.clock.now() == start + 20
    rt.advance(10)
    assert seen[-1] == (3, start + 30)


def test_events_scheduled_by_events_run_in_the_same_advance():
    rt = make_runtime()
    seen = []

    def chain(ctx, p):
        seen.append(p["n"])
        if p["n"] < 3:
            ctx.schedule("chain", 1, {"n": p["n"] + 1})

    rt.scheduler.register("t.chain", chain)
    with rt.store.transaction() as db:
        rt.context(db, "t").schedule("chain", 1, {"n": 1})
    rt.advance(10)
    assert seen == [1, 2, 3]


def test_a_failing_handler_is_recorded_and_others_still_run():
    rt = make_runtime()
    seen = []

    def broken(ctx, p):
        raise ValueError("nope")

    rt.scheduler.register("t.broken", broken)
    rt.scheduler.register("t.ok", lambda ctx, p: seen.append(1))
    with rt.store.transaction() as db:
        ctx = rt.context(db, "t")
        ctx.schedule("broken", 1)
        ctx.schedule("ok", 2)
    rt.advance(5)
    assert seen == [1]
    from mockservers.core.models import ScheduledEvent

    with rt.store.transaction() as db:
        states = {e.kind: (e.state, e.error) for e in db.query(ScheduledEvent)}
    assert states["t.broken"] == ("failed", "ValueError: nope") and states["t.ok"][0] == "done"


def test_virtual_time_and_pending_events_survive_a_restart(tmp_path):
    url = f"sqlite:///{tmp_path}/state.db"
    rt = make_runtime(state=url)
    with rt.store.transaction() as db:
        rt.context(db, "t").schedule("later", 100, {"x": 1})
    rt.advance(50)
    before = rt.clock.now()
    rt.close()
    again = make_runtime(state=url)
    seen = []
    again.scheduler.register("t.later", lambda ctx, p: seen.append(p))
    assert again.clock.now() == before
    again.advance(49)
    assert seen == []
    again.advance(1)
    assert seen == [{"x": 1}]


def test_rolled_back_transaction_schedules_nothing():
    rt = make_runtime()
    with pytest.raises(RuntimeError), rt.store.transaction() as db:
        rt.context(db, "t").schedule("x", 1)
        raise RuntimeError("request failed")
    assert rt.advance(10) == 0


def test_real_clock_cannot_be_advanced(client):
    from mockservers.app import create_app

    app = create_app(test_settings(clock="real"), start_background=False)
    response = app.test_client().post("/__admin/clock/advance", json={"seconds": 1})
    assert response.status_code == 409 and "real" in response.json["error"]


@pytest.mark.parametrize("body", [None, {}, {"seconds": -1}, {"seconds": "5"}, {"seconds": True}])
def test_advance_validates_its_body(client, body):
    response = (
        client.post("/__admin/clock/advance", json=body)
        if body is not None
        else client.post("/__admin/clock/advance", data="x")
    )
    assert response.status_code == 400


def test_seeded_values_are_deterministic():
    from mockservers.core.fake import seeded_faker, seeded_hex, seeded_random, seeded_uuid

    assert seeded_random(1, "a").random() == seeded_random(1, "a").random() != seeded_random(2, "a").random()
    assert seeded_faker(1, "x").name() == seeded_faker(1, "x").name()
    assert seeded_uuid(1, "j", 1) == seeded_uuid(1, "j", 1) != seeded_uuid(1, "j", 2)
    assert len(seeded_hex(0, 70, "h")) == 70
