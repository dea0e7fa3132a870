"""`mockservers seed --scenario demo`: plausible data in every state, deterministic, seeded once."""

import pytest

from mockservers.app import create_app
from mockservers.cli import main
from tests.demo_state import seeded_state
from tests.machinery import test_settings

pytestmark = pytest.mark.no_postgres_pass  # it picks its own state


def seeded(tmp_path, name, seed=0, studies=5):
    state = seeded_state(tmp_path, name, seed, studies)
    return create_app(test_settings(state=state, seed=seed), start_background=False).test_client()


def test_jobs_in_every_state_and_studies_with_findings(tmp_path, capsys):
    client = seeded(tmp_path, "a")
    assert "sigma    5 demo studies" in capsys.readouterr().out
    jobs = client.get("/__admin/jobs?vendor=sigma").json["jobs"]
    assert {j["state"] for j in jobs} == {"success", "failed", "running", "waiting"}
    studies = client.get("/__admin/studies?vendor=sigma").json["studies"]
    assert len(studies) == 5 and all(s["thumbnail"] for s in studies)
    assert client.post("/__admin/clock/advance", json={"seconds": 60}).status_code == 200
    assert {j["state"] for j in client.get("/__admin/jobs?vendor=sigma").json["jobs"]} == {"success", "failed"}


def test_same_seed_same_data(tmp_path):
    def snapshot(client):
        return sorted((j["vendor"], j["id"], j["state"]) for j in client.get("/__admin/jobs").json["jobs"]), sorted(
            (s["vendor"], s["id"]) for s in client.get("/__admin/studies").json["studies"]
        )

    first = snapshot(seeded(tmp_path, "x", seed=4))
    assert first == snapshot(seeded(tmp_path, "y", seed=4))
    assert first != snapshot(seeded(tmp_path, "z", seed=5))


def test_seeding_twice_adds_nothing(tmp_path, capsys):
    seeded(tmp_path, "twice", studies=3)
    client = seeded(tmp_path, "twice", studies=3)
    assert "already" in capsys.readouterr().out
    assert len(client.get("/__admin/jobs?vendor=sigma").json["jobs"]) == 3


def test_bad_arguments(tmp_path):
    assert main(["seed", "--scenario", "demo", "--studies", "0", "--state", f"sqlite:///{tmp_path}/s.db"]) == 2
    with pytest.raises(SystemExit):
        main(["seed", "--scenario", "nothing"])


def test_a_namespace_refused_is_a_message_not_a_traceback(tmp_path, monkeypatch, capsys):
    state = f"sqlite:///{tmp_path}/s.db"
    assert main(["seed", "--scenario", "demo", "--studies", "1", "--state", state, "--namespace", "bad name"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("--namespace: X-Mock-Namespace: 'bad name' is not a namespace name")
    assert "Traceback" not in err
    monkeypatch.setenv("MOCKSERVERS_MAX_NAMESPACES", "1")
    assert main(["seed", "--scenario", "demo", "--studies", "1", "--state", state, "--namespace", "other"]) == 2
    assert capsys.readouterr().err.startswith("--namespace: ")
