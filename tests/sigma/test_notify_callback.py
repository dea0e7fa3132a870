"""notify_url: called after success (after a failure too with sigma_notify_on_failure); a job whose notify_url the
mock may not call is accepted, and the callback refused, never sent."""

from tests.sigma.conftest import FAIL_NEXT_JOB


def test_a_notify_url_outside_callback_allow_is_accepted_but_never_called(sigma, dx, client):
    ds = sigma.upload(dx)
    response = sigma.new_job(ds, notify="1", notify_url="http://203.0.113.5/notify")
    assert response.status_code == 200 and response.json["data"]["job_id"]
    sigma.advance(60)
    assert sigma.get_job(response.json["data"]["job_id"]).json["data"]["status"] == "success"
    [cb] = client.get("/__admin/callbacks", query_string={"vendor": "sigma"}).json["callbacks"]
    assert cb["state"] == "refused" and [a["error"] for a in cb["attempts"]] == [
        "refused: 203.0.113.5 is not in callback_allow (set MOCKSERVERS_CALLBACK_ALLOW to allow it)"
    ]


def test_a_notify_url_at_the_control_plane_is_accepted_but_never_called(sigma, dx, client, httpserver):
    ds = sigma.upload(dx)
    response = sigma.new_job(ds, notify="1", notify_url=httpserver.url_for("/__admin/reset"))
    assert response.status_code == 200
    sigma.advance(60)
    [cb] = client.get("/__admin/callbacks").json["callbacks"]
    assert cb["state"] == "refused" and len(httpserver.log) == 0
    assert cb["attempts"][0]["error"] == "refused: /__admin is the mock's control plane, never a callback target"


def _callbacks(client):
    return client.get("/__admin/callbacks", query_string={"vendor": "sigma"}).json["callbacks"]


def test_notify_comes_after_success_only(sigma, dx, client, httpserver):
    """notify: 是否在计算成功后通知调用方: a failed job is not called back (unless sigma_notify_on_failure)."""
    httpserver.expect_request("/notify", method="POST").respond_with_data("ok")
    ds = sigma.upload(dx)
    assert client.post("/__admin/faults", json=FAIL_NEXT_JOB).status_code == 201
    failing = sigma.new_job(ds, notify="1", notify_url=httpserver.url_for("/notify")).json["data"]["job_id"]
    passing = sigma.new_job(ds, notify="1", notify_url=httpserver.url_for("/notify")).json["data"]["job_id"]
    sigma.advance(60)
    assert sigma.get_job(failing).json["data"]["status"] == "failed"
    [callback] = _callbacks(client)
    assert callback["body"]["job_id"] == passing and callback["body"]["status"] == "success"
    assert callback["state"] == "delivered"
    [(request, _)] = httpserver.log
    assert request.get_json()["job_id"] == passing


def test_failure_notification_is_a_setting(sigma_with, dx, httpserver):
    httpserver.expect_request("/notify", method="POST").respond_with_data("ok")
    sigma = sigma_with(sigma_notify_on_failure=True)
    ds = sigma.upload(dx)
    assert sigma.c.post("/__admin/faults", json=FAIL_NEXT_JOB).status_code == 201
    job_id = sigma.new_job(ds, notify="1", notify_url=httpserver.url_for("/notify")).json["data"]["job_id"]
    sigma.advance(60)
    [callback] = _callbacks(sigma.c)
    body = callback["body"]
    assert body["job_id"] == job_id and body["status"] == "failed" and body["result_file"] == ""
    assert body["error"]["code"] == "InternalServerError"
    assert callback["state"] == "delivered"
