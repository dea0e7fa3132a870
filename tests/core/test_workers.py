"""`serve --workers N` under gunicorn and under granian: processes that share one state; every event and callback
fires once; a fault rule's dropped or truncated connection reaches the client as one."""

import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from mockservers.dicom.synthetic import dx_file
from mockservers.pytest_plugin import Admin
from mockservers.sigma.client import SigmaClient

pytestmark = pytest.mark.no_postgres_pass  # it picks its own state


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(params=["gunicorn", "granian"])
def workers(request, tmp_path):
    config = tmp_path / "mock.yaml"
    config.write_text("vendor_config:\n  sigma:\n    queue_seconds: 0\n    run_seconds: 1\n")
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mockservers",
            "serve",
            "--workers",
            "2",
            "--port",
            str(port),
            "--state",
            f"sqlite:///{tmp_path}/state.db",
            "--clock",
            "virtual",
            "--config",
            str(config),
            "--vendor",
            "sigma",
            "--vendor",
            "aliyun",
            "--server",
            request.param,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    line = proc.stdout.readline()  # printed once the socket listens
    assert f"workers 2 under {request.param}" in line, line + proc.stdout.read()
    base = f"http://127.0.0.1:{port}"
    # Workers boot after the arbiter is ready; the first answer proves one is up.
    requests.get(base + "/__admin/health", timeout=30)
    yield base
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    proc.stdout.close()  # its pipe, or a ResourceWarning when collected


def test_every_worker_sees_the_same_state_at_once(workers):
    client = SigmaClient(workers + "/sigma")
    client.login()
    token = client.token
    admin = Admin(workers)
    deadline = time.monotonic() + 60
    pids: set = set()
    # New connections until both workers (booting after the arbiter) have answered with the one token.
    while len(pids) < 2 and time.monotonic() < deadline:
        with ThreadPoolExecutor(8) as pool:
            answers = list(
                pool.map(
                    lambda _: requests.get(
                        workers + "/sigma/accounts/sigma/jobs/list/?unique_id=1.2.3",
                        timeout=30,
                        headers={"Sigma-Token": token, "Connection": "close"},
                    ).json()["data"]["total_number"],
                    range(16),
                )
            )
        assert answers == [0] * 16
        pids = {e["worker"] for e in admin.requests(vendor="sigma", status=200, limit=200)}
    assert len(pids) == 2, f"requests were served by {pids}"


def test_events_and_callbacks_fire_exactly_once(workers, httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    client = SigmaClient(workers + "/sigma")
    client.login()
    job_ids = []
    for index in range(8):
        ids = client.upload_dicom(dx_file(index=40 + index))
        job_ids.append(
            client.new_job(
                ids["study_id"],
                ids["series_id"],
                ids["patient_id"],
                ids["filename"],
                notify_url=httpserver.url_for("/hook"),
            )
        )
    admin = Admin(workers)
    # Both workers advance the one virtual clock at once, on new connections: each due event is claimed once.
    with ThreadPoolExecutor(8) as pool:
        list(
            pool.map(
                lambda _: requests.post(
                    workers + "/__admin/clock/advance", json={"seconds": 1}, timeout=60, headers={"Connection": "close"}
                ).raise_for_status(),
                range(16),
            )
        )
    for job_id in job_ids:
        admin.await_callback("sigma", match={"job_id": job_id}, advance=1, timeout=60)
    callbacks = admin.callbacks("sigma")
    assert sorted(cb["body"]["job_id"] for cb in callbacks) == sorted(job_ids)
    assert all(len(cb["attempts"]) == 1 for cb in callbacks)
    received = [request.get_json()["job_id"] for request, _ in httpserver.log]
    assert sorted(received) == sorted(job_ids), "each callback delivered exactly once"


def test_memory_state_is_refused_with_workers():
    run = subprocess.run(
        [sys.executable, "-m", "mockservers", "serve", "--workers", "2", "--state", "memory"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2 and "shared state" in run.stderr


def test_a_dropped_connection_and_a_truncated_body_reach_the_client(workers, request):
    admin = Admin(workers)
    drop = admin.add_fault({"vendor": "sigma", "path": "/sigma/login", "times": 1, "action": {"drop": True}})
    # gunicorn resets the connection; granian closes it, now and then after sending the status line
    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        requests.get(workers + "/sigma/login", timeout=10)
    admin.add_fault({"vendor": "sigma", "path": "/sigma/login", "times": 1, "action": {"truncate": 10}})
    # gunicorn sends the head and part of the body; granian, failing the body, now and then closes before the head
    cut_short = (requests.exceptions.ChunkedEncodingError,)
    if request.node.callspec.params["workers"] == "granian":
        cut_short += (requests.ConnectionError,)
    with pytest.raises(cut_short):
        requests.get(workers + "/sigma/login", timeout=10)
    answer = requests.get(workers + "/sigma/login", timeout=10)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "InvalidParameter"
    statuses = [(e["status"], e["fault_id"]) for e in admin.requests(vendor="sigma")]
    assert (0, drop["id"]) in statuses and len(statuses) == 3


def test_an_unknown_server_is_refused(tmp_path):
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mockservers",
            "serve",
            "--workers",
            "2",
            "--state",
            f"sqlite:///{tmp_path}/state.db",
            "--server",
            "uwsgi",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2 and "invalid choice: 'uwsgi'" in run.stderr
