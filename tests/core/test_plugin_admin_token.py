"""The pytest plugin against a server with an admin token: its helper and fixtures send it."""

import os
import pathlib
import subprocess
import sys
import textwrap

import pytest
import requests

from mockservers.pytest_plugin import Admin, LiveServer, Server
from tests.machinery import test_settings

pytestmark = pytest.mark.no_postgres_pass  # the servers here pick their own state

TOKEN = "plugin-admin-token"
ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def guarded_server():
    server = LiveServer(test_settings(admin_token=TOKEN))
    yield server
    server.stop()


def test_the_admin_helper_sends_the_token(guarded_server):
    admin = Admin(guarded_server.base_url, token=TOKEN)
    admin.reset()
    assert admin.advance(5)["mode"] == "virtual"
    assert admin.requests() == [] and admin.faults() == []
    with pytest.raises(AssertionError, match="answered 401"):
        Admin(guarded_server.base_url).requests()
    with pytest.raises(AssertionError, match="answered 401"):
        Admin(guarded_server.base_url, token="wrong").requests()


def test_the_token_goes_only_to_admin_calls(guarded_server):
    """A session handed to Admin also carries vendor calls: the token is sent per admin call, not kept on it."""
    session = requests.Session()
    Admin(guarded_server.base_url, session=session, token=TOKEN).reset()
    assert "Authorization" not in session.headers


def test_a_server_and_its_namespaces_send_it(guarded_server):
    server = Server(guarded_server.base_url, token=TOKEN)
    space = server.namespace("plugin-token")
    space.admin.reset()
    space.session.get(
        space.url("sigma") + "/login",
        params={"account_name": "sigma", "user_name": "test", "password": "MTIzNDU2"},
        timeout=10,
    )
    assert [e["status"] for e in space.admin.requests(vendor="sigma")] == [200]
    server.expect_requests(vendor="sigma", count=0)  # the default namespace saw nothing
    assert guarded_server.admin.token == TOKEN  # a LiveServer started with a token uses it


SUITE = """
import requests

def test_mock_server(mock_server):
    mock_server.admin.advance(1)
    assert mock_server.admin.requests() == []
    space = mock_server.namespace("inner")
    space.admin.reset()
    assert requests.get(mock_server.url() + "/__admin/requests", timeout=10).status_code == 401

def test_mock_client(mock_client):
    assert mock_client.get("/__admin/requests").status_code == 200
    assert mock_client.get("/sigma/login").status_code == 400
"""


def run_suite(tmp_path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(SUITE))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "mockservers.pytest_plugin",
            "--rootdir",
            str(tmp_path),
            str(tmp_path / "test_inner.py"),
            *args,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        # only the plugin the suite uses: the venv's others (schemathesis, Playwright, Pact) take seconds to load
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", **(env or {})},
    )


def assert_green(tmp_path, *args: str, env: dict) -> None:
    """mock_server's test as it is, and mock_client's with --mock-live (which runs only tests using it)."""
    for extra, expected in (
        (("-k", "mock_server"), "1 passed"),
        (("-p", "tests.machinery.live", "--mock-live"), "1 passed, 1 deselected"),
    ):
        run = run_suite(tmp_path, *args, *extra, env=env)
        assert run.returncode == 0 and expected in run.stdout, run.stdout[-3000:] + run.stderr[-2000:]


@pytest.mark.parametrize("how", ["option", "env"])
def test_the_fixtures_send_it_to_a_shared_server(guarded_server, tmp_path, how):
    args = ["--mock-server-url", guarded_server.base_url]
    if how == "option":
        assert_green(tmp_path, *args, "--mock-admin-token", TOKEN, env={"MOCKSERVERS_ADMIN_TOKEN": ""})
    else:
        assert_green(tmp_path, *args, env={"MOCKSERVERS_ADMIN_TOKEN": TOKEN})


def test_the_server_the_plugin_starts_requires_the_token_it_is_given(tmp_path):
    assert_green(tmp_path, "--mock-admin-token", TOKEN, env={"MOCKSERVERS_ADMIN_TOKEN": ""})


def test_without_the_token_the_fixtures_are_refused(guarded_server, tmp_path):
    run = run_suite(
        tmp_path, "--mock-server-url", guarded_server.base_url, "-k", "mock_server", env={"MOCKSERVERS_ADMIN_TOKEN": ""}
    )
    assert run.returncode == 1 and "answered 401" in run.stdout, run.stdout[-3000:]
