"""Who may reach /__admin and the dashboard: with an admin token set, only a caller that sends it."""

from __future__ import annotations

import hmac
import ipaddress

from flask import Flask, jsonify, request

OPEN_PATHS = ("/__admin/health",)  # load balancers and readiness checks; it tells only the vendor keys
OPEN_PREFIXES = ("/__admin/ui/static/",)  # the package's own JS and CSS: a <script src> cannot send a header
DASHBOARD_PAGE = "dashboard.page"  # also served at '/'; the one place a token may come in the URL (?token=)
REALM = 'Bearer realm="mockservers"'
MISSING = "this server's /__admin needs 'Authorization: Bearer <admin token>' (serve --admin-token)"
WRONG = "the admin token is wrong"


def install(app: Flask, token: str | None) -> None:
    """Guard the control plane. Registered before the core's own request hook, so a refused call touches
    nothing (not even the namespace it names)."""
    if not token:
        return
    expected = token.encode("utf-8")

    @app.before_request
    def _guard():
        path = request.path
        page = request.endpoint == DASHBOARD_PAGE
        if not (page or path.startswith("/__admin")) or path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
            return None
        sent = _bearer(request.headers.get("Authorization"))
        if sent is None and page:
            sent = request.args.get("token") or None
        if sent is None:
            return _refuse(MISSING, "")
        if not hmac.compare_digest(sent.encode("utf-8", "surrogateescape"), expected):
            return _refuse(WRONG, ', error="invalid_token"')
        return None


def _bearer(header: str | None) -> str | None:
    scheme, _, credentials = (header or "").partition(" ")
    credentials = credentials.strip()
    return credentials if scheme.lower() == "bearer" and credentials else None


def _refuse(message: str, detail: str):
    response = jsonify(error=message)
    response.status_code = 401
    response.headers["WWW-Authenticate"] = REALM + detail
    return response


def token_problem(token: str | None) -> str | None:
    """What makes a token unusable in an Authorization header, if anything."""
    if token is None:
        return None
    if not token or not all(33 <= ord(c) <= 126 for c in token):
        return "--admin-token must be printable ASCII without spaces"
    return None


def loopback_only(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve to anything


def exposure_warning(host: str, token: str | None) -> str | None:
    """One paragraph for stderr when the control plane is reachable beyond this machine and unguarded."""
    if token or loopback_only(host):
        return None
    return (
        f"mockservers: WARNING: listening on {host}, beyond this machine's loopback, without an admin token: "
        "anyone who can reach this port can read the request journal, reset or restore the state, add fault "
        "rules and move the clock through /__admin and the dashboard. Set --admin-token TOKEN (or "
        "MOCKSERVERS_ADMIN_TOKEN, or admin_token in the --config file) to require 'Authorization: Bearer "
        "TOKEN' there, or bind to 127.0.0.1."
    )
