"""OpenAPI documents (valid 3.1, served, printed) and the fidelity ledger (complete, current in docs/)."""

from __future__ import annotations

import json
import pathlib
import re

import pytest
from openapi_spec_validator import validate

from mockservers.core import openapi
from mockservers.core.fidelity import render
from mockservers.vendors import load_vendors

ROOT = pathlib.Path(__file__).resolve().parents[2]
REST = [v for v in load_vendors() if v.operations()]


@pytest.mark.parametrize("vendor", REST, ids=lambda v: v.key)
def test_document_is_valid_openapi_31(vendor):
    document = openapi.build(vendor)
    assert document["openapi"] == "3.1.0"
    validate(document)


@pytest.mark.parametrize("vendor", REST, ids=lambda v: v.key)
def test_no_two_paths_are_one_url(vendor):
    """OpenAPI forbids templates of one shape under different names: /uploads/{groupname}/ and /uploads/{filename}/
    are the same URL, whose operations (and Allow) are those of both."""
    shapes = [openapi.openapi_path_shape(path) for path in openapi.build(vendor)["paths"]]
    assert len(shapes) == len(set(shapes))


def test_cli_prints_a_valid_document(capsys):
    from mockservers.cli import main

    assert main(["openapi", "sigma"]) == 0
    document = json.loads(capsys.readouterr().out)
    validate(document)
    assert "/accounts/{res_account_name}/jobs/{job_id}/" in document["paths"]
    assert main(["openapi", "nothing"]) == 2


def test_served_document_and_page(client):
    document = client.get("/sigma/openapi.json").json
    validate(document)
    assert document["servers"][0]["url"].endswith("/sigma")
    page = client.get("/sigma/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "openapi.json" in html and not re.search(r"(src|href)=\"https?://", html), "no CDN: works offline"


@pytest.mark.parametrize("vendor", REST, ids=lambda v: v.key)
def test_every_served_route_has_a_ledger_entry(mock_app, vendor):
    declared = {(op.method, openapi.openapi_path_shape(op.path)) for op in vendor.operations()}
    prefix = f"/{vendor.key}"
    served = set()
    for rule in mock_app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] != vendor.key:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((method, openapi.flask_rule_to_path(rule.rule, prefix)))
    assert served and served == declared


@pytest.mark.parametrize("vendor", REST, ids=lambda v: v.key)
def test_every_ledger_entry_says_where_or_why(vendor):
    entries = openapi.ledger(vendor)
    kinds = {e["kind"] for e in entries}
    assert {"endpoint", "parameter", "response field", "error code"} <= kinds
    assert kinds <= {"endpoint", "parameter", "response field", "error code", "behaviour"}
    for entry in entries:
        assert entry["status"] in ("documented", "inferred")
        assert entry.get("where") or entry.get("reason"), entry
        if entry["status"] == "documented":
            assert entry["where"].startswith(vendor.document), entry
    codes = {e["name"] for e in entries if e["kind"] == "error code"}
    assert codes == set(vendor.error_sources()) and codes


def test_ledger_is_served(client):
    ledger = client.get("/__admin/fidelity?vendor=sigma").json["vendors"]
    assert list(ledger) == ["sigma"] and len(ledger["sigma"]) == len(openapi.ledger(REST[0]))


def test_docs_fidelity_md_is_current():
    assert (ROOT / "docs" / "fidelity.md").read_text(encoding="utf-8") == render(load_vendors()), (
        "run `python scripts/render_fidelity.py`"
    )
