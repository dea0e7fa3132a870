"""Wraps every vendor route the same way: one transaction, fault rules, the journal, the vendor's error dialect."""
from __future__ import annotations

import logging
import os
import socket
import struct
import threading
import time
from typing import TYPE_CHECKING

from flask import Flask, Response, current_app, g, jsonify, request
from werkzeug.exceptions import BadRequest, HTTPException, NotFound
from werkzeug.routing import RequestRedirect

from mockservers.core import journal, jsonbody
from mockservers.core.fake import seeded_random
from mockservers.core.faults import MAX_DELAY_MS, delay_seconds
from mockservers.core.namespaces import DEFAULT as DEFAULT_NAMESPACE
from mockservers.core.namespaces import HEADER as NAMESPACE_HEADER
from mockservers.core.namespaces import InvalidNamespace
from mockservers.core.replay import AS_WRITER, READ_METHODS, START_OVER, StartStaleReadersOver
from mockservers.core.store import StaleRead
from mockservers.core.vendor import VendorError, VendorSpec

if TYPE_CHECKING:
    from mockservers.core.namespaces import Namespaces
    from mockservers.core.runtime import Context, Runtime

log = logging.getLogger(__name__)
ADMIN_PREFIX = "/__admin"
CLOSE_BY_RAISING = "mockservers.close_by_raising"  # environ key: a server whose socket is out of reach (granian)


class ConnectionDropped(ConnectionResetError):
    """Raised in-process where there is no socket to reset (test client, vendor_session)."""


def before_transaction(work):
    """Marks a view: `work()` runs before the request's transaction, so outside SQLite's one-writer lock, where
    another worker's writer does not hold it up. It must not touch the state, nor raise: what it learns it keeps in
    `g` for the view, which meets any failure again, in order."""
    def mark(view):
        view.before_transaction = work
        return view
    return mark


def current_ctx() -> "Context":
    return g.ctx


def runtime_of(app: Flask) -> "Runtime":
    """The runtime of the current request's namespace (the default one outside a request)."""
    return g.get("runtime") or app.extensions["mockservers"]


def owner_of(runtime: "Runtime", path: str, root_vendor: str | None) -> VendorSpec | None:
    if path.startswith(ADMIN_PREFIX):
        return None
    first = path.lstrip("/").split("/", 1)[0]
    if first in runtime.vendors:
        return runtime.vendors[first]
    for vendor in runtime.vendors.values():
        if vendor.claims_root_path(path):
            return vendor
    if root_vendor:
        return runtime.vendors[root_vendor]
    return None


def _header_safe(text: str) -> str:
    """HTTP header values are latin-1 without control characters: anything else goes as backslash escapes."""
    escaped = text.encode("ascii", "backslashreplace").decode("ascii")
    return "".join(c if 32 <= ord(c) < 127 else f"\\x{ord(c):02x}" for c in escaped)


def _namespace_asked() -> str:
    """The header; for /__admin also `?namespace=` (an <img> or a link cannot send a header)."""
    name = request.headers.get(NAMESPACE_HEADER)
    if not name and request.path.startswith(ADMIN_PREFIX):
        name = request.args.get("namespace")
    return name or DEFAULT_NAMESPACE


def request_fields() -> dict:
    """Query, form and JSON body fields. A body that is JSON the server refuses (jsonbody) is a 400 in the
    vendor's dialect; a body that is not JSON at all adds no fields."""
    fields = dict(request.args.items())
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields.update(request.form.items())
    body = json_body_or_none() if request.content_length else None
    if isinstance(body, dict):
        fields.update(body)
    return fields


def json_body_or_none():
    """The body as JSON; None when it is not JSON; a 400 when it is JSON the server refuses (too deep...)."""
    try:
        return jsonbody.loads(request.get_data(cache=True))
    except jsonbody.RefusedJSON as exc:
        raise BadRequest(f"body: {exc}") from None
    except jsonbody.NotJSON:
        return None


def _drop_connection() -> Response:
    """Reset the client's connection. In-process (no socket) this raises ConnectionDropped instead."""
    g.vendor = None  # journaled already; nothing more to record
    sock = request.environ.get("werkzeug.socket") or request.environ.get("gunicorn.socket")
    if sock is None and request.environ.get(CLOSE_BY_RAISING):
        # The server closes the connection when the body fails. Announcing a long body makes granian wait for it
        # before sending the status line, mostly: sometimes the status line goes first.
        return Response(_raising(), status=500, headers={"Content-Length": str(1 << 20)})
    if sock is None:
        raise ConnectionDropped("connection dropped by fault rule")
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    return Response(status=500)  # never arrives: the server's write fails quietly on the closed socket


