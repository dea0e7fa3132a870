"""Wraps every vendor route the same way: one transaction, fault rules, the journal, the vendor's error dialect."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import quote

from flask import Flask, Response, current_app, g, jsonify, request
from werkzeug.exceptions import BadRequest, HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from mockservers.core import errors, journal, jsonbody
from mockservers.core.fake import seeded_random
from mockservers.core.faults import MAX_DELAY_MS, delay_seconds
from mockservers.core.namespaces import DEFAULT as DEFAULT_NAMESPACE
from mockservers.core.namespaces import HEADER as NAMESPACE_HEADER
from mockservers.core.namespaces import InvalidNamespace
from mockservers.core.replay import AS_WRITER, READ_METHODS, START_OVER, StartStaleReadersOver
from mockservers.core.store import StaleRead
from mockservers.core.vendor import VendorError, VendorSpec
from mockservers.favicon import ENDPOINT as FAVICON

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from mockservers.core.namespaces import Namespaces
    from mockservers.core.runtime import Context, Runtime

log = logging.getLogger(__name__)
ADMIN_PREFIX = "/__admin"
SERVER_PATHS = ("viewer",)  # first path segments the server keeps (/viewer/: the OHIF Viewer): no vendor's
CLOSE_BY_RAISING = "mockservers.close_by_raising"  # environ key: a server whose socket is out of reach (granian)
STATE = "mockservers_request"  # the name of the request's RequestState in flask.g
# SO_LINGER on, 0 s: closing sends a reset. Windows' struct linger is two u_shorts, POSIX's two ints.
LINGER_NONE = struct.pack("HH" if os.name == "nt" else "ii", 1, 0)


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


@dataclass
class RequestState:
    """What the core knows of one request, kept in flask.g under one name (STATE)."""

    runtime: Runtime  # the namespace's (the default one until the namespace is known)
    vendor: VendorSpec | None  # whose request it is; None for /__admin, or once there is nothing more to journal
    started: float = field(default_factory=time.perf_counter)
    db: Session | None = None  # the request's transaction, while it is open
    ctx: Context | None = None  # what the vendor's code gets
    fault_rule: int | None = None  # the fault rule that fired on it
    failed: bool = False  # a vendor error was answered: roll back
    explain: str | None = None  # X-Mock-Explain, before escaping

    def take_db(self) -> Session | None:
        """The open transaction, which the caller now closes."""
        db, self.db = self.db, None
        return db


def request_state() -> RequestState | None:
    """The current request's state (None outside a request, or before the core's hook ran)."""
    return g.get(STATE)


def current_ctx() -> Context:
    """The Context of the current vendor request (its transaction, clock, config, fault)."""
    state = request_state()
    if state is None or state.ctx is None:
        raise RuntimeError("no vendor request context: current_ctx() is for a vendor's views")
    return state.ctx


def runtime_of(app: Flask) -> Runtime:
    """The runtime of the current request's namespace (the default one outside a request)."""
    state = request_state()
    return state.runtime if state is not None else app.extensions["mockservers"]


def per_answer(label: str, *, timed: bool = False) -> tuple[int, tuple]:
    """(seed, parts) for a value fresh on every answer, such as a request id: parts are the label, the namespace,
    the request's time when `timed`, and the runtime's next answer number (Runtime.answer_numbers). Before a
    runtime is known: seed 0, namespace '', time 0.0, number 0."""
    state = request_state()
    if state is None:
        return 0, (label, "", 0.0, 0) if timed else (label, "", 0)
    runtime = state.runtime
    if not timed:
        return runtime.settings.seed, (label, runtime.namespace, next(runtime.answer_numbers))
    now = state.ctx.now if state.ctx is not None else runtime.clock.now()
    return runtime.settings.seed, (label, runtime.namespace, now, next(runtime.answer_numbers))


