"""The single-process `mockservers serve` left running: bounded threads, a request timeout, flat memory and open
files under thousands of requests and hundreds of namespaces, within a low open-files limit."""

from __future__ import annotations

import base64
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

pytestmark = pytest.mark.no_postgres_pass  # each server picks its own state

LOGIN = {"account_name": "sigma", "user_name": "test", "password": base64.urlsafe_b64encode(b"123456").decode()}
UPLOAD = '{"quantity": 1, "converted": "1", "overwrite": "1"}'


class Served:
    """`mockservers serve` in a subprocess under an open-files limit; its output is drained in a thread."""

    def __init__(self, state: str, nofile: int = 256, clock: str = "virtual", **env: str):
        environment = {**os.environ, **{f"MOCKSERVERS_{k.upper()}": str(v) for k, v in env.items()}}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mockservers", "serve", "--port", "0", "--state", state, "--clock", clock],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile)),
        )
        line = self.proc.stdout.readline()  # printed once the socket listens
        assert "serving" in line, line + self.proc.stdout.read()
        self.url = line.split(" on ", 1)[1].split("/ ", 1)[0]
        self.port = int(self.url.rsplit(":", 1)[1])
        self.output: list[str] = []
        self._drain = threading.Thread(target=lambda: self.output.extend(self.proc.stdout), daemon=True)
        self._drain.start()

    def status(self, key: str) -> int:
        with open(f"/proc/{self.proc.pid}/status") as fh:
            return int(next(line.split()[1] for line in fh if line.startswith(key + ":")))

    def open_files(self) -> int:
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def threads(self) -> int:
        return self.status("Threads")

    def rss_mb(self) -> float:
        return self.status("VmRSS") / 1024

    def stop(self) -> str:
        """Stops the server; its output."""
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        self._drain.join(timeout=30)
        self.proc.stdout.close()  # its pipe, or a ResourceWarning when collected
        return "".join(self.output)