def _raising(*sent: bytes):
    """A body that sends `sent`, then fails: a server with no reachable socket closes the connection."""
    yield from sent
    raise ConnectionDropped("connection closed by fault rule")


class CollapseSlashes:
    """WSGI middleware: '//' in a path under a vendor that asks for it is read as '/' (no redirect)."""

    def __init__(self, wsgi_app, prefixes: tuple[str, ...]):
        self.wsgi_app = wsgi_app
        self.prefixes = prefixes

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if "//" in path and path.startswith(self.prefixes):
            while "//" in path:
                path = path.replace("//", "/")
            environ["PATH_INFO"] = path
        return self.wsgi_app(environ, start_response)


def install(app: Flask, namespaces: "Namespaces", root_vendor: str | None = None) -> None:
    app.extensions["mockservers"] = namespaces.default
    app.extensions["mockservers.namespaces"] = namespaces
    vendors = namespaces.default.vendors
    app.url_map.merge_slashes = False
    collapsing = tuple(f"/{v.key}/" for v in vendors.values() if v.collapse_slashes)
    app.wsgi_app = StartStaleReadersOver(app.wsgi_app)
    if collapsing:
        app.wsgi_app = CollapseSlashes(app.wsgi_app, collapsing)

    @app.before_request
    def _begin():
        g.t0 = time.perf_counter()
        g.fault_rule = None
        g.failed = False
        g.explain = None
        g.runtime = namespaces.default
        vendor = owner_of(namespaces.default, request.path, root_vendor)
        g.vendor = vendor
        try:
            g.runtime = namespaces.get(_namespace_asked())
        except InvalidNamespace as exc:
            g.vendor = None  # nothing is journaled in a namespace that does not exist
            if vendor is None:
                return jsonify(error=str(exc)), 400
            g.failed, g.explain = True, str(exc)
            return vendor.render_error(vendor.http_error(400, str(exc)))
        if vendor is None:
            return None
        runtime = g.runtime
        if isinstance(request.routing_exception, RequestRedirect):
            request.routing_exception = NotFound()  # a wrong slash is a 404 in the vendor's envelope, not a redirect
        request.get_data(cache=True)  # read now: the journal wants it, and an oversized body fails here (413)
        early = getattr(current_app.view_functions.get(request.endpoint), "before_transaction", None)
        if early is not None:
            early()
        store = runtime.store
        write = request.environ.get(AS_WRITER) or request.method not in READ_METHODS
        g.db = store.open(write=write)
        action = None
        if runtime.faults.might_match(g.db, vendor.key, request.method, request.path, _fields_for_faults):
            if not write:  # counting a rule is a write: the request is a writer from the start
                store.close(g.pop("db"), commit=False)
                g.db = store.open(write=True)
            matched, action = _match_fault(runtime, vendor, g.db)
            if matched:  # a rule counted this request: keep its counts, whatever becomes of the request
                store.close(g.pop("db"), commit=True)
                if action:
                    answered = _apply_fault(vendor, action)  # before the request's transaction: it may raise
                    if answered is not None:
                        return answered
                g.db = store.open(write=True)
        runtime.clock.load(g.db)
        g.ctx = runtime.context(g.db, vendor.key, fault=action)
        return None

    @app.after_request
    def _finish(response: Response):
        runtime = g.get("runtime") or namespaces.default
        db = g.pop("db", None)
        vendor = g.get("vendor")
        commit = response.status_code < 400 and not g.failed
        journaled = False
        if db is not None:
            if commit and vendor is not None and not db.info.get("store.reader"):
                _journal(runtime, vendor, response, db)  # one transaction for the request and its record
                journaled = True
            try:
                runtime.store.close(db, commit=commit)
            except StaleRead:
                request.environ[START_OVER] = True  # this answer is never sent
                return response
        if vendor is not None and not journaled:
            _journal(runtime, vendor, response)  # a reader's record, or a rejected request's: a short write
        if g.get("explain"):
            response.headers["X-Mock-Explain"] = _header_safe(g.explain)
        truncate = (g.get("ctx").fault if g.get("ctx") else {}).get("truncate")
        if vendor is not None and truncate is not None and truncate is not False:
            response = _truncate(response, truncate)
        return response

    @app.teardown_request
    def _teardown(_exc):
        db = g.pop("db", None)
        if db is not None:
            (g.get("runtime") or namespaces.default).store.close(db, commit=False)

    @app.errorhandler(VendorError)
    def _vendor_error(error: VendorError):
        g.failed = True
        g.explain = error.explain
        vendor = g.get("vendor")
        if vendor is None:
            return jsonify(error=error.message), error.status
        return vendor.render_error(error)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        g.failed = True
        vendor = g.get("vendor")
        if vendor is None:
            return jsonify(error=error.description, status=error.code), error.code
        verr = vendor.http_error(error.code or 500, error.description or "")
        g.explain = verr.explain or error.description
        response = vendor.render_error(verr)
        if error.code == 405 and isinstance(error, HTTPException):
            allowed = error.get_headers()
            for name, value in allowed:
                if name.lower() == "allow":
                    response.headers["Allow"] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, ConnectionDropped):
            raise error
        if g.get("db") is not None and runtime_of(app).store.is_stale(error):
            request.environ[START_OVER] = True  # a reader that wrote too late: run again as a writer
            g.vendor = None
            g.failed = True
            return Response(status=503)
        log.exception("unhandled error on %s %s", request.method, request.path)
        g.failed = True
        vendor = g.get("vendor")
        # The log has the exception; the answer names none (its class and message are the mock's internals).
        if vendor is None:
            return jsonify(error="internal error: see the server's log"), 500
        return vendor.render_error(vendor.http_error(500, "internal error in the mock: see the server's log"))


