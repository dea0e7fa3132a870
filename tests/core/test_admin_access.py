"""`serve --admin-token`: /__admin and the dashboard answer only callers that send it; vendors never need it."""

import base64
import signal
import socket
import subprocess
import sys

import pytest
import requests

from mockservers import cli
from mockservers.admin.access import exposure_warning
from mockservers.app import create_app
from mockservers.settings import load_settings
from tests.machinery import test_settings

TOKEN = "s3cret-admin-token"
GOOD = {"Authorization": f"Bearer {TOKEN}"}
GUARDED = [
    ("GET", "/__admin/requests"),
    ("POST", "/__admin/reset"),
    ("GET", "/__admin/clock"),
    ("GET", "/__admin/faults"),
    ("DELETE", "/__admin/faults"),
    ("GET", "/__admin/namespaces"),
    ("GET", "/__admin/callbacks"),
    ("GET", "/__admin/studies"),
    ("GET", "/__admin/no-such-call"),
    ("GET", "/"),
    ("GET", "/__admin/ui"),
]
WRONG = [
    {},
    {"Authorization": "Bearer wrong"},
    {"Authorization": f"Bearer {TOKEN}x"},
    {"Authorization": f"Basic {base64.b64encode(f'admin:{TOKEN}'.encode()).decode()}"},
    {"Authorization": TOKEN},
    {"Authorization": "Bearer "},
    {"Authorization": "Bearer s3crét"},
]


@pytest.fixture
def guarded():
    app = create_app(test_settings(admin_token=TOKEN), start_background=False)
    yield app.test_client()
    app.extensions["mockservers.namespaces"].close()


