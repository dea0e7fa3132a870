"""Shared test fixtures. The plugin (mockservers.pytest_plugin) provides mock_app, mock_server, vendor_session,
mock_client. Tests written against `client` run twice in `make test`: in-process, and with --mock-live against a
live server (a namespace per test)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest


def pytest_addoption(parser):
    parser.addoption("--travel-to", metavar="YYYY-MM-DD",
                     help="run the session with Python's clock moved to this date (time-machine, ticking): fake "
                          "values must not change, so the suite must pass on any date")


def pytest_configure(config):
    day = config.getoption("--travel-to")
    if day:
        import time_machine

        traveller = time_machine.travel(datetime.fromisoformat(day).replace(tzinfo=timezone.utc), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


@pytest.fixture
def client(mock_client):
    return mock_client


@pytest.fixture
def host_url(client):
    """The scheme and host the mock sees for `client` (RetrieveURLs and the like are built from it)."""
    return getattr(client, "base_url", "http://localhost")
