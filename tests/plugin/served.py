"""A `mockservers serve` subprocess on a free loopback port, as an integrator's CI starts one."""

from __future__ import annotations

import contextlib
import os
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator

import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(url: str, server: subprocess.Popen, timeout: float = 120.0) -> None:
    """Poll /__admin/health until it answers (bounded), or fail with what the server printed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server exited with {server.returncode}")
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(url + "/__admin/health", timeout=5).ok:
                return
        threading.Event().wait(0.1)
    raise AssertionError(f"{url} did not answer /__admin/health within {timeout}s")


@contextlib.contextmanager
def served(*options: str) -> Iterator[str]:
    """Serve every vendor (memory state, virtual clock, `options` added) from this checkout; its base URL."""
    port = _free_port()
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115  # a file, not a pipe: an unread pipe stalls a talky server
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mockservers",
            "serve",
            "--port",
            str(port),
            "--state",
            "memory",
            "--clock",
            "virtual",
            *options,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            _wait_until_healthy(url, server)
        except AssertionError as exc:
            log.seek(0)
            raise AssertionError(f"{exc}; it printed:\n{log.read()[-3000:]}") from None
        yield url
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