def owner_of(runtime: Runtime, path: str, root_vendor: str | None) -> VendorSpec | None:
    first = path.lstrip("/").split("/", 1)[0]
    if path.startswith(ADMIN_PREFIX) or first in SERVER_PATHS:
        return None
    if first in runtime.vendors:
        return runtime.vendors[first]
    for vendor in runtime.vendors.values():
        if vendor.claims_root_path(path):
            return vendor
    if root_vendor:
        return runtime.vendors[root_vendor]
    return None


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


def _drop_connection(state: RequestState) -> Response:
    """Reset the client's connection. In-process (no socket) this raises ConnectionDropped instead."""
    state.vendor = None  # journaled already; nothing more to record
    sock = request.environ.get("werkzeug.socket") or request.environ.get("gunicorn.socket")
    if sock is None and request.environ.get(CLOSE_BY_RAISING):
        # The server closes the connection when the body fails. Announcing a long body makes granian wait for it
        # before sending the status line, mostly: sometimes the status line goes first.
        return Response(_raising(), status=500, headers={"Content-Length": str(1 << 20)})
    if sock is None:
        raise ConnectionDropped("connection dropped by fault rule")
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_NONE)
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


class RequestCycle:
    """The core's hooks around every request: picks the namespace and the vendor, opens the request's transaction,
    applies fault rules, commits or rolls back, journals, and answers every failure in the vendor's dialect (JSON
    for /__admin). One RequestState a request, in flask.g."""

    def __init__(self, app: Flask, namespaces: Namespaces, root_vendor: str | None = None):
        self.namespaces = namespaces
        self.root_vendor = root_vendor
        app.extensions["mockservers"] = namespaces.default
        app.extensions["mockservers.namespaces"] = namespaces
        app.url_map.merge_slashes = False
        collapsing = tuple(f"/{v.key}/" for v in namespaces.default.vendors.values() if v.collapse_slashes)
        app.wsgi_app = StartStaleReadersOver(app.wsgi_app)  # type: ignore[method-assign]
        if collapsing:
            app.wsgi_app = CollapseSlashes(app.wsgi_app, collapsing)  # type: ignore[method-assign]
        app.before_request(self.begin)
        app.after_request(self.finish)
        app.teardown_request(self.teardown)
        app.register_error_handler(VendorError, self.vendor_error)
        app.register_error_handler(HTTPException, self.http_error)
        app.register_error_handler(Exception, self.unexpected)

    def state(self) -> RequestState:
        """The request's state; a bare one (the default namespace, no vendor) when begin() did not run."""
        state = request_state()
        if state is None:
            state = RequestState(self.namespaces.default, None)
            setattr(g, STATE, state)
        return state

    def begin(self):
        if request.endpoint == FAVICON:  # the browser's, whatever vendor the root path would name
            return None
        vendor = owner_of(self.namespaces.default, request.path, self.root_vendor)
        state = RequestState(self.namespaces.default, vendor)
        setattr(g, STATE, state)
        try:
            state.runtime = self.namespaces.get(_namespace_asked())
        except InvalidNamespace as exc:
            state.vendor = None  # nothing is journaled in a namespace that does not exist
            if vendor is None:
                return jsonify(error=str(exc)), 400
            state.failed, state.explain = True, str(exc)
            return errors.render(vendor, errors.for_status(vendor, 400, str(exc)))
        if vendor is None:
            return None
        runtime = state.runtime
        path = request.path
        if vendor.append_slash and request.url_rule is None and not path.endswith("/") and _names_a_route(path + "/"):
            return _with_slash()
        if isinstance(request.routing_exception, RequestRedirect):
            request.routing_exception = NotFound()  # a wrong slash is a 404 in the vendor's envelope, not a redirect
        request.get_data(cache=True)  # read now: the journal wants it, and an oversized body fails here (413)
        view = current_app.view_functions.get(request.endpoint) if request.endpoint is not None else None
        early = getattr(view, "before_transaction", None)
        if early is not None:
            early()
        store = runtime.store
        write = request.environ.get(AS_WRITER) or request.method not in READ_METHODS
        db = state.db = store.open(write=write)
        action = None
        if runtime.faults.might_match(db, vendor.key, request.method, request.path, _fields_for_faults):
            if not write:  # counting a rule is a write: the request is a writer from the start
                state.db = None
                store.close(db, commit=False)
                db = state.db = store.open(write=True)
            matched, action = _match_fault(state, vendor, db)
            if matched:  # a rule counted this request: keep its counts, whatever becomes of the request
                state.db = None
                store.close(db, commit=True)
                if action:
                    answered = _apply_fault(state, vendor, action)  # before the request's transaction: it may raise
                    if answered is not None:
                        return answered
                state.db = store.open(write=True)
        runtime.clock.load(state.db)
        state.ctx = runtime.context(state.db, vendor.key, fault=action)
        return None

    def finish(self, response: Response):
        state = request_state()
        if state is None:  # a hook before the core's answered (the admin token's guard)
            return response
        runtime, vendor = state.runtime, state.vendor
        db = state.take_db()
        commit = response.status_code < 400 and not state.failed
        explain = errors.header_safe(state.explain) if state.explain is not None else None
        journaled = False
        if db is not None:
            if commit and vendor is not None and not db.info.get("store.reader"):
                _journal(runtime, vendor, state, explain, response, db)  # one transaction: the request, its record
                journaled = True
            try:
                runtime.store.close(db, commit=commit)
            except StaleRead:
                request.environ[START_OVER] = True  # this answer is never sent
                return response
        if vendor is not None and not journaled:
            _journal(runtime, vendor, state, explain, response)  # a reader's or a rejected request's: a short write
        if explain:
            response.headers["X-Mock-Explain"] = explain
        truncate = (state.ctx.fault if state.ctx is not None else {}).get("truncate")
        if vendor is not None and truncate is not None and truncate is not False:
            response = _truncate(response, truncate)
        return response

    def teardown(self, _exc):
        state = request_state()
        db = state.take_db() if state is not None else None
        if state is not None and db is not None:
            state.runtime.store.close(db, commit=False)

    def vendor_error(self, error: VendorError):
        state = self.state()
        state.failed = True
        state.explain = error.explain
        if state.vendor is None:
            return jsonify(error=error.message), error.status
        return errors.render(state.vendor, error)

    def http_error(self, error: HTTPException):
        state = self.state()
        state.failed = True
        vendor = state.vendor
        if vendor is None:
            return jsonify(error=error.description, status=error.code), error.code
        answer = errors.for_status(vendor, error.code or 500, error.description or "")
        state.explain = (error.code == 404 and _slash_away()) or answer.explain or error.description
        response = errors.render(vendor, answer)
        if error.code == 405:
            for name, value in error.get_headers():
                if name.lower() == "allow":
                    response.headers["Allow"] = value
        return response

    def unexpected(self, error: Exception):
        if isinstance(error, ConnectionDropped):
            raise error
        state = self.state()
        if state.db is not None and state.runtime.store.is_stale(error):
            request.environ[START_OVER] = True  # a reader that wrote too late: run again as a writer
            state.vendor = None
            state.failed = True
            return Response(status=503)
        log.exception("unhandled error on %s %s", request.method, request.path)
        state.failed = True
        vendor = state.vendor
        # The log has the exception; the answer names none (its class and message are the mock's internals).
        if vendor is None:
            return jsonify(error="internal error: see the server's log"), 500
        return errors.render(vendor, errors.for_status(vendor, 500, "internal error in the mock: see the server's log"))


