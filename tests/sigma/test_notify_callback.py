"""notify_url: a job whose notify_url the mock may not call is accepted; the callback is refused, never sent."""


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
