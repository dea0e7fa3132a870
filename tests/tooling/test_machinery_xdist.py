"""`make test` runs each pass under pytest-xdist: with --mock-state postgres the controller starts one private
cluster, every worker keeps its schemas in it (named by the worker's process id), and the cluster is gone after."""

from __future__ import annotations

import json
import os
import pathlib
import socket

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.no_postgres_pass  # it starts a PostgreSQL session of its own

RECORD = """
import json, os, pathlib
from tests.machinery.settings import test_settings

def test_where_this_worker_keeps_state():
    settings = test_settings()
    record = {"pid": os.getpid(), "state": settings.state, "schema": settings.db_schema}
    pathlib.Path(os.environ["RECORDS"], str(os.getpid())).write_text(json.dumps(record))
"""


def test_every_worker_keeps_its_schemas_in_the_controllers_one_cluster(pytester, monkeypatch, tmp_path):
    records = tmp_path / "records"
    records.mkdir()
    monkeypatch.setenv("RECORDS", str(records))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.delenv("MOCKSERVERS_TEST_POSTGRES", raising=False)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # xdist alone: the venv's other plugins cost seconds
    pytester.makeconftest('pytest_plugins = ["tests.machinery.state"]')
    pytester.makepyfile(test_record=RECORD)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "xdist", "-n", "2", "--dist", "each", "--mock-state", "postgres"
    )
    outcomes = result.parseoutcomes()
    if outcomes.get("skipped"):
        pytest.skip("no PostgreSQL could be started: " + result.stdout.str()[-300:])
    assert outcomes.get("passed") == 2, result.stdout.str()
    seen = [json.loads(path.read_text()) for path in records.iterdir()]
    assert len({record["pid"] for record in seen}) == 2
    assert len({record["state"] for record in seen}) == 1
    assert seen[0]["state"].startswith("postgresql://mock@127.0.0.1:")
    assert {record["schema"] for record in seen} == {f"t_{record['pid']}_1" for record in seen}
    port = int(seen[0]["state"].rsplit(":", 1)[1].split("/", 1)[0])
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=5):
        pass  # the controller stopped its cluster when the session ended
