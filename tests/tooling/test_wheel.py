"""The package as its users get it: `make wheel` builds it from the checkout's files, it installs into a fresh venv
outside the checkout, its own `mockservers` command serves, and an integrator's suite in a folder of its own passes
against it with the plugin's fixtures.

The fresh venv reads the dependencies from this venv's site-packages (a .pth line: nothing is downloaded), but not
this venv's .pth files, so the checkout's editable install is not on its path: the wheel's copy is what it imports.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_postgres_pass  # it builds, installs and serves on its own, on memory state

ROOT = Path(__file__).resolve().parents[2]
BASE_URL = re.compile(r"http://127\.0\.0\.1:\d+")

# The integrator's suite: their tests, their folder, the installed package only.
SUITE = """
import os

import requests

import mockservers
from mockservers import samples
from mockservers.sigma.client import SigmaClient


def test_it_imports_the_installed_wheel():
    assert mockservers.__file__.startswith(os.environ["WHEEL_VENV"])
    assert samples.path("p3-dx.dcm").startswith(os.environ["WHEEL_VENV"])


def test_a_sigma_job_on_a_sample_file_against_the_running_server(mock_server):
    client = SigmaClient(mock_server.url("sigma"))
    client.login()
    ids = client.upload_dicom(samples.path("p3-dx.dcm"))
    job_id = client.new_job(**{k: ids[k] for k in ("study_id", "series_id", "patient_id", "filename")})
    assert client.wait_for_job(job_id, sleep=mock_server.admin.advance)["status"] == "success"


def test_the_packaged_scenario_loads_on_the_running_server(mock_server):
    loaded = requests.post(mock_server.url() + "/__admin/scenarios/msdicom-shapes", timeout=30)
    assert loaded.status_code == 200, loaded.text
    found = requests.get(mock_server.url("msdicom") + "/v2/studies", params={"PatientID": "SHAPES-1"}, timeout=30)
    assert len(found.json()) == 1


def test_the_real_hostname_reaches_the_in_process_app(vendor_session):
    answer = vendor_session.get(
        "https://api.12sigma.ai/login", params={"account_name": "sigma", "user_name": "test", "password": "MTIzNDU2"}
    )
    assert answer.json()["message"] == "User login successfully."


def test_the_dashboard_and_docs_pages_are_served(mock_app):
    client = mock_app.test_client()
    assert b"<html" in client.get("/").data.lower()
    assert client.get("/sigma/docs").status_code == 200
"""


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A fresh venv with the wheel built from this checkout installed (and nothing else of its own)."""
    work = tmp_path_factory.mktemp("wheel")
    source, dist, venv = work / "source", work / "dist", work / "venv"
    _copy_checkout(source)
    build = subprocess.run(
        ["make", "-s", "wheel", f"VENV={sys.prefix}", f"DIST={dist}", "WHEEL_FLAGS=--no-build-isolation --no-index"],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    (wheel,) = dist.glob("mockservers-*.whl")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    paths = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    Path(purelib, "dependencies.pth").write_text("".join(p + "\n" for p in paths))
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "--quiet", wheel],
        capture_output=True,
        text=True,
        timeout=300,
        env=_outside_env(),
    )
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    return venv


def test_the_wheel_carries_the_pages_and_fixtures(venv):
    run = subprocess.run(
        [
            venv / "bin" / "python",
            "-c",
            "import mockservers, mockservers.samples as s; print(mockservers.__file__); print(s.fixtures_dir()); "
            "print(s.path('p3-dx.dcm'))",
        ],
        cwd=venv,
        capture_output=True,
        text=True,
        timeout=120,
        env=_outside_env(),
    )
    assert run.returncode == 0, run.stderr[-3000:]
    module, fixtures, sample = (Path(line) for line in run.stdout.splitlines())
    package = module.resolve().parent
    assert package.is_relative_to(venv.resolve()), f"the checkout's mockservers was imported: {module}"
    assert fixtures == package / "_fixtures" and sample == fixtures / "dicom" / "patients" / "p3-dx.dcm"
    source = venv.parent / "source"  # the checkout's files, as a fresh clone has them
    wanted = [p.relative_to(source / "mockservers") for p in (source / "mockservers").rglob("*") if p.is_file()]
    assert [p for p in wanted if not (package / p).is_file()] == [], "every file of the package is in the wheel"
    shipped = sorted(p.relative_to(fixtures) for p in fixtures.rglob("*") if p.is_file())
    assert shipped == sorted(
        p.relative_to(source / "fixtures") for p in (source / "fixtures").rglob("*") if p.is_file()
    )


def test_its_command_serves_an_integrator_suite_outside_the_checkout(venv, tmp_path):
    suite = tmp_path / "their-tests"
    suite.mkdir()
    (suite / "test_integration.py").write_text(textwrap.dedent(SUITE))
    server = subprocess.Popen(
        [venv / "bin" / "mockservers", "serve", "--port", "0", "--state", "memory", "--clock", "virtual"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
        env=_outside_env(),
    )
    try:
        url = _base_url(server)
        run = subprocess.run(
            [venv / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "--mock-server-url", url],
            cwd=suite,
            capture_output=True,
            text=True,
            timeout=300,
            env={**_outside_env(), "WHEEL_VENV": str(venv)},
        )
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
        assert "5 passed" in run.stdout, run.stdout[-2000:]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        server.stdout.close()


def _base_url(server: subprocess.Popen) -> str:
    """The URL the server says it serves on (the first lines it prints)."""
    for _ in range(50):
        line = server.stdout.readline()
        if not line:
            break
        if match := BASE_URL.search(line):
            return match.group(0)
    raise AssertionError(f"the server printed no URL (exit code {server.poll()})")


def _outside_env() -> dict:
    """The environment without what would put the checkout on the path (a developer's PYTHONPATH=$PWD)."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


def _copy_checkout(target: Path) -> None:
    """The files a fresh clone would have (tracked ones, and new ones not ignored), as `git clone` gives them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        path = ROOT / name
        if path.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / name)
