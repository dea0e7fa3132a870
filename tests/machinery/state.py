"""`--mock-state` (a pytest plugin module; tests/conftest.py loads it): where the tests keep their state. Memory
by default; with a database URL (or `postgres`: a private cluster, pgtest.py) every `test_settings()`, and so every
app and server the plugin's fixtures start, gets a schema of its own, dropped when the session ends. Under
pytest-xdist the controller starts the cluster once and every worker keeps its schemas in it (the names carry the
worker's process id)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mockservers.settings import Settings
from tests.machinery.settings import drop_schemas, test_settings, use

_skip_all = pytest.StashKey[str]()  # why every test is skipped: --mock-state postgres without PostgreSQL
# In an xdist controller: (database URL, whether the cluster is the session's own, why every test is skipped)
_for_workers = pytest.StashKey[tuple[str, bool, str]]()
_WORKER_KEY = "mockservers_state"


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
    from_controller = getattr(config, "workerinput", {}).get(_WORKER_KEY)
    if from_controller is not None:
        # an xdist worker: the database the controller chose (its cluster, started once for every worker)
        url, owned, reason = from_controller
        if reason:
            config.stash[_skip_all] = reason
            return
        _use(config, url, drop=not owned)
        return
    cluster = None
    if url == "postgres":
        from tests.machinery.pgtest import PostgresUnavailable, postgres_url

        try:
            url, cluster = postgres_url()
        except PostgresUnavailable as exc:
            config.stash[_skip_all] = f"no PostgreSQL could be started: {exc}"
            config.stash[_for_workers] = ("", False, config.stash[_skip_all])
            return
    config.stash[_for_workers] = (url, cluster is not None, "")
    # a cluster of the session's own goes with everything in it; a database given keeps only what it had
    _use(config, url, drop=cluster is None)
    if cluster is not None:
        config.add_cleanup(cluster.stop)


def _use(config: pytest.Config, url: str, drop: bool) -> None:
    use(url)
    # Tests that build an app of their own and never close it leave its pooled connections to the garbage
    # collector; psycopg then warns in whichever test runs at that moment. Memory and SQLite state say nothing.
    config.addinivalue_line(
        "filterwarnings", r"ignore:<psycopg\.Connection .* was deleted while still open:ResourceWarning"
    )
    if drop:
        config.add_cleanup(drop_schemas)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist, in the controller, for each worker it starts: the database every worker keeps its schemas in."""
    chosen = node.config.stash.get(_for_workers, None)
    if chosen is not None:
        node.workerinput[_WORKER_KEY] = chosen


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
