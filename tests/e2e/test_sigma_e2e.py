"""The thin client drives a live server; a real local HTTP receiver gets the notify_url callback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from mockservers.dicom.synthetic import dx_file
from mockservers.pytest_plugin import Admin
from mockservers.sigma.client import SigmaAPIError, SigmaClient


def test_whole_flow_through_the_thin_client(mock_server, httpserver):
    httpserver.expect_request("/notify", method="POST").respond_with_json({"ok": True})
    client = SigmaClient(mock_server.url("sigma"))
    client.login()
    ids = client.upload_dicom(dx_file(index=1), name="C:\\data\\chest.dcm")
    assert ids["filename"] == "chest.dcm" and "store_id" in ids
    job_id = client.new_job(
        ids["study_id"],
        ids["series_id"],
        ids["patient_id"],
        ids["filename"],
        notify_url=httpserver.url_for("/notify"),
        notify_info={"ticket": "T-1"},
    )
    job = client.wait_for_job(job_id, interval=5, sleep=mock_server.admin.advance)
    assert job["status"] == "success"
    [(request, _)] = httpserver.log
    callback = request.get_json()
    assert callback["job_id"] == job_id and callback["notify_info"] == {"ticket": "T-1"}
    assert callback["result_file"] == f"{ids['series_id']}.json"
    result = client.result(ids["series_id"])
    assert result["job_id"] == job_id and result["image"]["filename"] == "chest.dcm"
    assert client.download("chest.dcm") == dx_file(index=1)
    assert client.list_jobs(ids["series_id"])["total_number"] == 1
    assert client.study_list(patient_id=ids["patient_id"])["total_study_count"] == 1
    [cb] = mock_server.admin.callbacks("sigma")
    assert cb["state"] == "delivered" and cb["attempts"][0]["status"] == 200
    client.logout()
    with pytest.raises(SigmaAPIError) as err:
        client.get_job(job_id)
    assert err.value.code == "InvalidToken" and err.value.status == 401


def test_client_raises_the_vendor_error_with_both_messages(mock_server):
    client = SigmaClient(mock_server.url("sigma"))
    client.login()
    with pytest.raises(SigmaAPIError) as err:
        client.get_job("job-00000000-0000-0000-0000-000000000000")
    assert err.value.code == "InternalServerError" and err.value.message_chs == "服务内部错误"
    assert "the job is not exist or deleted" in err.value.message


def test_callback_to_a_receiver_that_fails_is_retried(mock_server, httpserver):
    from werkzeug import Response

    answers = iter([503, 503, 200])
    httpserver.expect_request("/notify").respond_with_handler(lambda r: Response("", status=next(answers)))
    client = SigmaClient(mock_server.url("sigma"))
    client.login()
    ids = client.upload_dicom(dx_file(index=2))
    job_id = client.new_job(
        ids["study_id"], ids["series_id"], ids["patient_id"], ids["filename"], notify_url=httpserver.url_for("/notify")
    )
    mock_server.admin.advance(600)
    [cb] = mock_server.admin.callbacks("sigma")
    assert [a["status"] for a in cb["attempts"]] == [503, 503, 200] and cb["state"] == "delivered"
    assert cb["body"]["job_id"] == job_id


def test_hard_coded_vendor_url_through_vendor_session(vendor_session, mock_app):
    client = SigmaClient("https://api.12sigma.ai", session=vendor_session)
    client.login()
    ids = client.upload_dicom(dx_file(index=4))
    job_id = client.new_job(ids["study_id"], ids["series_id"], ids["patient_id"], ids["filename"])
    mock_app.extensions["mockservers"].advance(600)
    assert client.get_job(job_id)["status"] == "success"


def _start_server(state_url: str, env: dict) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mockservers",
            "serve",
            "--port",
            "0",
            "--state",
            state_url,
            "--clock",
            "virtual",
            "--vendor",
            "sigma",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    line = proc.stdout.readline()  # printed once the socket is bound
    assert "serving" in line, line + proc.stdout.read()
    return proc, line.split(" on ", 1)[1].split("/ ", 1)[0]


def test_sigkill_and_restart_keeps_acknowledged_work_and_fires_due_callbacks(tmp_path, httpserver):
    httpserver.expect_request("/notify", method="POST").respond_with_data("ok")
    state = f"sqlite:///{tmp_path}/state.db"
    env = {**os.environ, "MOCKSERVERS_DATA_DIR": str(tmp_path)}
    proc, base = _start_server(state, env)
    try:
        client = SigmaClient(base + "/sigma")
        client.login()
        ids = client.upload_dicom(dx_file(index=5))
        job_id = client.new_job(
            ids["study_id"],
            ids["series_id"],
            ids["patient_id"],
            ids["filename"],
            notify_url=httpserver.url_for("/notify"),
        )
        Admin(base).advance(3)  # running, not finished
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()  # its pipe, or a ResourceWarning when collected
    proc, base = _start_server(state, env)
    try:
        client.base_url = base + "/sigma"
        assert client.get_job(job_id)["status"] == "running"
        assert client.download(ids["filename"]) == dx_file(index=5)
        Admin(base).advance(600)
        assert client.get_job(job_id)["status"] == "success"
        [(request, _)] = httpserver.log
        assert request.get_json()["job_id"] == job_id
        assert json.loads(client.download(f"{ids['series_id']}.json"))["job_id"] == job_id
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        proc.stdout.close()  # its pipe, or a ResourceWarning when collected
