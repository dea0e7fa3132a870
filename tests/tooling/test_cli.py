"""The `mockservers` command explains itself: --version, every option's default and MOCKSERVERS_* variable,
examples in --help, and on start the base URL of each vendor, the dashboard's and where the state lives."""

from __future__ import annotations

import argparse
import importlib.metadata
import re
import signal
import subprocess
import sys

import pytest

from mockservers import cli
from mockservers.settings import Settings

pytestmark = pytest.mark.no_postgres_pass  # it picks its own state


def test_version_is_the_installed_distributions(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"mockservers {importlib.metadata.version('mockservers')}\n"


def test_version_outside_an_installed_distribution_is_the_packages(monkeypatch):
    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", missing)
    assert cli._version() == "0.1.0 (not installed)"


def _subcommand(name: str) -> argparse.ArgumentParser:
    parser = cli.build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sub.choices[name]


def _options(name: str) -> list[argparse.Action]:
    return [a for a in _subcommand(name)._actions if a.option_strings and a.dest != "help"]


def shown(value) -> str:
    """How the help words a default that is no plain value."""
    if value is None or isinstance(value, bool):
        return {None: "none", False: "off"}[value]
    return f"{value:g}" if isinstance(value, float) else str(value)


WORDED = {
    "vendors": "every vendor",
    "cors_origins": "none",
    "data_dir": "beside a SQLite file, else ./var",
    "tls_dir": "<state folder>/tls",
}


def test_every_serve_option_names_its_default_and_its_variable():
    defaults = Settings()
    options = _options("serve")
    assert {a.option_strings[0] for a in options} >= {
        "--host",
        "--port",
        "--vendor",
        "--state",
        "--seed",
        "--clock",
        "--config",
        "--workers",
        "--server",
        "--admin-token",
        "--tls",
        "--blobs",
        "--threads",
        "--request-timeout",
        "--max-namespaces",
    }
    for action in options:
        value = getattr(defaults, action.dest)
        default = WORDED.get(action.dest) or shown(value)
        assert action.help.endswith(f"(default: {default}; MOCKSERVERS_{action.dest.upper()})"), action.help


def test_every_option_of_every_subcommand_shows_its_default():
    for name in ("serve", "routes", "seed"):
        for action in _options(name):
            assert "default: " in action.help or "(required)" in action.help, (name, action.option_strings)


def test_a_variable_named_in_the_help_is_read(monkeypatch):
    monkeypatch.setenv("MOCKSERVERS_REQUEST_TIMEOUT", "7.5")
    monkeypatch.setenv("MOCKSERVERS_DATA_DIR", "/srv/files")
    monkeypatch.setenv("MOCKSERVERS_TLS", "1")
    args = cli.build_parser().parse_args(["serve", "--threads", "3"])
    settings = cli._settings(args)
    assert (settings.request_timeout, settings.data_dir, settings.threads, settings.tls) == (7.5, "/srv/files", 3, True)
    assert cli._settings(cli.build_parser().parse_args(["serve", "--tls"])).tls is True


def test_help_ends_with_examples(capsys):
    for argv in (["--help"], ["serve", "--help"]):
        with pytest.raises(SystemExit):
            cli.main(argv)
        out = capsys.readouterr().out
        assert "\nexamples:\n  mockservers serve                         every vendor on http://127.0.0.1:8080" in out
        assert "  mockservers serve --tls " in out


def test_postgres_state_is_shown_without_its_password():
    settings = Settings(state="postgresql://mock:s3cret@db.example:5432/mock")
    where = cli._where_state_lives(settings, "/srv/var")
    assert where == "postgresql://mock:***@db.example:5432/mock, files there too (cached in /srv/var)"


def serve(*args: str, cwd=None, lines: int) -> tuple[subprocess.Popen, list[str]]:
    """`mockservers serve ARGS` on a free port, and the first `lines` lines it printed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockservers", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=cwd,
    )
    printed = [proc.stdout.readline().rstrip("\n") for _ in range(lines)]
    return proc, printed


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    proc.stdout.close()


def test_the_banner_names_every_base_url_the_dashboard_and_the_state():
    proc, printed = serve("--state", "memory", "--clock", "virtual", "--seed", "3", lines=11)
    try:
        port = re.match(r"mockservers: serving .* on http://127\.0\.0\.1:(\d+)/ ", printed[0]).group(1)
        base = f"http://127.0.0.1:{port}"
        files = re.match(r"  state      memory, files in (\S+) \(all gone when the server stops\)$", printed[9])
        assert files, printed
        assert re.fullmatch(rf"  viewer     ({base}/viewer/ \(OHIF Viewer .+\)|not installed: .+)", printed[8]), printed
        assert printed == [
            f"mockservers: serving sigma, msdicom, sphere, aliyun, cad4tb on {base}/ "
            "(clock virtual, seed 3, workers 1)",
            f"  sigma      {base}/sigma",
            f"  msdicom    {base}/msdicom/v1  {base}/msdicom/v2",
            f"  sphere     {base}/sphere/qidors  {base}/sphere/wadors  {base}/sphere/stowrs",
            f"  aliyun     {base}/aliyun",
            f"  OSS        {base}/",
            f"  cad4tb     {base}/cad4tb/api/v1/",
            f"  dashboard  {base}/",
            printed[8],
            printed[9],
            "  by Host    api.12sigma.ai -> /sigma, dicom-server.azurewebsites.net -> /msdicom, "
            "medical.aliyun.com -> /aliyun",
        ]
    finally:
        stop(proc)


def test_the_banner_gives_a_sqlite_files_absolute_path_and_a_lone_vendor_at_the_root(tmp_path):
    proc, printed = serve("--state", "sqlite:///var/state.db", "--vendor", "cad4tb", cwd=tmp_path, lines=5)
    try:
        base = re.match(r"mockservers: serving cad4tb on (http://127\.0\.0\.1:\d+)/ ", printed[0]).group(1)
        var = tmp_path / "var"
        assert printed[1:] == [
            f"  cad4tb     {base}/cad4tb/api/v1/  {base}/",
            f"  dashboard  {base}/",
            f"  viewer     not installed: `make viewer` adds the OHIF Viewer at {base}/viewer/ (into {var}/viewer)",
            f"  state      {var}/state.db, files in {var}, other namespaces in {var}/namespaces",
        ]
        assert proc.poll() is None
    finally:
        stop(proc)
