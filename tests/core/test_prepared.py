"""core/prepared.py: reads compiled once per dialect and run on the session's driver cursor answer what the ORM
would (the session's unwritten rows included), on every state the suite runs on."""

from __future__ import annotations

from sqlalchemy import bindparam, delete, select

from mockservers.core import prepared
from mockservers.core.models import Counter

_COUNTERS = Counter.__table__
READ = prepared.Statement(select(*_COUNTERS.columns).where(_COUNTERS.c.name == bindparam("name")))


def test_a_prepared_read_answers_as_the_orm_does(mock_app):
    store = mock_app.extensions["mockservers"].store
    try:
        with store.transaction() as db:
            db.add(Counter(name="prepared.a", value=7))  # not written yet: the read writes it first, as the ORM's
            (found,) = READ.records(db, {"name": "prepared.a"})
            assert (found.name, found.value) == ("prepared.a", 7)
            assert READ.records(db, {"name": "prepared.none"}) == []
        with store.transaction() as db:
            assert [r.value for r in READ.records(db, {"name": "prepared.a"})] == [7]
    finally:
        with store.transaction() as db:
            db.execute(delete(Counter).where(Counter.name == "prepared.a"))