@pytest.mark.parametrize("method, path", GUARDED)
@pytest.mark.parametrize("headers", WRONG, ids=["none", "wrong", "longer", "basic", "no-scheme", "empty", "non-ascii"])
def test_401_without_the_token(guarded, method, path, headers):
    response = guarded.open(path, method=method, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="mockservers"')
    assert response.is_json and set(response.json) == {"error"}
    expected = (
        "the admin token is wrong"
        if headers.get("Authorization", "").startswith("Bearer ") and headers["Authorization"] != "Bearer "
        else "this server's /__admin needs 'Authorization: Bearer <admin token>' (serve --admin-token)"
    )
    assert response.json["error"] == expected


@pytest.mark.parametrize("method, path", [g for g in GUARDED if g[1] != "/__admin/no-such-call"])
def test_200_with_the_token(guarded, method, path):
    response = guarded.open(path, method=method, headers=GOOD)
    assert response.status_code == 200, response.get_data(as_text=True)


def test_the_scheme_is_case_insensitive(guarded):
    assert guarded.get("/__admin/clock", headers={"Authorization": f"bearer {TOKEN}"}).status_code == 200


def test_an_unknown_admin_path_is_404_once_authorised(guarded):
    assert guarded.get("/__admin/no-such-call", headers=GOOD).status_code == 404


def test_a_rejected_admin_call_changes_nothing(guarded):
    rule = {"vendor": "sigma", "action": {"status": 503}}
    assert guarded.post("/__admin/faults", json=rule).status_code == 401
    assert guarded.post("/__admin/clock/advance", json={"seconds": 60}).status_code == 401
    assert guarded.get("/__admin/clock", headers={"X-Mock-Namespace": "probe"}).status_code == 401
    assert guarded.get("/__admin/faults", headers=GOOD).json["faults"] == []
    assert guarded.get("/__admin/clock", headers=GOOD).json["iso"] == "2026-01-01T00:00:00Z"
    assert "probe" not in guarded.get("/__admin/namespaces", headers=GOOD).json["namespaces"]


def test_health_stays_open(guarded):
    response = guarded.get("/__admin/health")
    assert response.status_code == 200 and response.json["status"] == "ok"


def test_vendors_never_need_it(guarded):
    login = guarded.get("/sigma/login?account_name=sigma&user_name=test&password=MTIzNDU2")
    assert login.status_code == 200 and login.json["data"]["user_info"]["token"]
    # a vendor's own Authorization header is the vendor's business: OSS judges it, not the admin guard
    oss = guarded.get("/demo-bucket/some/key", headers={"Authorization": "OSS mock-access-key-id:bad"})
    assert oss.status_code == 403 and b"SignatureDoesNotMatch" in oss.data
    assert guarded.get("/sigma/openapi.json").status_code == 200


def test_the_dashboard_page_takes_the_token_in_its_url(guarded):
    page = guarded.get(f"/?token={TOKEN}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert guarded.get(f"/__admin/ui?token={TOKEN}").status_code == 200
    assert guarded.get("/?token=wrong").status_code == 401
    # only the page: an API call must send the header
    assert guarded.get(f"/__admin/requests?token={TOKEN}").status_code == 401


def test_the_dashboard_files_stay_open(guarded):
    """They are the package's own code, the same for everyone; a <script src> cannot send a header."""
    assert guarded.get("/__admin/ui/static/dashboard.js").status_code == 200
    assert guarded.get("/__admin/ui/static/dashboard.css").status_code == 200


def test_no_token_no_guard():
    app = create_app(test_settings(), start_background=False)
    assert app.test_client().get("/__admin/requests").status_code == 200
    assert app.test_client().get("/__admin/requests", headers={"Authorization": "Bearer any"}).status_code == 200
    app.extensions["mockservers.namespaces"].close()


def test_the_token_comes_from_env_and_config(tmp_path):
    config = tmp_path / "mock.yaml"
    config.write_text("admin_token: 12345\n")
    assert load_settings({"config": str(config)}, env={}).admin_token == "12345"
    assert load_settings({}, env={"MOCKSERVERS_ADMIN_TOKEN": "from-env"}).admin_token == "from-env"
    assert load_settings({"admin_token": "cli"}, env={"MOCKSERVERS_ADMIN_TOKEN": "env"}).admin_token == "cli"
    assert load_settings({}, env={}).admin_token is None


def serve_stderr(*args: str) -> str:
    """Start `mockservers serve` with `args`, wait for its banner, stop it; what it printed on stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockservers", "serve", "--port", "0", "--state", "memory", "--vendor", "sigma", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = proc.stdout.readline()  # printed once the socket listens, after any warning
        assert "serving sigma" in banner, banner + proc.stderr.read()
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    return err


@pytest.mark.no_postgres_pass
def test_serving_beyond_loopback_without_a_token_warns():
    err = serve_stderr("--host", "0.0.0.0")
    assert "WARNING: listening on 0.0.0.0, beyond this machine's loopback, without an admin token" in err
    assert "--admin-token TOKEN" in err and "MOCKSERVERS_ADMIN_TOKEN" in err
    assert len([line for line in err.splitlines() if line.strip()]) == 1  # one paragraph


@pytest.mark.no_postgres_pass
@pytest.mark.parametrize(
    "args, env",
    [
        (("--host", "0.0.0.0", "--admin-token", TOKEN), {}),
        (("--host", "0.0.0.0"), {"MOCKSERVERS_ADMIN_TOKEN": TOKEN}),
        (("--host", "127.0.0.1"), {}),
    ],
    ids=["cli", "env", "loopback"],
)
def test_no_warning_with_a_token_or_on_loopback(args, env, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert "WARNING" not in serve_stderr(*args)


@pytest.mark.parametrize(
    "host, warns",
    [
        ("0.0.0.0", True),
        ("::", True),
        ("192.168.1.5", True),
        ("example.org", True),
        ("127.0.0.1", False),
        ("127.1.2.3", False),
        ("::1", False),
        ("[::1]", False),
        ("localhost", False),
        ("LOCALHOST", False),
    ],
)
def test_which_hosts_are_beyond_loopback(host, warns):
    assert (exposure_warning(host, None) is not None) is warns
    assert exposure_warning(host, TOKEN) is None


def test_serve_refuses_a_token_no_header_can_carry(capsys):
    assert cli.main(["serve", "--admin-token", "two words", "--port", "0", "--state", "memory"]) == 2
    assert "--admin-token must be printable ASCII without spaces" in capsys.readouterr().err


@pytest.mark.no_postgres_pass
def test_a_served_token_guards_admin_and_not_the_vendors():
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mockservers",
            "serve",
            "--port",
            "0",
            "--state",
            "memory",
            "--vendor",
            "sigma",
            "--admin-token",
            TOKEN,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().split(" on ", 1)[1].split("/ ", 1)[0]
        assert requests.get(url + "/__admin/requests", timeout=10).status_code == 401
        assert requests.get(url + "/__admin/requests", headers=GOOD, timeout=10).status_code == 200
        assert requests.get(url + "/sigma/login", timeout=10).status_code == 400  # the vendor's own answer
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        proc.stdout.close()  # its pipe, or a ResourceWarning when collected


@pytest.mark.no_postgres_pass
def test_workers_under_granian_get_the_token(tmp_path):
    """Granian's workers import the app and read the settings from the environment: the token travels too."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mockservers",
            "serve",
            "--workers",
            "2",
            "--server",
            "granian",
            "--port",
            str(port),
            "--state",
            f"sqlite:///{tmp_path}/state.db",
            "--vendor",
            "sigma",
            "--admin-token",
            TOKEN,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert "workers 2 under granian" in proc.stdout.readline()
        url = f"http://127.0.0.1:{port}"
        requests.get(url + "/__admin/health", timeout=30)  # the first answer proves a worker is up
        assert requests.get(url + "/__admin/requests", timeout=10).status_code == 401
        assert requests.get(url + "/__admin/requests", headers=GOOD, timeout=10).status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        proc.stdout.close()  # its pipe, or a ResourceWarning when collected
