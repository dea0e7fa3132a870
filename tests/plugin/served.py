"""A `mockservers serve` subprocess on a free loopback port, as an integrator's CI starts one."""

from __future__ import annotations

import contextlib
import os
import pathlib
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_banner(server: subprocess.Popen, timeout: float = 120.0) -> threading.Thread:
    """Read what the server prints until its banner (it listens before printing it), then keep draining its output
    in a thread; fail with what it printed if it exits first. A watchdog kills a server silent for `timeout`."""
    watchdog = threading.Timer(timeout, server.kill)
    watchdog.start()
    printed = []
    try:
        for line in server.stdout:
            printed.append(line)
            if line.startswith("mockservers: serving"):
                drain = threading.Thread(target=server.stdout.read, daemon=True)
                drain.start()
                return drain
    finally:
        watchdog.cancel()
    raise AssertionError(f"the server exited with {server.wait()}; it printed:\n{''.join(printed)[-3000:]}")


@contextlib.contextmanager
def served(*options: str) -> Iterator[str]:
    """Serve every vendor (memory state, virtual clock, `options` added) from this checkout; its base URL."""
    port = _free_port()
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
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    drain = None
    try:
        drain = _wait_for_banner(server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        if drain:
            drain.join(timeout=30)
        server.stdout.close()
