"""README's control-plane table names every /__admin route the app serves, and only those."""

from __future__ import annotations

import pathlib
import re

from mockservers.core.openapi import flask_rule_to_path

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"
# A call as the table writes it: `GET /__admin/requests?vendor=`, `DELETE /__admin/faults/ID`; a path ending in
# `/...` stands for it and every route below it (`GET /__admin/dicomweb/...`).
CALL = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/__admin[^`?\s]*)[^`]*`")
PLACEHOLDER = re.compile(r"^[A-Z][A-Z0-9_]*$")  # a path value: ID, NAME, KEY


def table_rows() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## The control plane (`/__admin`)", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| `")]


def documented_calls() -> set[tuple[str, str]]:
    calls = set()
    for row in table_rows():
        first_column = row.split(" | ", 1)[0]
        for method, path in CALL.findall(first_column):
            segments = ["{}" if PLACEHOLDER.match(s) else s for s in path.split("/")]
            calls.add((method, "/".join(segments)))
    return calls


def served_calls(app) -> set[tuple[str, str]]:
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/__admin"):
            served |= {(m, flask_rule_to_path(rule.rule, "")) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return served


def covers(call: tuple[str, str], route: tuple[str, str]) -> bool:
    (method, path), (route_method, route_path) = call, route
    if method != route_method:
        return False
    if path.endswith("/..."):
        prefix = path[: -len("/...")]
        return route_path == prefix or route_path.startswith(prefix + "/")
    return path == route_path


def test_every_admin_route_is_in_the_readme_table(mock_app):
    calls = documented_calls()
    missing = sorted(r for r in served_calls(mock_app) if not any(covers(c, r) for c in calls))
    assert not missing, f"/__admin routes missing from README's control-plane table: {missing}"


def test_the_table_names_no_route_the_app_lacks(mock_app):
    served = served_calls(mock_app)
    unknown = sorted(c for c in documented_calls() if not any(covers(c, r) for r in served))
    assert not unknown, f"README's control-plane table names calls the app does not serve: {unknown}"


def test_a_path_ending_in_dots_covers_its_prefix_and_below_only():
    call = ("GET", "/__admin/dicomweb/...")
    assert covers(call, ("GET", "/__admin/dicomweb"))
    assert covers(call, ("GET", "/__admin/dicomweb/studies/{}"))
    assert not covers(call, ("POST", "/__admin/dicomweb/studies"))
    assert not covers(call, ("GET", "/__admin/dicomwebs"))
    assert covers(("DELETE", "/__admin/faults/{}"), ("DELETE", "/__admin/faults/{}"))
