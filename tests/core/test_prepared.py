"""core/prepared.py: reads compiled once per dialect and run on the session's driver cursor answer what the ORM
would (the session's unwritten rows included), on every state the suite runs on."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, select

from mockservers.core import prepared
from mockservers.core.models import Counter, FaultRule

_COUNTERS = Counter.__table__
READ = prepared.Statement(select(*_COUNTERS.columns).where(_COUNTERS.c.name == bindparam("name")))


@pytest.fixture
def app_store(mock_app):
    """The state of a fresh app (a schema of its own on PostgreSQL): nothing to clean up after."""
    return mock_app.extensions["mockservers"].store


def test_a_prepared_read_answers_as_the_orm_does(app_store):
    with app_store.transaction() as db:
        db.add(Counter(name="prepared.a", value=7))  # not written yet: the read writes it first, as the ORM's
        (found,) = READ.records(db, {"name": "prepared.a"})
        assert (found.name, found.value) == ("prepared.a", 7)
        assert READ.records(db, {"name": "prepared.none"}) == []
    with app_store.transaction() as db:
        assert [r.value for r in READ.records(db, {"name": "prepared.a"})] == [7]


_FAULTS = FaultRule.__table__
FAULT = prepared.Statement(select(*_FAULTS.columns).where(_FAULTS.c.id == bindparam("id")))


def test_a_records_json_and_boolean_columns_read_as_the_orms(app_store):
    """SQLite's driver gives JSON as text and a Boolean as 0/1: a Record decodes them as the ORM does."""
    with app_store.transaction() as db:
        rule = FaultRule(match={"a": [1, "é"]}, action={"status": 503}, active=False, after=0, seen=0, fired=0)
        db.add(rule)
        db.flush()
        rule_id = rule.id
    with app_store.transaction() as db:
        (found,) = FAULT.records(db, {"id": rule_id})
        orm = db.get(FaultRule, rule_id)
        for column in _FAULTS.columns:
            assert getattr(found, column.name) == getattr(orm, column.name), column.name
            assert type(getattr(found, column.name)) is type(getattr(orm, column.name)), column.name
        assert found.active is False and found.match == {"a": [1, "é"]} and found.probability is None
