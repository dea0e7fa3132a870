"""Callbacks against live servers: one namespace cannot reach the control plane through a callback, and a
SIGKILL in the middle of a send shows as two attempts of one delivery id, the receiver getting it twice."""

from __future__ import annotations

import contextlib
import os
import signal
import threading

import requests
from werkzeug import Response

from mockservers.core.callbacks import DELIVERY_HEADER
from mockservers.dicom.synthetic import dx_file
from mockservers.pytest_plugin import Admin
from mockservers.sigma.client import SigmaClient
from tests.e2e.test_sigma_e2e import _start_server


def test_a_notify_url_at_the_admin_reset_of_the_server_wipes_nothing(mock_server):
    rule = mock_server.admin.add_fault(
        {"vendor": "sigma", "method": "GET", "path": "/sigma/nowhere/", "action": {"status": 500}}
    )
    victim = SigmaClient(mock_server.url("sigma"))
    victim.login()
    stored = victim.upload_dicom(dx_file(index=3))
    intruder = mock_server.namespace("intruder")
    intruder.admin.reset()
    caller = SigmaClient(intruder.url("sigma"), session=intruder.session)
    caller.login()
    ids = caller.upload_dicom(dx_file(index=4))
    caller.new_job(
        ids["study_id"],
        ids["series_id"],
        ids["patient_id"],
        ids["filename"],
        notify_url=f"{mock_server.base_url}/__admin/reset",
    )
    intruder.admin.advance(3600)
    assert mock_server.admin.faults() == [rule]
    assert victim.download(stored["filename"]) == dx_file(index=3)
    [cb] = intruder.admin.callbacks("sigma")
    assert cb["state"] == "refused" and [a["error"] for a in cb["attempts"]] == [
        "refused: /__admin is the mock's control plane, never a callback target"
    ]
    again = intruder.admin.redeliver(cb["id"])
    assert again["state"] == "refused" and len(again["attempts"]) == 2 and again["attempts"][1]["redelivery"]
    assert mock_server.admin.faults() == [rule]


def test_the_receiver_sees_its_attempt_in_state_sending(mock_server, httpserver):
    seen = []

    def receiver(request):
        seen.append([(a["state"], a["status"]) for cb in mock_server.admin.callbacks("sigma") for a in cb["attempts"]])
        return Response("ok")

    httpserver.expect_request("/notify", method="POST").respond_with_handler(receiver)
    client = SigmaClient(mock_server.url("sigma"))
    client.login()
    ids = client.upload_dicom(dx_file(index=7))
    client.new_job(
        ids["study_id"], ids["series_id"], ids["patient_id"], ids["filename"], notify_url=httpserver.url_for("/notify")
    )
    mock_server.admin.advance(60)
    assert seen == [[("sending", None)]]
    [cb] = mock_server.admin.callbacks("sigma")
    assert [(a["state"], a["status"]) for a in cb["attempts"]] == [("done", 200)]


def test_a_sigkill_while_sending_shows_two_attempts_of_one_delivery(tmp_path, httpserver):
    arrived, release = threading.Event(), threading.Event()
    received: list[str | None] = []

    def receiver(request):
        received.append(request.headers.get(DELIVERY_HEADER))
        if len(received) == 1:
            arrived.set()
            release.wait(30)
        return Response("ok")

    httpserver.expect_request("/notify", method="POST").respond_with_handler(receiver)
    state = f"sqlite:///{tmp_path}/state.db"
    env = {**os.environ, "MOCKSERVERS_DATA_DIR": str(tmp_path)}
    proc, base = _start_server(state, env)
    advancing = None
    try:
        client = SigmaClient(base + "/sigma")
        client.login()
        ids = client.upload_dicom(dx_file(index=6))
        client.new_job(
            ids["study_id"],
            ids["series_id"],
            ids["patient_id"],
            ids["filename"],
            notify_url=httpserver.url_for("/notify"),
        )

        def advance():
            with contextlib.suppress(requests.ConnectionError):  # the server is killed while this call waits
                Admin(base).advance(60)

        advancing = threading.Thread(target=advance)
        advancing.start()
        assert arrived.wait(30), "the callback never reached the receiver"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()  # its pipe, or a ResourceWarning when collected
        release.set()
        if advancing is not None:
            advancing.join(30)
    proc, base = _start_server(state, env)
    try:
        Admin(base).advance(60)
        [cb] = Admin(base).callbacks("sigma")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        proc.stdout.close()  # its pipe, or a ResourceWarning when collected
    assert len(received) == 2 and received[0] == received[1] == cb["headers"][DELIVERY_HEADER]
    assert cb["state"] == "delivered"
    assert [(a["state"], a["status"]) for a in cb["attempts"]] == [("sending", None), ("done", 200)]
