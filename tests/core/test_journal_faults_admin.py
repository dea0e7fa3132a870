import pytest

from mockservers.app import create_app
from tests.machinery import test_settings


def test_health_lists_the_vendors(client):
    body = client.get("/__admin/health").json
    assert body["status"] == "ok" and "sigma" in body["vendors"]


def test_journal_records_requests_and_is_bounded():
    app = create_app(test_settings(journal_size=3), start_background=False)
    c = app.test_client()
    for n in range(5):
        c.get(f"/sigma/login?account_name=a{n}", headers={"Cookie": "secret"})
    entries = c.get("/__admin/requests").json["requests"]
    assert len(entries) == 3
    newest = entries[0]
    assert newest["method"] == "GET" and newest["path"] == "/sigma/login" and newest["query"] == "account_name=a4"
    assert newest["status"] == 400 and newest["vendor"] == "sigma" and "InvalidParameter" in newest["response_body"]
    assert "Cookie" not in newest["headers"] and newest["duration_ms"] >= 0
    assert newest["explain"] == "user_name: missing, it is required"


def test_journal_filters(client):
    client.get("/sigma/login")
    client.delete("/sigma/logout")
    assert [e["method"] for e in client.get("/__admin/requests?method=DELETE").json["requests"]] == ["DELETE"]
    assert len(client.get("/__admin/requests?path=/sigma/*").json["requests"]) == 2
    assert client.get("/__admin/requests?vendor=other").json["requests"] == []
    assert client.get("/__admin/requests?status=x").status_code == 400


def test_reset_forgets_everything(client):
    client.get("/sigma/login")
    client.post("/__admin/faults", json={"action": {"status": 503}})
    client.post("/__admin/clock/advance", json={"seconds": 100})
    assert client.post("/__admin/reset").status_code == 200
    assert client.get("/__admin/requests").json["requests"] == []
    assert client.get("/__admin/faults").json["faults"] == []
    assert client.get("/__admin/clock").json["iso"] == "2026-01-01T00:00:00Z"


def test_fault_rules_crud_and_counting(client):
    rule = client.post(
        "/__admin/faults",
        json={"vendor": "sigma", "path": "/sigma/login", "after": 1, "times": 1, "action": {"status": 503}},
    ).json
    statuses = [client.get("/sigma/login").status_code for _ in range(3)]
    assert statuses == [400, 503, 400]
    listed = client.get("/__admin/faults").json["faults"]
    assert listed[0]["id"] == rule["id"] and listed[0]["seen"] == 3 and listed[0]["fired"] == 1
    assert client.delete(f"/__admin/faults/{rule['id']}").status_code == 200
    assert client.delete(f"/__admin/faults/{rule['id']}").status_code == 404
    client.post("/__admin/faults", json={"action": {"status": 500}})
    assert client.delete("/__admin/faults").status_code == 200 and client.get("/__admin/faults").json["faults"] == []


def test_fault_matching_on_request_fields(client):
    client.post("/__admin/faults", json={"vendor": "sigma", "match": {"user_name": "test"}, "action": {"status": 418}})
    assert client.get("/sigma/login?user_name=other").status_code == 400
    assert client.get("/sigma/login?user_name=test").status_code == 418


def test_probability_is_seeded_and_repeatable():
    def run():
        app = create_app(test_settings(seed=3), start_background=False)
        c = app.test_client()
        c.post("/__admin/faults", json={"probability": 0.5, "action": {"status": 503}})
        return [c.get("/sigma/login").status_code for _ in range(20)]

    first = run()
    assert first == run() and 503 in first and 400 in first


@pytest.mark.parametrize(
    "rule, fragment",
    [
        ([], "JSON object"),
        ({}, "action"),
        ({"action": {"explode": 1}}, "unknown action"),
        ({"action": {"status": 42}}, "status"),
        ({"action": {"delay_ms": -1}}, "delay_ms"),
        ({"action": {"callback": "bounce"}}, "callback"),
        ({"times": -1, "action": {"status": 500}}, "times"),
        ({"probability": 2, "action": {"status": 500}}, "probability"),
        ({"vendor": "nope", "action": {"status": 500}}, "vendor"),
        ({"action": {"error": "InvalidParameter"}}, "vendor"),
    ],
)
def test_bad_fault_rules_are_refused(client, rule, fragment):
    response = client.post("/__admin/faults", json=rule)
    assert response.status_code == 400 and fragment in response.json["error"]
    assert client.get("/__admin/faults").json["faults"] == []


