"""scripts/new_vendor.py, run in a copy of the repository: the vendor it writes is served, listed and documented,
passes the checks every vendor gets, and its own first tests pass."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

pytestmark = pytest.mark.no_postgres_pass  # it runs its own processes, on memory state

ROOT = pathlib.Path(__file__).resolve().parents[2]
LEFT_OUT = shutil.ignore_patterns(
    ".git", ".venv", "var", "__pycache__", "node_modules", ".mypy_cache", ".ruff_cache", "*.egg-info"
)

PROBE = """
import json
from mockservers.app import create_app
from tests.machinery import test_settings

app = create_app(test_settings(), start_background=False)
client = app.test_client()
item = client.get("/acme/items/example", headers={"X-Api-Key": "demo-key"})
document = client.get("/acme/openapi.json").json
print(json.dumps({"item": [item.status_code, item.json],
                  "vendors": client.get("/__admin/health").json["vendors"],
                  "paths": {path: sorted(op["operationId"] for op in ops.values()) for path, ops in
                            document["paths"].items()}}))
app.extensions["mockservers.namespaces"].close()
"""


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    copy = tmp_path_factory.mktemp("repo") / "mockservers"
    shutil.copytree(ROOT, copy, ignore=LEFT_OUT)
    return copy


def run(repo: pathlib.Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=600,
        # only the plugin these tests use: the venv's others (schemathesis, Playwright, Pact) take seconds to load
        env={**os.environ, "PYTHONPATH": str(repo), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )


@pytest.fixture(scope="module")
def acme(repo):
    written = run(repo, "scripts/new_vendor.py", "acme", "--title", "Acme Imaging API")
    assert written.returncode == 0, written.stdout + written.stderr
    return repo


def test_it_writes_the_regular_shape(acme):
    for path in ("vendor.py", "routes.py", "schemas.py", "backend.py", "errors.py", "models.py"):
        assert (acme / "mockservers" / "acme" / path).is_file(), path
    for path in ("docs/acme.md", "fixtures/contracts/acme/get_item.yaml", "tests/acme/test_items.py"):
        assert (acme / path).is_file(), path
    registry = (acme / "mockservers" / "vendors.py").read_text(encoding="utf-8")
    assert '    "acme": "mockservers.acme.vendor:AcmeVendor",\n}' in registry
    assert "acme" in (acme / "docs" / "fidelity.md").read_text(encoding="utf-8")
    written = ["mockservers/acme", "tests/acme"]
    assert run(acme, "-m", "ruff", "check", *written).returncode == 0
    assert run(acme, "-m", "ruff", "format", "--check", *written).returncode == 0


def test_the_new_vendor_answers_and_is_listed_and_documented(acme):
    probe = run(acme, "-c", PROBE)
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout)
    assert seen["item"] == [200, {"id": "example", "name": "Example item"}]
    assert "acme" in seen["vendors"]
    assert seen["paths"] == {"/items/{item_id}": ["GetItem"]}


def test_it_passes_its_own_tests_and_every_vendors_checks(acme):
    checks = run(
        acme,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "mockservers.pytest_plugin",
        "tests/acme",
        "tests/core/test_every_vendor.py",
        "tests/openapi/test_openapi_and_ledger.py",
        "-k",
        "acme or fidelity_md",
    )
    assert checks.returncode == 0, checks.stdout[-4000:] + checks.stderr[-2000:]
    assert " failed" not in checks.stdout and " passed" in checks.stdout


@pytest.mark.parametrize(
    "key, why",
    [
        ("acme", "mockservers/acme exists already"),
        ("sigma", "mockservers/sigma exists already"),
        ("Acme-1", "a vendor key is 2 to 31 lowercase letters and digits"),
        ("class", "a vendor key is 2 to 31 lowercase letters and digits"),
    ],
)
def test_a_key_it_cannot_use_changes_nothing(acme, key, why):
    registry = (acme / "mockservers" / "vendors.py").read_text(encoding="utf-8")
    refused = run(acme, "scripts/new_vendor.py", key)
    assert refused.returncode == 2 and why in refused.stderr and refused.stdout == ""
    assert (acme / "mockservers" / "vendors.py").read_text(encoding="utf-8") == registry
