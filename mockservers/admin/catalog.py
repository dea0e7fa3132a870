"""A vendor as a fault rule can name it (GET /__admin/vendors/KEY, the dashboard's fault form): its routes as
served and as path globs, the fault actions its rules may take (the core's and its own) and its error codes."""

from __future__ import annotations

import inspect
import re
from typing import Any

from flask import Flask

from mockservers.core import errors, faults
from mockservers.core.vendor import VendorSpec

ROUTE_PARAMETER = re.compile(r"<[^>]*>")
HIDDEN_METHODS = ("HEAD", "OPTIONS")  # Flask adds them to every route

# What each of the core's actions takes, in README's words; the actions themselves are core.faults' REQUEST_ACTIONS
# and CALLBACK_ACTIONS (one a text is missing for fails the catalog's tests).
REQUEST_TAKES = {
    "error": "a code of the vendor's error catalog: answered in its envelope and status",
    "status": "an HTTP status code (100 to 599): answered bare",
    "delay_ms": 'milliseconds to wait, up to 60000: a number, {"min": a, "max": b} or {"mean": m, "stddev": s}',
    "drop": "true: the connection is reset",
    "truncate": "true (half the body) or a number of bytes to send before closing",
    "fail_job": "true: the job the request creates fails",
}
CALLBACK_TAKES = {
    "fail": "true: the callback's attempts fail",
    "delay_ms": "milliseconds on the clock, up to 86400000, as for a request's delay_ms",
    "duplicate": "true: the callback is sent twice",
    "drop": "true: the callback is never sent",
}


def route_rows(app: Flask) -> list[tuple[str, str, list[str]]]:
    """(blueprint, rule, methods) of every route but Flask's static one, as `mockservers routes` prints them."""
    rows = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        methods = sorted(m for m in rule.methods or () if m not in HIDDEN_METHODS)
        rows.append((rule.endpoint.split(".", 1)[0], rule.rule, methods))
    return sorted(rows)


def routes(app: Flask, vendor: VendorSpec) -> list[dict[str, Any]]:
    """The vendor's routes as fault-rule path globs (each <parameter> a *), with their methods, by path."""
    root = vendor.root_blueprint()
    owners = {vendor.blueprint().name, f"{vendor.key}_at_root", *([root.name] if root is not None else [])}
    globs: dict[str, set[str]] = {}
    for owner, rule, methods in route_rows(app):
        if owner in owners and methods:
            globs.setdefault(ROUTE_PARAMETER.sub("*", rule), set()).update(methods)
    return [{"path": path, "methods": sorted(methods)} for path, methods in sorted(globs.items())]


def describe(app: Flask, vendor: VendorSpec) -> dict[str, Any]:
    own = vendor.fault_actions()
    actions = [{"name": name, "takes": REQUEST_TAKES[name], "vendor": False} for name in faults.REQUEST_ACTIONS]
    actions += [{"name": name, "takes": _first_line(check), "vendor": True} for name, check in own.items()]
    return {
        "key": vendor.key,
        "routes": routes(app, vendor),
        "actions": actions,
        "callback_actions": [{"name": name, "takes": CALLBACK_TAKES[name]} for name in faults.CALLBACK_ACTIONS],
        "errors": [{"code": code, "status": status} for code, status in _error_codes(vendor).items()],
    }


def _error_codes(vendor: VendorSpec) -> dict[str, int]:
    """Each code a fault rule's `error` may name, with its status: the first of the vendor's catalogs that has it
    answers it (core.errors.error_for_code)."""
    codes: dict[str, int] = {}
    for dialect in errors.dialects(vendor):
        for code, (status, *_) in dialect.catalog.items():
            codes.setdefault(code, status)
    return codes


def _first_line(check: Any) -> str:
    return (inspect.getdoc(check) or "").split("\n", 1)[0]
