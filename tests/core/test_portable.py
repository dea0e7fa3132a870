"""Serving needs no POSIX-only module: the file locks are portalocker's (flock on POSIX, LockFileEx on Windows)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading

import portalocker
import pytest

from mockservers.core.runtime import Runtime
from mockservers.core.store import WriterLock
from tests.machinery import test_settings

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

WITHOUT_POSIX = """
import sys

import portalocker  # the one module allowed fcntl: on Windows it locks with msvcrt and pywin32 instead

sys.modules["fcntl"] = None  # `import fcntl` now raises ImportError, as on Windows
sys.modules["resource"] = None

from mockservers.app import create_app
from mockservers.production import GunicornServer, granian_app  # noqa: F401  (granian's workers import it)
from tests.machinery import test_settings

settings = test_settings(state="sqlite:///" + sys.argv[1] + "/state.db")
app = create_app(settings, start_background=False)
client = app.test_client()
login = "/sigma/login?account_name=sigma&user_name=test&password=MTIzNDU2"
assert client.get(login).status_code == 200
assert client.get(login, headers={"X-Mock-Namespace": "other"}).status_code == 200
assert client.post("/__admin/faults", json={"action": {"status": 503}, "path": "/nowhere"}).status_code == 201
assert client.post("/__admin/clock/advance", json={"seconds": 60}).json["now"] > 0
assert client.get("/favicon.ico").status_code == 200
app.extensions["mockservers.namespaces"].close()
try:
    GunicornServer(settings)
except SystemExit as refused:
    print(refused.code)
assert sys.modules["fcntl"] is None and sys.modules["resource"] is None
print("served")
"""


def run(script: str, *args: str, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": ROOT}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args], cwd=ROOT, env=env, capture_output=True, text=True, **kw
    )


def test_it_imports_and_serves_without_fcntl(tmp_path):
    done = run(WITHOUT_POSIX, str(tmp_path), timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "--workers needs gunicorn, which runs on POSIX; use --server granian",
        "served",
    ]


HOLD = """
import sys

from mockservers.core.runtime import Runtime
from mockservers.core.store import WriterLock
from tests.machinery import test_settings

kind, path = sys.argv[1], sys.argv[2]
if kind == "writer":
    lock = WriterLock(path)
    lock.acquire()
    print("held", flush=True)
    sys.stdin.readline()
    lock.release()
else:
    runtime = Runtime(test_settings(state="sqlite:///" + path), vendors=[])
    with runtime._advancing():
        print("held", flush=True)
        sys.stdin.readline()
    runtime.close()
"""


def held_elsewhere(path: str) -> bool:
    """Whether another process holds the lock on `path` (a try that does not wait)."""
    with open(path, "a") as file:
        try:
            portalocker.lock(file, portalocker.LockFlags.EXCLUSIVE | portalocker.LockFlags.NON_BLOCKING)
        except portalocker.AlreadyLocked:
            return True
        portalocker.unlock(file)
        return False


@pytest.mark.parametrize("kind", ["writer", "advance"])
def test_a_lock_held_by_another_process_is_waited_for_then_taken(tmp_path, kind):
    state = str(tmp_path / "state.db")
    lock_file = state + (".lock" if kind == "writer" else ".advance.lock")
    env = {**os.environ, "PYTHONPATH": ROOT}
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, kind, lock_file if kind == "writer" else state],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as other:
        assert other.stdout.readline() == "held\n"
        assert held_elsewhere(lock_file)
        taken = threading.Event()
        if kind == "writer":
            mine = WriterLock(lock_file)

            def take():
                mine.acquire()
                taken.set()
                mine.release()

        else:
            runtime = Runtime(test_settings(state=f"sqlite:///{state}"), vendors=[])

            def take():
                with runtime._advancing():
                    taken.set()

        waiter = threading.Thread(target=take)
        waiter.start()
        assert not taken.is_set(), "taken while the other process holds it"
        other.stdin.write("go\n")
        other.stdin.flush()
        waiter.join(timeout=60)
        assert taken.is_set()
        assert not held_elsewhere(lock_file)
        other.stdin.close()
        assert other.wait(timeout=60) == 0
    if kind == "writer":
        assert mine.close_when_free(also=lambda: None)
    else:
        runtime.close()
