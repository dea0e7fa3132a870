"""`--mock-state` (a pytest plugin module; tests/conftest.py loads it): where the tests keep their state. Memory
by default; with a database URL (or `postgres`: a private cluster, pgtest.py) every `test_settings()`, and so every
app and server the plugin's fixtures start, gets a schema of its own, dropped when the session ends."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mockservers.settings import Settings
from tests.machinery.settings import drop_schemas, test_settings, use

_skip_all = pytest.StashKey[str]()  # why every test is skipped: --mock-state postgres without PostgreSQL


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--mock-state",
        default="memory",
        help="where the tests keep state: memory (default), a database URL, or `postgres` "
        "(MOCKSERVERS_TEST_POSTGRES, else a private cluster started for the session; every test "
        "is skipped, saying why, if none can be started)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Registered now, after the installed plugin, so that these settings are the ones its fixtures use.
    config.pluginmanager.register(_StateFixtures(), "mockservers-state-fixtures")
    url = config.getoption("--mock-state")
    if url == "memory":
        return
    cluster = None
    if url == "postgres":
        from tests.machinery.pgtest import PostgresUnavailable, postgres_url

        try:
            url, cluster = postgres_url()
        except PostgresUnavailable as exc:
            config.stash[_skip_all] = f"no PostgreSQL could be started: {exc}"
            return
    use(url)
    # Tests that build an app of their own and never close it leave its pooled connections to the garbage
    # collector; psycopg then warns in whichever test runs at that moment. Memory and SQLite state say nothing.
    config.addinivalue_line(
        "filterwarnings", r"ignore:<psycopg\.Connection .* was deleted while still open:ResourceWarning"
    )
    # a cluster of the session's own goes with everything in it; a database given keeps only what it had
    config.add_cleanup(cluster.stop if cluster is not None else drop_schemas)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = config.stash.get(_skip_all, None)
    if reason:
        for item in items:
            item.add_marker(pytest.mark.skip(reason=reason))


class _StateFixtures:
    @pytest.fixture(scope="session")
    @classmethod
    def _mockservers_settings(cls) -> Callable[..., Settings]:
        """The plugin's fixtures build their apps and servers with this module's test_settings."""
        return test_settings
