"""The integrator-shaped suite runs green under pytest -n 4 against one live server (pytest-xdist)."""

import os
import pathlib
import signal
import subprocess
import sys

import pytest

pytestmark = pytest.mark.no_postgres_pass  # it picks its own state

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_integrator_suite_in_parallel_against_one_server():
    server = subprocess.Popen(
        [sys.executable, "-m", "mockservers", "serve", "--port", "0", "--state", "memory", "--clock", "virtual"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    try:
        line = server.stdout.readline()
        assert "serving" in line, line
        url = line.split(" on ", 1)[1].split("/ ", 1)[0]
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-n",
                "4",
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
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
        assert "7 passed" in run.stdout, run.stdout[-2000:]
        workers = {line.split("]", 1)[0] for line in run.stdout.splitlines() if line.startswith("[gw")}
        assert len(workers) >= 2, run.stdout[-2000:]
        namespaces = __import__("requests").get(url + "/__admin/namespaces", timeout=10).json()["namespaces"]
        assert namespaces == ["default"], "each test deleted its namespace"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        server.stdout.close()  # its pipe, or a ResourceWarning when collected
