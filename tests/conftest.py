"""The project's test machinery on top of the plugin integrators get (mockservers.pytest_plugin: mock_app,
mock_server, mock_client, vendor_session). `make test` runs the suite three ways: in-process; again with
`--mock-live` (tests/machinery/live.py), where every test written against `client` calls a live server over HTTP,
a namespace per test; and with `--mock-state postgres` (tests/machinery/state.py). `--travel-to` moves Python's
clock for the session."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

pytest_plugins = ["tests.machinery.live", "tests.machinery.state", "pytester"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--travel-to",
        metavar="YYYY-MM-DD",
        help="run the session with Python's clock moved to this date (time-machine, ticking): fake "
        "values must not change, so the suite must pass on any date",
    )


def pytest_configure(config: pytest.Config) -> None:
    day = config.getoption("--travel-to")
    if day:
        import time_machine

        traveller = time_machine.travel(datetime.fromisoformat(day).replace(tzinfo=UTC), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


@pytest.fixture
def client(mock_client: Any) -> Any:
    return mock_client


@pytest.fixture
def host_url(client: Any) -> str:
    """The scheme and host the mock sees for `client` (RetrieveURLs and the like are built from it)."""
    return getattr(client, "base_url", "http://localhost")


@pytest.fixture(autouse=True)
def _close_oss_connection_pools(monkeypatch):
    """oss2 gives every Bucket a connection pool of its own and never closes it: its sockets reached the garbage
    collector in whichever test ran later, a ResourceWarning there (an error under filterwarnings = error)."""
    import oss2.http

    opened: list[oss2.http.Session] = []
    init = oss2.http.Session.__init__

    def tracked(self, *args, **kwargs):
        init(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(oss2.http.Session, "__init__", tracked)
    yield
    for session in opened:
        session.session.close()
