"""X-Mock-Namespace: each namespace has its own state, journal, clock, seed, faults and callbacks."""

import base64

import pytest

from mockservers.app import create_app
from tests.machinery import test_settings

LOGIN = {"account_name": "sigma", "user_name": "test", "password": base64.urlsafe_b64encode(b"123456").decode()}


def ns(name):
    return {"X-Mock-Namespace": name}


def token(client, name):
    return client.get("/sigma/login", query_string=LOGIN, headers=ns(name)).json["data"]["user_info"]["token"]


def test_state_is_per_namespace(client):
    a = token(client, "team-a")
    assert (
        client.get(
            "/sigma/accounts/sigma/jobs/list/?unique_id=1", headers={"Sigma-Token": a, **ns("team-a")}
        ).status_code
        == 200
    )
    other = client.get("/sigma/accounts/sigma/jobs/list/?unique_id=1", headers={"Sigma-Token": a, **ns("team-b")})
    assert other.status_code == 401 and other.json["error"]["code"] == "InvalidToken"
    default = client.get("/sigma/accounts/sigma/jobs/list/?unique_id=1", headers={"Sigma-Token": a})
    assert default.status_code == 401


def test_seed_differs_per_namespace_and_is_stable(client):
    assert token(client, "x") != token(client, "y")
    again = create_app(test_settings(), start_background=False).test_client()
    assert token(again, "x") == token(client, "x")


def test_journal_clock_and_faults_are_per_namespace(client):
    client.post("/__admin/faults", json={"action": {"status": 503}}, headers=ns("broken"))
    assert client.get("/sigma/login", query_string=LOGIN, headers=ns("broken")).status_code == 503
    assert client.get("/sigma/login", query_string=LOGIN, headers=ns("fine")).status_code == 200
    client.post("/__admin/clock/advance", json={"seconds": 3600}, headers=ns("broken"))
    assert client.get("/__admin/clock", headers=ns("broken")).json["iso"] == "2026-01-01T01:00:00Z"
    assert client.get("/__admin/clock", headers=ns("fine")).json["iso"] == "2026-01-01T00:00:00Z"
    assert len(client.get("/__admin/requests", headers=ns("broken")).json["requests"]) == 1
    assert client.get("/__admin/requests").json["requests"] == []
    assert set(client.get("/__admin/namespaces").json["namespaces"]) >= {"default", "broken", "fine"}


def test_reset_touches_only_its_namespace(client):
    token(client, "keep")
    token(client, "drop")
    client.post("/__admin/reset", headers=ns("drop"))
    assert client.get("/__admin/requests", headers=ns("drop")).json["requests"] == []
    assert len(client.get("/__admin/requests", headers=ns("keep")).json["requests"]) == 1


@pytest.mark.parametrize("name", ["../etc", "a b", "-x", "x" * 64])
def test_bad_namespace_names(client, name):
    vendor = client.get("/sigma/login", query_string=LOGIN, headers=ns(name))
    assert vendor.status_code == 400 and vendor.json["error"]["code"] == "InvalidParameter"
    assert "X-Mock-Namespace" in vendor.headers["X-Mock-Explain"]
    admin = client.get("/__admin/requests", headers=ns(name))
    assert admin.status_code == 400 and "X-Mock-Namespace" in admin.json["error"]
    assert name not in client.get("/__admin/namespaces").json["namespaces"]


def test_namespaces_persist_in_sqlite_across_restarts(tmp_path):
    settings = test_settings(state=f"sqlite:///{tmp_path}/state.db")
    app = create_app(settings, start_background=False)
    tok = token(app.test_client(), "durable")
    app.extensions["mockservers.namespaces"].close()
    again = create_app(settings, start_background=False)
    assert "durable" in again.extensions["mockservers.namespaces"].names()
    c = again.test_client()
    ok = c.get("/sigma/accounts/sigma/jobs/list/?unique_id=1", headers={"Sigma-Token": tok, **ns("durable")})
    assert ok.status_code == 200
    assert (tmp_path / "namespaces" / "durable.db").exists()