def _fields_for_faults() -> dict:
    try:
        return request_fields()
    except Exception:  # an unreadable body is the route's to reject, not the fault matcher's
        return dict(request.args.items())


def _match_fault(runtime: "Runtime", vendor: VendorSpec, db) -> tuple[bool, dict | None]:
    """(whether any rule counted this request, the action of the rule that fired)."""
    fields = _fields_for_faults()
    matched, rule = runtime.faults.match_request(db, vendor.key, request.method, request.path, fields)
    if rule is None:
        return matched, None
    g.fault_rule = rule.id
    action = dict(rule.action)
    if "delay_ms" in action:
        rng = seeded_random(runtime.settings.seed, "latency", rule.id, rule.fired)
        action["delay_seconds"] = delay_seconds(action["delay_ms"], rng, most=MAX_DELAY_MS)
    return True, action


def _apply_fault(vendor: VendorSpec, action: dict):
    if action.get("delay_seconds"):
        threading.Event().wait(action["delay_seconds"])  # real latency, as the client would see it
    if action.get("drop"):
        _journal(g.runtime, vendor, None)
        return _drop_connection()
    if action.get("error"):
        raise vendor.error_for_code(action["error"], action.get("message"))
    if action.get("status"):
        g.failed = True
        return Response(status=action["status"])
    return None


def _truncate(response: Response, keep: int | bool) -> Response:
    """Announce the whole body, send only part of it, then close the connection."""
    body = response.get_data()
    keep = len(body) // 2 if keep is True else min(int(keep), len(body))
    socket_ = request.environ.get("werkzeug.socket") or request.environ.get("gunicorn.socket")

    def partial():
        yield body[:keep]
        if socket_ is not None:
            try:
                socket_.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    if request.environ.get(CLOSE_BY_RAISING):  # failing the body closes the connection; the empty chunk makes
        response.response = _raising(body[:keep], b"")  # granian send the first (it holds a lone one back)
    else:
        response.response = partial()
    response.headers["Content-Length"] = str(len(body))
    return response


def _journal(runtime: "Runtime", vendor: VendorSpec, response: Response | None, db=None) -> None:
    """Record the request: in `db` (the request's own transaction) when given, else in a transaction of its own."""
    try:
        if response is None:
            response_text = "<connection dropped>"
        elif response.direct_passthrough or response.is_streamed:
            response_text = f"<streamed {response.mimetype}>"
        else:
            response_text = journal.text_of(response.get_data(), response.mimetype)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in journal.SKIPPED_HEADERS}
        entry = dict(
                ts=runtime.clock.now(), vendor=vendor.key, method=request.method, path=request.path,
                query=request.query_string.decode("latin-1"), headers=headers,
                body=journal.text_of(request.get_data(cache=True), request.mimetype),
                status=response.status_code if response is not None else 0, response_body=response_text,
                duration_ms=(time.perf_counter() - g.t0) * 1000.0, fault_id=g.get("fault_rule"),
                explain=g.get("explain"), unmatched=request.url_rule is None, worker=os.getpid(),
            )
        journal.mask_entry(entry, vendor.credential_names)
        if db is not None:
            journal.record(db, runtime.settings.journal_size, **entry)
        else:
            journal.record_apart(runtime.store, runtime.settings.journal_size, **entry)
    except Exception:
        log.exception("journal write failed")
