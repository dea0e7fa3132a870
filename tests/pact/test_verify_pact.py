"""`mockservers verify-pact`: consumer pacts written with pact-python, verified against the mock by pact's verifier."""

from __future__ import annotations

import json
import subprocess

import pytest

from mockservers.pytest_plugin import LiveServer
from tests.machinery import test_settings
from tests.pact.consumers import mockservers, unknown_state, write, wrong_sigma

pytestmark = pytest.mark.no_postgres_pass  # the command starts a server of its own, on memory state


def verify_pact(*args: str) -> subprocess.CompletedProcess:
    return mockservers("verify-pact", *args)


@pytest.fixture
def consumer_pacts(tmp_path):
    for vendor in ("sigma", "aliyun", "cad4tb"):
        write(vendor, tmp_path)
    return tmp_path


def test_consumer_pacts_of_every_rest_vendor_verify(consumer_pacts):
    done = verify_pact(str(consumer_pacts))
    assert done.returncode == 0, done.stdout + done.stderr
    for vendor in ("sigma", "aliyun", "cad4tb"):
        assert f"Verifying a pact between {vendor}-client and {vendor}" in done.stdout
    assert "Given a finished job for series 222.222.222" in done.stdout
    assert "FAILED" not in done.stdout
    assert done.stderr.rstrip().endswith("verify-pact: every interaction verified")


def failed_run(tmp_path, consumer, name) -> subprocess.CompletedProcess:
    done = verify_pact(str(write("sigma", tmp_path, consumer, name=name)))
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.rstrip().endswith("verify-pact: FAILED")
    return done


def test_a_wrong_expectation_fails_with_pacts_mismatch_report(tmp_path):
    done = failed_run(tmp_path, wrong_sigma, "wrong-client")
    assert "has a matching body (FAILED)" in done.stdout
    assert (
        "$.message -> Expected 'User login successfully.' (String) to be equal to 'Logged in.' (String)" in done.stdout
    )
    assert "There were 1 pact failures" in done.stdout


def test_an_unknown_provider_state_fails_listing_the_known_ones(tmp_path):
    done = failed_run(tmp_path, unknown_state, "moon-client")
    assert "the moon is full - a login - One or more of the setup state change handlers has failed" in done.stdout
    assert (
        "verify-pact: unknown provider state 'the moon is full' (sigma); known states: scenario {name}; sigma: user "
        "{user} exists in account {account}; sigma: an upload is open"
    ) in done.stderr


def test_a_running_server_by_its_url(consumer_pacts):
    server = LiveServer(test_settings(admin_token="pact-admin-token"))
    try:
        done = verify_pact(
            str(consumer_pacts / "sigma-client-sigma.json"),
            "--url",
            server.base_url,
            "--admin-token",
            "pact-admin-token",
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert server.admin.namespaces() == ["default"]  # the run's namespace is gone
        assert server.admin.requests() == []  # and nothing ran in the default one
    finally:
        server.stop()


def test_a_pact_for_a_provider_named_otherwise_needs_vendor(consumer_pacts, tmp_path):
    pact = json.loads((consumer_pacts / "sigma-client-sigma.json").read_text(encoding="utf-8"))
    pact["provider"]["name"] = "SigmaCloud"
    renamed = tmp_path / "renamed.json"
    renamed.write_text(json.dumps(pact), encoding="utf-8")
    done = verify_pact(str(renamed))
    assert done.returncode == 2
    assert "provider 'SigmaCloud' is not a vendor of this server" in done.stderr
    assert "--vendor KEY" in done.stderr
    assert verify_pact(str(renamed), "--vendor", "sigma").returncode == 0


def test_a_server_with_a_real_clock_is_named_as_the_cause(consumer_pacts):
    server = LiveServer(test_settings(clock="real"))
    try:
        done = verify_pact(str(consumer_pacts / "sigma-client-sigma.json"), "--url", server.base_url)
        assert done.returncode == 1  # "a finished job" moves the clock
        assert done.stderr.startswith(
            "verify-pact: note: the server's clock is real, so the provider states that finish a job or an analysis"
        )
    finally:
        server.stop()


@pytest.mark.parametrize(
    "args, message",
    [
        (["no-such-folder"], "verify-pact: no-such-folder: no such file or folder"),
        (["--url", "http://127.0.0.1:9", "."], "verify-pact: no mockservers server answers at http://127.0.0.1:9"),
    ],
)
def test_what_cannot_be_verified_exits_2(args, message):
    done = verify_pact(*args)
    assert done.returncode == 2
    assert message in done.stderr
