"""Each worker keeps a copy of the fault rules and re-reads it when their version changes, whoever changed them."""

from __future__ import annotations

import pytest

from mockservers.app import create_app
from tests.machinery import test_settings


@pytest.fixture
def two_workers(tmp_path):
    """Two apps on one state, as two gunicorn workers are (on PostgreSQL: one schema)."""
    settings = test_settings(vendors=["sigma"])
    if settings.state == "memory":
        settings = test_settings(state=f"sqlite:///{tmp_path}/state.db", vendors=["sigma"])
    apps = [create_app(settings, start_background=False) for _ in range(2)]
    yield [app.test_client() for app in apps]
    for app in apps:
        app.extensions["mockservers.namespaces"].close()


def test_a_rule_added_through_one_worker_fires_in_the_other(two_workers):
    one, other = two_workers
    assert other.get("/sigma/login").status_code == 400  # its copy: no rules
    rule = one.post("/__admin/faults", json={"vendor": "sigma", "path": "/sigma/login", "action": {"status": 503}})
    assert other.get("/sigma/login").status_code == 503
    assert one.delete(f"/__admin/faults/{rule.json['id']}").status_code == 200
    assert other.get("/sigma/login").status_code == 400


def test_cleared_and_reset_rules_stop_firing_everywhere(two_workers):
    one, other = two_workers
    one.post("/__admin/faults", json={"vendor": "sigma", "match": {"user_name": "x"}, "action": {"status": 418}})
    assert other.get("/sigma/login?user_name=x").status_code == 418
    assert other.get("/sigma/login?user_name=y").status_code == 400
    one.delete("/__admin/faults")
    assert other.get("/sigma/login?user_name=x").status_code == 400
    one.post("/__admin/faults", json={"vendor": "sigma", "action": {"status": 418}})
    assert other.get("/sigma/login").status_code == 418
    assert one.post("/__admin/reset").status_code == 200
    assert other.get("/sigma/login").status_code == 400


def test_a_restored_snapshot_brings_its_rules_back_everywhere(two_workers):
    one, other = two_workers
    one.post("/__admin/faults", json={"vendor": "sigma", "action": {"status": 418}})
    snap = one.post("/__admin/snapshots", json={"label": "with a rule"}).json
    one.delete("/__admin/faults")
    assert other.get("/sigma/login").status_code == 400
    assert one.post(f"/__admin/snapshots/{snap['id']}/restore").status_code == 200
    assert other.get("/sigma/login").status_code == 418