def install(app: Flask, namespaces: Namespaces, root_vendor: str | None = None) -> RequestCycle:
    """Wrap every request of `app` (create_app calls it once)."""
    return RequestCycle(app, namespaces, root_vendor)


def _names_a_route(path: str) -> bool:
    """Whether `path` names a route, for any method (Django's is_valid_path knows no method)."""
    adapter = current_app.create_url_adapter(request)
    if adapter is None:
        return False
    try:
        adapter.match(path)
    except MethodNotAllowed:
        return True
    except HTTPException:  # NotFound, or a redirect of its own
        return False
    return True


def _slash_away() -> str | None:
    """For a path that names no route, the explanation when one trailing slash more or less would name one."""
    path = request.path
    if request.url_rule is not None or path == "/":
        return None
    if path.endswith("/"):
        other, how = path[:-1], "without the trailing slash"
    else:
        other, how = path + "/", "with a trailing slash"
    if not _names_a_route(other):
        return None
    return f"no such path; did you mean {request.script_root}{other} ({how})?"


def _with_slash() -> Response:
    """CommonMiddleware's answer outside DEBUG: 301, an empty text/html body, Location the path as the client
    sent it plus '/', the query string as sent (a relative URL, as Django has sent since 1.9)."""
    path = quote(request.script_root + request.path, safe="/:@&+$,-_.!~*'()") + "/"
    query = request.query_string.decode("latin-1")
    response = Response(b"", status=301, mimetype="text/html")
    response.headers["Location"] = f"{path}?{query}" if query else path
    return response


