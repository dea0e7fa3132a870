"""`mockservers serve --tls`: HTTPS with a local CA, which requests verifies against; a client whose base URL is
the vendor's real one (https://api.12sigma.ai) reaches the vendor through what a hosts-file entry does."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

import pytest
import requests

from mockservers import tls
from tests.sigma.conftest import PASSWORD_B64

pytestmark = pytest.mark.no_postgres_pass  # it picks its own state

LOGIN = f"/login?account_name=sigma&user_name=test&password={PASSWORD_B64}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    def __init__(self, args: list[str], cwd) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mockservers", "serve", "--tls", "--clock", "virtual", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=cwd,
        )
        self.lines = []
        while not self.lines or not self.lines[-1].startswith("  TLS CA "):  # the banner's last line
            line = self.proc.stdout.readline()
            assert line, "".join(self.lines) + self.proc.stdout.read()
            self.lines.append(line)
        self.port = int(self.lines[0].split("https://127.0.0.1:", 1)[1].split("/", 1)[0])
        self.ca = self.lines[-1].split("  TLS CA ", 1)[1].strip()

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        self.proc.stdout.close()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("tls")


@pytest.fixture(scope="module")
def served(folder):
    """One server for the tests that only read from it (starting one takes seconds)."""
    server = Served(["--port", "0", "--state", "sqlite:///var/state.db"], cwd=folder)
    yield server
    server.stop()


@pytest.fixture
def hosts_file(monkeypatch):
    """What `127.0.0.1 api.12sigma.ai` in /etc/hosts does, for this process only."""
    names = {"api.12sigma.ai", "medical.aliyun.com", "unknown.example"}
    resolve = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        return resolve("127.0.0.1" if host in names else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_the_ca_lives_under_the_state_folder_and_the_banner_names_it(served, folder):
    assert served.ca == str(folder / "var" / "tls" / "ca.pem")
    assert served.lines[0].startswith("mockservers: serving sigma, msdicom, sphere, aliyun, cad4tb on https://")


def test_https_by_address_and_by_localhost_verified_against_the_ca(served):
    for host in ("127.0.0.1", "localhost"):
        response = requests.get(f"https://{host}:{served.port}/sigma{LOGIN}", verify=served.ca, timeout=30)
        assert response.status_code == 200
        assert response.json()["message"] == "User login successfully."


def test_a_client_that_does_not_trust_the_ca_is_refused(served):
    with pytest.raises(requests.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
        requests.get(f"https://127.0.0.1:{served.port}/sigma{LOGIN}", timeout=30)


def test_the_vendors_real_hostname_reaches_it_at_its_real_path(served, hosts_file):
    http = requests.Session()
    http.headers["X-Mock-Namespace"] = "real-hostnames"
    trusted = {"verify": served.ca, "timeout": 30}  # per request: REQUESTS_CA_BUNDLE would win over Session.verify
    response = http.get(f"https://api.12sigma.ai:{served.port}{LOGIN}", **trusted)
    assert response.status_code == 200
    assert response.json()["message"] == "User login successfully."
    analysis = http.post(f"https://medical.aliyun.com:{served.port}/dicom/api/executeAnalysis", json={}, **trusted)
    assert analysis.status_code == 401 and analysis.json()["returnCode"] == "100002"  # aliyun's own: no tokenId
    journal = http.get(f"https://127.0.0.1:{served.port}/__admin/requests", **trusted).json()
    assert [(e["vendor"], e["path"]) for e in journal["requests"]] == [
        ("aliyun", "/aliyun/dicom/api/executeAnalysis"),
        ("sigma", "/sigma/login"),
    ]
    http.close()


def test_a_hostname_the_certificate_does_not_name_is_refused(served, hosts_file):
    with pytest.raises(requests.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
        requests.get(f"https://unknown.example:{served.port}{LOGIN}", verify=served.ca, timeout=30)


def test_plain_http_to_the_tls_port_is_told_to_use_https(served):
    response = requests.get(f"http://127.0.0.1:{served.port}/sigma{LOGIN}", timeout=30)
    assert response.status_code == 400
    assert response.json() == {
        "error": f"this port speaks HTTPS: use https://, not http:// (port {served.port})",
        "status": 400,
    }
    assert requests.get(f"https://127.0.0.1:{served.port}/sigma{LOGIN}", verify=served.ca, timeout=30).ok


def test_a_client_that_never_starts_its_handshake_holds_no_one_else(served):
    with socket.create_connection(("127.0.0.1", served.port)):
        response = requests.get(f"https://127.0.0.1:{served.port}/__admin/health", verify=served.ca, timeout=30)
        assert response.status_code == 200


def test_the_ca_survives_a_restart_with_the_state_folder(tmp_path):
    first = Served(["--port", "0", "--state", "sqlite:///var/state.db", "--vendor", "sigma"], cwd=tmp_path)
    first.stop()
    ca = (tmp_path / "var" / "tls" / "ca.pem").read_bytes()
    server = (tmp_path / "var" / "tls" / "server.pem").read_bytes()
    again = Served(["--port", "0", "--state", "sqlite:///var/state.db", "--vendor", "sigma"], cwd=tmp_path)
    try:
        assert (tmp_path / "var" / "tls" / "ca.pem").read_bytes() == ca
        assert (tmp_path / "var" / "tls" / "server.pem").read_bytes() != server  # issued anew, by the same CA
        assert requests.get(f"https://127.0.0.1:{again.port}/sigma{LOGIN}", verify=again.ca, timeout=30).ok
    finally:
        again.stop()


def test_memory_state_keeps_the_ca_in_a_temporary_folder_or_in_tls_dir(tmp_path):
    served = Served(["--port", "0", "--state", "memory", "--vendor", "sigma"], cwd=tmp_path)
    try:
        assert served.ca.endswith("/tls/ca.pem") and not served.ca.startswith(str(tmp_path))
    finally:
        served.stop()
    served = Served(["--port", "0", "--state", "memory", "--tls-dir", "certs", "--vendor", "sigma"], cwd=tmp_path)
    try:
        assert served.ca == str(tmp_path / "certs" / "ca.pem")
    finally:
        served.stop()


def test_the_server_certificate_names_the_loopback_and_each_real_hostname_for_a_year(tmp_path):
    from cryptography import x509

    certificates = tls.prepare(str(tmp_path), ["api.12sigma.ai", "medical.aliyun.com"])
    leaf = x509.load_pem_x509_certificate((tmp_path / "server.pem").read_bytes())
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sorted(str(n.value) for n in names) == [
        "127.0.0.1",
        "::1",
        "api.12sigma.ai",
        "localhost",
        "medical.aliyun.com",
    ]
    assert (leaf.not_valid_after_utc - leaf.not_valid_before_utc).days == tls.LEAF_DAYS + 1 <= 398
    assert certificates.ca == str(tmp_path / "ca.pem")
    ca = x509.load_pem_x509_certificate((tmp_path / "ca.pem").read_bytes())
    assert leaf.issuer == ca.subject
    assert oct((tmp_path / "ca-key.pem").stat().st_mode & 0o777) == "0o600"
    assert oct((tmp_path / "server.pem").stat().st_mode & 0o777) == "0o600"


def test_a_server_on_another_address_has_it_in_its_certificate(tmp_path):
    from cryptography import x509

    from mockservers import cli
    from mockservers.settings import Settings
    from mockservers.vendors import load_vendors

    settings = Settings(host="192.0.2.10", tls=True, tls_dir=str(tmp_path))
    certificates = cli._certificates(settings, "unused", load_vendors(["cad4tb"]))
    leaf = x509.load_pem_x509_certificate((tmp_path / "server.pem").read_bytes())
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sorted(str(n.value) for n in names) == ["127.0.0.1", "192.0.2.10", "::1", "localhost"]
    assert certificates.ca == str(tmp_path / "ca.pem")
    wildcard = Settings(host="0.0.0.0", tls=True, tls_dir=str(tmp_path))
    cli._certificates(wildcard, "unused", load_vendors(["cad4tb"]))
    leaf = x509.load_pem_x509_certificate((tmp_path / "server.pem").read_bytes())
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sorted(str(n.value) for n in names) == ["127.0.0.1", "::1", "localhost"]


@pytest.mark.parametrize("runner", ["gunicorn", "granian"])
def test_workers_serve_https_too(tmp_path, runner, hosts_file):
    port = free_port()
    served = Served(
        ["--port", str(port), "--state", "sqlite:///var/state.db", "--workers", "2", "--server", runner],
        cwd=tmp_path,
    )
    try:
        assert served.port == port
        response = requests.get(f"https://api.12sigma.ai:{port}{LOGIN}", verify=served.ca, timeout=30)
        assert response.status_code == 200 and response.json()["message"] == "User login successfully."
    finally:
        served.stop()
