"""The journal keeps the headers of each answer as sent, credentials masked; an older state gains the column."""

import sqlite3

import pytest

from mockservers.core import journal
from mockservers.core.store import Store

LOGIN = {"account_name": "sigma", "user_name": "test", "password": "MTIzNDU2"}


def test_an_entry_keeps_the_headers_the_answer_was_sent_with(client):
    sent = client.get("/sigma/login", query_string=LOGIN)
    assert sent.status_code == 200
    entry = client.get("/__admin/requests").json["requests"][0]
    assert entry["path"] == "/sigma/login"
    assert entry["response_headers"]["Content-Type"] == sent.headers["Content-Type"] == "application/json"
    assert entry["response_headers"]["Content-Length"] == sent.headers["Content-Length"]
    assert entry["response_headers"]["x-sg-request-id"] == sent.headers["x-sg-request-id"]


def test_a_credential_in_a_response_header_is_masked_as_in_a_request_header():
    entry = dict(
        headers={"Sigma-Token": "0123456789abcdef"},
        response_headers={
            "Content-Type": "application/json",
            "Sigma-Token": "0123456789abcdef",
            "Set-Cookie": "session=secret",
            "Authorization": "Bearer 0123456789abcdef",
        },
        query="",
        body="",
        response_body="",
    )
    journal.mask_entry(entry, ("Sigma-Token",))
    assert entry["headers"] == {"Sigma-Token": "012***(16)"}
    assert entry["response_headers"] == {
        "Content-Type": "application/json",
        "Sigma-Token": "012***(16)",
        "Set-Cookie": "ses***(14)",
        "Authorization": "Bearer 012***(16)",
    }


OLD_JOURNAL = """CREATE TABLE core_journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT, ts FLOAT, vendor VARCHAR(50), method VARCHAR(10), path TEXT, query TEXT,
    headers JSON, body TEXT, status INTEGER, response_body TEXT, duration_ms FLOAT, fault_id INTEGER,
    explain TEXT, unmatched BOOLEAN, worker INTEGER)"""


@pytest.mark.no_postgres_pass
def test_a_state_from_before_gains_the_column_and_its_old_entries_have_no_response_headers(tmp_path):
    path = tmp_path / "state.db"
    with sqlite3.connect(path) as old:
        old.execute(OLD_JOURNAL)
        old.execute(
            "INSERT INTO core_journal (ts, vendor, method, path, query, headers, body, status, response_body,"
            " duration_ms, unmatched) VALUES (0, 'sigma', 'GET', '/sigma/old', '', '{}', '', 200, '{}', 1.0, 0)"
        )
    old.close()
    store = Store(f"sqlite:///{path}")
    try:
        store.create_all()
        store.create_all()  # a second opening finds nothing to add
        fields = dict(
            ts=1.0, vendor="sigma", method="GET", path="/sigma/new", query="", headers={}, body="", status=200,
            response_body="{}", response_headers={"Content-Type": "application/json"}, duration_ms=1.0,
            fault_id=None, explain=None, unmatched=False, worker=1,
        )  # fmt: skip
        journal.record_apart(store, 100, **fields)
        db = store.open(write=False)
        try:
            entries = journal.query(db)
        finally:
            store.close(db, commit=False)
    finally:
        store.dispose()
    assert [(e["path"], e["response_headers"]) for e in entries] == [
        ("/sigma/new", {"Content-Type": "application/json"}),
        ("/sigma/old", {}),
    ]
    with sqlite3.connect(path) as reopened:
        columns = [row[1] for row in reopened.execute("PRAGMA table_info(core_journal)")]
    reopened.close()
    assert columns[-1] == "response_headers"
