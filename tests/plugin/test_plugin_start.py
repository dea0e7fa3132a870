"""Installing mockservers must not slow every pytest start in that environment: the plugin (an entry point, loaded
by each pytest run whatever it tests) imports the server, Flask, requests and the store only when a fixture or a
class first needs them. Checked by what is imported, not by a timing (scripts/bench/plugin_start.py times it)."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

from mockservers import pytest_plugin, requests_routing

ROOT = pathlib.Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "flask", "werkzeug", "requests", "pydicom", "numpy", "mockservers.app", "mockservers.core.store")


def imported_by(statement: str) -> set[str]:
    """Every module a fresh interpreter imports to run `statement` (python -X importtime's report)."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert run.returncode == 0, run.stderr
    # "import time: self [us] | cumulative | imported package", one line per module
    return {line.rsplit("|", 1)[1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}


def test_importing_the_plugin_imports_neither_the_server_nor_its_libraries():
    modules = imported_by("import mockservers.pytest_plugin")
    assert "mockservers.pytest_plugin" in modules
    heavy = sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert heavy == []


def test_the_routing_names_still_come_from_the_plugin():
    assert pytest_plugin.InProcessAdapter is requests_routing.InProcessAdapter
    assert pytest_plugin.call_app is requests_routing.call_app
    assert pytest_plugin.routed_session is requests_routing.routed_session
    from mockservers.pytest_plugin import InProcessAdapter  # the spelling tests and integrators use

    assert InProcessAdapter is requests_routing.InProcessAdapter


def test_an_unknown_name_is_still_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        getattr(pytest_plugin, "no_such_name")  # noqa: B009  # the module-level __getattr__ answers it
