"""The integrator-shaped suite runs green under pytest-xdist against one live server, each test in a namespace of
its own: nothing lands in the server's default namespace, and no namespace is left behind. The inner run loads only
the plugins the suite uses: the venv's others (schemathesis, Playwright, Pact) cost every worker seconds to start."""

import os
import pathlib
import subprocess
import sys

import pytest
import requests

from tests.plugin.served import served

pytestmark = pytest.mark.no_postgres_pass  # it picks its own state

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_integrator_suite_in_parallel_against_one_server():
    with served() as url:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-p",
                "xdist",
                "-p",
                "mockservers.pytest_plugin",
                "-p",
                "pytest_httpserver",
                "-n",
                "2",
                "-p",
                "no:cacheprovider",
                "-v",
                "tests/e2e/integrator_suite",
                "--mock-server-url",
                url,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
        )
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
        assert "7 passed" in run.stdout, run.stdout[-2000:]
        workers = {line.split("]", 1)[0] for line in run.stdout.splitlines() if line.startswith("[gw")}
        assert len(workers) >= 2, run.stdout[-2000:]
        admin = url + "/__admin"
        assert requests.get(admin + "/namespaces", timeout=10).json()["namespaces"] == ["default"], "each deleted"
        assert requests.get(admin + "/requests", timeout=10).json()["requests"] == [], "all in namespaces"