@pytest.fixture
def served(tmp_path):
    started: list[Served] = []

    def start(**kwargs) -> Served:
        server = Served(f"sqlite:///{tmp_path}/state.db", **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        if server.proc.poll() is None:
            server.stop()


def test_thousands_of_requests_keep_open_files_and_memory_flat(served):
    server = served()
    namespaces = ["alpha", "beta", "gamma"]
    tokens = {}
    for name in namespaces:
        login = requests.get(server.url + "/sigma/login", params=LOGIN, headers={"X-Mock-Namespace": name}, timeout=30)
        assert login.status_code == 200, login.text
        tokens[name] = login.json()["data"]["user_info"]["token"]

    def send(numbers: range) -> list[tuple[int, int]]:
        session = requests.Session()
        answered = []
        for i in numbers:
            name = namespaces[(i // 3) % 3]
            headers = {"X-Mock-Namespace": name, "Sigma-Token": tokens[name]}
            if i % 3 == 0:
                r = session.get(
                    server.url + "/sigma/accounts/sigma/jobs/list/?unique_id=1.2.3", headers=headers, timeout=30
                )
            elif i % 3 == 1:
                r = session.post(
                    server.url + "/sigma/accounts/sigma/store/uploads/1.2.3/",
                    data=UPLOAD,
                    headers={**headers, "Content-Type": "application/json"},
                    timeout=30,
                )
            else:
                r = session.get(server.url + "/__admin/requests", params={"limit": 1}, headers=headers, timeout=30)
            answered.append((i, r.status_code))
        return answered

    def batch(start: int, count: int) -> list[tuple[int, int]]:
        half = start + count // 2
        with ThreadPoolExecutor(2) as pool:  # two clients at once
            parts = pool.map(send, [range(start, half), range(half, start + count)])
        return [a for part in parts for a in part]

    warm = batch(0, 600)
    files, memory = server.open_files(), server.rss_mb()
    rest = batch(600, 2400)
    assert [a for a in warm + rest if a[1] != 200] == [], "every request answered 200"
    # before: two more open files every three requests, until the limit; now the connection pools may grow a little
    assert server.open_files() <= files + 10, f"open files grew from {files} to {server.open_files()}"
    assert server.rss_mb() <= memory + 20, f"RSS grew from {memory:.1f} MB to {server.rss_mb():.1f} MB"
    journaled = 0
    for name in namespaces:
        entries = requests.get(
            server.url + "/__admin/requests", params={"vendor": "sigma"}, headers={"X-Mock-Namespace": name}, timeout=30
        ).json()["requests"]
        journaled += len(entries)
    assert journaled == 3 + 2000, "the logins and every vendor request are in the journals"
    assert "Traceback" not in server.stop()


def _stall(port: int, chunked: bool) -> socket.socket:
    """A POST that announces more body than it sends, then sends nothing more."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=15)
    framing = b"Transfer-Encoding: chunked\r\n\r\n40\r\n" if chunked else b"Content-Length: 64\r\n\r\n"
    conn.sendall(
        b"POST /sigma/accounts/sigma/store/uploads/1.2.3/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\n" + framing + b'{"quantity": 1'
    )
    return conn


def _read_all(conn: socket.socket) -> bytes:
    data = b""
    while chunk := conn.recv(65536):
        data += chunk
    conn.close()
    return data


def test_stalled_chunked_bodies_are_answered_408_and_free_their_threads(served):
    server = served(threads=2, request_timeout=1)
    assert server.url.startswith("http://127.0.0.1:"), "the default binds loopback"
    threads = server.threads()
    stalled = [_stall(server.port, chunked=index % 2 == 0) for index in range(5)]  # more than the pool's threads
    health = requests.get(server.url + "/__admin/health", timeout=15)
    assert health.status_code == 200
    assert server.threads() <= threads + 2, "the pool's two threads, not one a connection"
    for conn in stalled:
        answer = _read_all(conn)
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408 "), answer
        assert b"X-Mock-Explain: the request body stalled: no data for 1 s" in head
        assert json.loads(body)["error"]["code"] == "InvalidParameter", answer  # the vendor's envelope
    journal = requests.get(server.url + "/__admin/requests", params={"status": 408}, timeout=15).json()
    assert journal["total"] == 5, "each timed-out request is journaled"
    gone = _stall(server.port, chunked=False)
    gone.shutdown(socket.SHUT_WR)  # the client ends its side before the 64 bytes it announced
    head, _, body = _read_all(gone).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ") and json.loads(body)["error"]["code"] == "InvalidParameter"
    assert requests.get(server.url + "/__admin/requests", params={"status": 400}, timeout=15).json()["total"] == 1
    assert "Traceback" not in server.stop()


def test_two_hundred_namespaces_cost_no_thread_and_no_open_file_while_idle(served):
    server = served(clock="real", threads=4, max_namespaces=300)
    threads, files = server.threads(), server.open_files()

    def login(index: int) -> int:
        return requests.get(
            server.url + "/sigma/login", params=LOGIN, headers={"X-Mock-Namespace": f"n{index}"}, timeout=30
        ).status_code

    with ThreadPoolExecutor(2) as pool:
        assert set(pool.map(login, range(200))) == {200}
    bounded = threads + 4 + 4  # the request pool and the events pool filled up: no thread per namespace
    assert server.threads() <= bounded
    assert len(requests.get(server.url + "/__admin/namespaces", timeout=30).json()["namespaces"]) == 201
    # the 4 (threads) most recently used namespaces keep their connections; the others hold nothing open
    assert server.open_files() <= files + 4 * 8, f"{server.open_files()} open files, {files} at the start"
    assert "Traceback" not in server.stop()
    again = served(clock="real", threads=4, max_namespaces=300)
    names = requests.get(again.url + "/__admin/namespaces", timeout=30).json()["namespaces"]
    assert len(names) == 201
    assert again.threads() <= bounded and again.open_files() <= files + 4 * 8
