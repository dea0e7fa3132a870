"""The control plane's OpenAPI document: valid 3.1, served with its page, and one operation per /__admin route."""

from __future__ import annotations

import json
import re

from openapi_spec_validator import validate

from mockservers.admin import openapi as admin_openapi
from mockservers.core.openapi import flask_rule_to_path, openapi_path_shape

PREFIX = "/__admin"
# /__admin routes another module documents, with where.
DOCUMENTED_ELSEWHERE = {
    "/__admin/dicomweb": "DICOMweb (QIDO-RS, WADO-RS) over every vendor's stored DICOM: PS3.18's own routes",
}


def admin_routes(app) -> set[tuple[str, str]]:
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX) or rule.rule.startswith(tuple(DOCUMENTED_ELSEWHERE)):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((method, flask_rule_to_path(rule.rule, PREFIX)))
    return served


def test_document_is_valid_openapi_31():
    document = admin_openapi.build()
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "/__admin"}]
    validate(document)


def test_every_admin_route_is_in_the_document_and_nothing_else(mock_app):
    documented = {
        (method.upper(), openapi_path_shape(path))
        for path, operations in admin_openapi.build()["paths"].items()
        for method in operations
    }
    served = admin_routes(mock_app)
    assert served and documented == served, {
        "undocumented": sorted(served - documented),
        "not served": sorted(documented - served),
    }


def test_every_operation_says_what_it_answers():
    for path, operations in admin_openapi.build()["paths"].items():
        for method, operation in operations.items():
            assert operation["summary"] and operation["responses"], (method, path)
            assert any(status.startswith("2") for status in operation["responses"]), (method, path)
            for status, reply in operation["responses"].items():
                if status.startswith("4"):
                    assert reply["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_served_document_and_page(client):
    answer = client.get("/__admin/openapi.json")
    assert answer.status_code == 200
    document = answer.json
    validate(document)
    assert document["servers"][0]["url"].endswith("/__admin")
    assert "/requests" in document["paths"] and "bearer" in str(document["components"]["securitySchemes"])
    page = client.get("/__admin/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "openapi.json" in html and "mockservers control plane" in html
    assert not re.search(r"(src|href)=\"https?://", html), "no CDN: works offline"


def test_cli_prints_the_document(capsys):
    from mockservers.cli import main

    assert main(["openapi", "admin"]) == 0
    document = json.loads(capsys.readouterr().out)
    validate(document)
    assert document == admin_openapi.build()