def _fields_for_faults() -> dict:
    try:
        return request_fields()
    except Exception:  # an unreadable body is the route's to reject, not the fault matcher's
        return dict(request.args.items())


def _match_fault(state: RequestState, vendor: VendorSpec, db: Session) -> tuple[bool, dict | None]:
    """(whether any rule counted this request, the action of the rule that fired)."""
    runtime = state.runtime
    fields = _fields_for_faults()
    matched, rule = runtime.faults.match_request(db, vendor.key, request.method, request.path, fields)
    if rule is None:
        return matched, None
    state.fault_rule = rule.id
    action = dict(rule.action)
    if "delay_ms" in action:
        rng = seeded_random(runtime.settings.seed, "latency", rule.id, rule.fired)
        action["delay_seconds"] = delay_seconds(action["delay_ms"], rng, most=MAX_DELAY_MS)
    return True, action


def _apply_fault(state: RequestState, vendor: VendorSpec, action: dict):
    if action.get("delay_seconds"):
        threading.Event().wait(action["delay_seconds"])  # real latency, as the client would see it
    if action.get("drop"):
        _journal(state.runtime, vendor, state, None, None)
        return _drop_connection(state)
    if action.get("error"):
        raise errors.error_for_code(vendor, action["error"], action.get("message"))
    if action.get("status"):
        state.failed = True
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
            with contextlib.suppress(OSError):
                socket_.shutdown(socket.SHUT_RDWR)

    if request.environ.get(CLOSE_BY_RAISING):  # failing the body closes the connection; the empty chunk makes
        response.response = _raising(body[:keep], b"")  # granian send the first (it holds a lone one back)
    else:
        response.response = partial()
    response.headers["Content-Length"] = str(len(body))
    return response


def _journal(
    runtime: Runtime, vendor: VendorSpec, state: RequestState, explain: str | None, response: Response | None, db=None
) -> None:
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
            ts=runtime.clock.now(),
            vendor=vendor.key,
            method=request.method,
            path=request.path,
            query=request.query_string.decode("latin-1"),
            headers=headers,
            body=journal.text_of(request.get_data(cache=True), request.mimetype),
            status=response.status_code if response is not None else 0,
            response_body=response_text,
            response_headers=dict(response.headers.items()) if response is not None else {},
            duration_ms=(time.perf_counter() - state.started) * 1000.0,
            fault_id=state.fault_rule,
            explain=explain,
            unmatched=request.url_rule is None,
            worker=os.getpid(),
        )
        journal.mask_entry(entry, vendor.credential_names)
        if db is not None:
            journal.record(db, runtime.settings.journal_size, **entry)
        else:
            journal.record_apart(runtime.store, runtime.settings.journal_size, **entry)
    except Exception:
        log.exception("journal write failed")
