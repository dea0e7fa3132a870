"""The plugin integrators install holds what they use, documented; this project's own machinery stays in tests/."""

from __future__ import annotations

import inspect
import os
import pathlib
import re
import subprocess
import sys

import pytest

from mockservers import pytest_plugin

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = (
    "mock_server",
    "mock_app",
    "mock_client",
    "vendor_session",
    "vendor_httpx",
    "vendor_httpx_async",
    "sample_dicom",
)


def test_an_integrators_pytest_help_shows_only_the_plugins_options(tmp_path):
    shown = subprocess.run(
        [sys.executable, "-m", "pytest", "--help", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert shown.returncode == 0, shown.stderr
    for option in ("--mock-server-url", "--mock-admin-token"):
        assert option in shown.stdout
    for option in ("--mock-live", "--mock-state", "--travel-to"):
        assert option not in shown.stdout


@pytest.mark.parametrize("name", FIXTURES)
def test_every_fixture_says_what_it_gives(name):
    fixture = getattr(pytest_plugin, name)
    assert len(inspect.getdoc(getattr(fixture, "_get_wrapped_function", lambda: fixture)()) or "") > 40


@pytest.mark.parametrize(
    "cls",
    [pytest_plugin.Admin, pytest_plugin.Server, pytest_plugin.Namespace, pytest_plugin.LiveServer],
    ids=lambda c: c.__name__,
)
def test_the_clients_public_methods_are_documented(cls):
    public = [name for name, member in vars(cls).items() if callable(member) and not name.startswith("_")]
    assert public or cls in (pytest_plugin.LiveServer, pytest_plugin.Namespace)  # subclasses of Server
    assert inspect.getdoc(cls) and not [name for name in public if not inspect.getdoc(getattr(cls, name))]


def test_no_test_takes_the_plugins_test_settings():
    """tests.machinery.test_settings follows --mock-state; the plugin's keeps memory, so a test importing that one
    would quietly leave the PostgreSQL pass."""
    taken = re.compile(r"^\s*from mockservers\.pytest_plugin import [^\n]*\btest_settings\b", re.M)
    stray = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("*.py")
        if taken.search(path.read_text(encoding="utf-8"))
    ]
    assert stray == [], "import test_settings from tests.machinery in: " + ", ".join(stray)