def test_delay_fault_is_real_latency(client):
    client.post("/__admin/faults", json={"action": {"delay_ms": 50}, "times": 1})
    client.get("/sigma/login")
    assert client.get("/__admin/requests").json["requests"][0]["duration_ms"] >= 50


def test_drop_resets_the_connection_on_a_live_server(mock_server):
    import requests

    mock_server.admin.add_fault({"vendor": "sigma", "times": 1, "action": {"drop": True}})
    with pytest.raises(requests.ConnectionError):
        requests.get(mock_server.url("sigma") + "/login", timeout=10)
    assert requests.get(mock_server.url("sigma") + "/login", timeout=10).status_code == 400


def test_unknown_root_path_is_json_404(client):
    response = client.get("/__nothing-here")  # "/<name>" alone is an OSS bucket once aliyun is served
    assert response.status_code == 404 and response.is_json


def test_routes_command_lists_every_url(capsys):
    from mockservers.cli import main

    assert main(["routes"]) == 0
    out = capsys.readouterr().out
    assert "/sigma/accounts/<account>/jobs/<job_id>/" in out and "/__admin/clock/advance" in out


def test_latency_from_a_distribution_is_seeded(client):
    client.post("/__admin/faults", json={"action": {"delay_ms": {"min": 20, "max": 40}}, "times": 2})
    client.get("/sigma/login")
    client.get("/sigma/login")
    durations = [e["duration_ms"] for e in client.get("/__admin/requests").json["requests"]]
    assert all(d >= 20 for d in durations)


@pytest.mark.parametrize("delay", [{"min": 5}, {"min": 9, "max": 1}, {"mean": -1, "stddev": 1}, "10", True])
def test_bad_latency_is_refused(client, delay):
    response = client.post("/__admin/faults", json={"action": {"delay_ms": delay}})
    assert response.status_code == 400 and "delay_ms" in response.json["error"]


def test_truncated_body_on_a_live_server(mock_server):
    import requests

    mock_server.admin.add_fault({"vendor": "sigma", "times": 1, "action": {"truncate": 10}})
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(mock_server.url("sigma") + "/login", timeout=10)
    assert requests.get(mock_server.url("sigma") + "/login", timeout=10).json()["error"]["code"] == "InvalidParameter"


def test_a_dropped_connection_is_journaled_with_its_rule(mock_server):
    import requests

    rule = mock_server.admin.add_fault({"vendor": "sigma", "times": 1, "action": {"drop": True}})
    with pytest.raises(requests.ConnectionError):
        requests.get(mock_server.url("sigma") + "/login", timeout=10)
    [entry] = mock_server.admin.requests(vendor="sigma")
    assert entry["status"] == 0 and entry["fault_id"] == rule["id"] and entry["response_body"] == "<connection dropped>"


def test_vendor_fault_actions_are_checked_by_the_vendor(client, monkeypatch):
    from mockservers.sigma.vendor import SigmaVendor

    monkeypatch.setattr(
        SigmaVendor,
        "fault_actions",
        lambda self: {"wobble": lambda v: None if isinstance(v, int) else "a whole number"},
    )
    ok = client.post("/__admin/faults", json={"vendor": "sigma", "action": {"wobble": 2}})
    assert ok.status_code == 201
    bad = client.post("/__admin/faults", json={"vendor": "sigma", "action": {"wobble": "x"}})
    assert bad.status_code == 400 and bad.json["error"] == "'wobble': a whole number"
    other = client.post("/__admin/faults", json={"action": {"wobble": 2}})
    assert other.status_code == 400 and "unknown action" in other.json["error"]