def test_live_server_namespaces_through_the_plugin(mock_server):
    from mockservers.sigma.client import SigmaClient

    a, b = mock_server.namespace("plugin-a"), mock_server.namespace("plugin-b")
    SigmaClient(a.url("sigma"), session=a.session).login()
    assert len(a.admin.requests(vendor="sigma")) == 1
    assert b.admin.requests(vendor="sigma") == []
    a.admin.reset()


def test_a_namespace_past_max_namespaces_is_refused_and_nothing_is_made(tmp_path):
    app = create_app(test_settings(state=f"sqlite:///{tmp_path}/state.db", max_namespaces=3), start_background=False)
    c = app.test_client()
    token(c, "one")
    token(c, "two")  # with the default one, three
    vendor = c.get("/sigma/login", query_string=LOGIN, headers=ns("three"))
    assert vendor.status_code == 400 and vendor.json["error"]["code"] == "InvalidParameter"
    assert vendor.headers["X-Mock-Explain"] == (
        "X-Mock-Namespace: 'three' would be one namespace more than the 3 this server holds (max_namespaces); "
        "delete one with DELETE /__admin/namespaces/NAME"
    )
    admin = c.get("/__admin/clock", headers=ns("three"))
    assert admin.status_code == 400 and admin.json["error"] == vendor.headers["X-Mock-Explain"]
    assert c.get("/__admin/namespaces").json["namespaces"] == ["default", "one", "two"]
    assert not (tmp_path / "namespaces" / "three.db").exists() and not (tmp_path / "namespaces" / "three").exists()
    assert token(c, "one"), "the namespaces it holds still answer"
    assert c.delete("/__admin/namespaces/two").status_code == 200
    assert token(c, "three"), "room again once one is deleted"
    app.extensions["mockservers.namespaces"].close()


def test_delete_forgets_a_namespace(client):
    name = "doomed"
    tok = token(client, name)
    client.post("/__admin/faults", json={"action": {"status": 503}, "path": "/nowhere"}, headers=ns(name))
    assert name in client.get("/__admin/namespaces").json["namespaces"]
    deleted = client.delete(f"/__admin/namespaces/{name}")
    assert deleted.status_code == 200 and deleted.json == {"status": "ok", "deleted": name}
    assert name not in client.get("/__admin/namespaces").json["namespaces"]
    assert client.get("/__admin/requests", headers=ns(name)).json["requests"] == []
    assert client.get("/__admin/faults", headers=ns(name)).json["faults"] == []
    again = client.get("/sigma/accounts/sigma/jobs/list/?unique_id=1", headers={"Sigma-Token": tok, **ns(name)})
    assert again.status_code == 401, "a namespace of that name starts empty"


def test_delete_of_an_unknown_namespace_is_404_and_of_the_default_400(client):
    unknown = client.delete("/__admin/namespaces/never-made")
    assert unknown.status_code == 404 and unknown.json == {"error": "no namespace 'never-made'"}
    default = client.delete("/__admin/namespaces/default")
    assert default.status_code == 400
    assert default.json == {"error": "the default namespace cannot be deleted; POST /__admin/reset empties it"}
    assert "default" in client.get("/__admin/namespaces").json["namespaces"]


def test_a_deleted_namespace_does_not_come_back_after_a_restart(tmp_path):
    settings = test_settings(state=f"sqlite:///{tmp_path}/state.db")
    app = create_app(settings, start_background=False)
    c = app.test_client()
    token(c, "gone")
    token(c, "kept")
    c.post("/__admin/snapshots", headers=ns("gone"))
    assert (tmp_path / "namespaces" / "gone.db").exists() and (tmp_path / "namespaces" / "gone").is_dir()
    assert c.delete("/__admin/namespaces/gone").status_code == 200
    assert not any(p.name.startswith("gone") for p in (tmp_path / "namespaces").iterdir()), "file, WAL, folder"
    app.extensions["mockservers.namespaces"].close()
    again = create_app(settings, start_background=False)
    assert again.extensions["mockservers.namespaces"].names() == ["default", "kept"]
    assert not any(p.name.startswith("gone") for p in (tmp_path / "namespaces").iterdir())
    again.extensions["mockservers.namespaces"].close()
