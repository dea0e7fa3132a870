"""Several `mockservers serve` processes on one PostgreSQL behave as one server."""

import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from mockservers.dicom.synthetic import dx_file
from mockservers.pytest_plugin import Admin
from mockservers.sigma.client import SigmaClient
from tests.core.test_blobs_postgres import postgres  # noqa: F401  (the fixture)

pytestmark = pytest.mark.no_postgres_pass  # it picks its own state


def serve(url: str, data_dir: str, config: str):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mockservers",
            "serve",
            "--port",
            "0",
            "--state",
            url,
            "--clock",
            "virtual",
            "--config",
            config,
            "--vendor",
            "sigma",
            "--vendor",
            "aliyun",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "MOCKSERVERS_DATA_DIR": data_dir},
    )
    line = proc.stdout.readline()
    assert "serving" in line, line + proc.stdout.read()
    return proc, line.split(" on ", 1)[1].split("/ ", 1)[0]


def test_two_servers_on_one_postgres_are_one_server(postgres, tmp_path, httpserver):  # noqa: F811
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    config = tmp_path / "mock.yaml"
    config.write_text("vendor_config:\n  sigma:\n    queue_seconds: 0\n    run_seconds: 1\n")
    first, url_a = serve(postgres, str(tmp_path), str(config))
    second, url_b = serve(postgres, str(tmp_path), str(config))
    try:
        Admin(url_a).reset()
        a = SigmaClient(url_a + "/sigma")
        a.login()
        b = SigmaClient(url_b + "/sigma")
        b.token = a.token  # a session opened through one server is live on the other
        ids = a.upload_dicom(dx_file(index=60))
        assert b.download(ids["filename"]) == dx_file(index=60)
        job_ids = [
            b.new_job(
                ids["study_id"],
                ids["series_id"],
                ids["patient_id"],
                ids["filename"],
                notify_url=httpserver.url_for("/hook"),
            )
            for _ in range(5)
        ]
        # Both servers advance the one virtual clock at once: each due event is claimed by one of them.
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda url: Admin(url).advance(1), [url_a, url_b] * 4))
        for job_id in job_ids:
            Admin(url_a).await_callback("sigma", match={"job_id": job_id}, advance=1, timeout=60)
        assert a.list_jobs(ids["series_id"])["total_number"] == 5
        received = sorted(request.get_json()["job_id"] for request, _ in httpserver.log)
        assert received == sorted(job_ids), "each callback fired once, by one of the two servers"
        assert all(len(cb["attempts"]) == 1 for cb in Admin(url_b).callbacks("sigma"))
    finally:
        for proc in (first, second):
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
            proc.stdout.close()  # its pipe, or a ResourceWarning when collected
