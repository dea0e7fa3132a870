"""The pytest plugin an integrator's suite gets by installing mockservers (entry point `pytest11`).

Fixtures: `mock_server` (a live server on a loopback port), `mock_app` (the Flask app in-process), `mock_client`
(its test client) and `vendor_session` (a requests.Session that reaches `mock_app` at the vendors' real hostnames).
In code: `Admin` (the /__admin client), `Server` (a running server), `LiveServer` (one started in this process),
`routed_session` and `test_settings`. Options: `--mock-server-url`, `--mock-admin-token`.
"""

from __future__ import annotations

import json
import os
import threading
import time as _time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from mockservers.core.namespaces import HEADER as NAMESPACE_HEADER
from mockservers.settings import Settings


def test_settings(**overrides: Any) -> Settings:
    """Settings for a test: memory state, virtual clock, seed 0, no background thread; `overrides` win."""
    values: dict[str, Any] = dict(state="memory", clock="virtual", seed=0, background=False)
    values.update(overrides)
    return Settings(**values)


test_settings.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test, wherever a test imports it


class Admin:
    """The /__admin control plane of a server reached over HTTP.

    `base_url`: the server's root (`http://127.0.0.1:8080`); `session`: the requests.Session to send with (a new one
    by default); `namespace`: the X-Mock-Namespace every call is scoped to (the default namespace without one);
    `token`: the server's --admin-token, sent as `Authorization: Bearer`. A call /__admin answers with a 4xx or 5xx
    raises AssertionError carrying the status and the body.
    """

    def __init__(
        self,
        base_url: str,
        session: requests.Session | None = None,
        namespace: str | None = None,
        token: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/__admin"
        self.http = session or requests.Session()
        self.namespace = namespace
        self.token = token
        if namespace:
            self.http.headers[NAMESPACE_HEADER] = namespace

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        # per call, not on the session: a session handed in may also carry vendor calls (OSS has its own header)
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else None
        response = self.http.request(method, self.base_url + path, timeout=60, headers=headers, **kwargs)
        if response.status_code >= 400:
            raise AssertionError(f"/__admin{path} answered {response.status_code}: {response.text}")
        return response.json()

    def health(self) -> dict:
        """`{"status": "ok", "vendors": [...]}` once the server is ready."""
        return self._call("GET", "/health")

    def reset(self) -> None:
        """Forget the namespace's state, journal, faults and callbacks; vendor seed data is loaded again."""
        self._call("POST", "/reset")

    def clock(self) -> dict:
        """The namespace's clock: its mode and the current time."""
        return self._call("GET", "/clock")

    def advance(self, seconds: float) -> dict:
        """Move the virtual clock on by `seconds`; every job step and callback that falls due runs, in order,
        before this returns. The clock after the move."""
        return self._call("POST", "/clock/advance", json={"seconds": seconds})

    def requests(self, **filters: Any) -> list[dict]:
        """The request journal, oldest first; `filters` are /__admin/requests' query parameters (vendor, method,
        path, status, unmatched, limit)."""
        return self._call("GET", "/requests", params=filters)["requests"]

    def callbacks(self, vendor: str | None = None) -> list[dict]:
        """Every callback (of `vendor`, if given): target URL, body, attempts and state."""
        return self._call("GET", "/callbacks", params={"vendor": vendor} if vendor else None)["callbacks"]

    def redeliver(self, callback_id: int) -> dict:
        """Send a callback again now; the callback with its new attempt."""
        return self._call("POST", f"/callbacks/{callback_id}/redeliver")

    def add_fault(self, rule: dict) -> dict:
        """Add a fault rule (README, "Control plane"); the rule as stored, with its id."""
        return self._call("POST", "/faults", json=rule)

    def faults(self) -> list[dict]:
        """The fault rules in force."""
        return self._call("GET", "/faults")["faults"]

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self._call("DELETE", "/faults")

    def delete_fault(self, rule_id: int) -> None:
        """Remove one fault rule."""
        self._call("DELETE", f"/faults/{rule_id}")

    def namespaces(self) -> list[str]:
        """The names of the namespaces the server holds."""
        return self._call("GET", "/namespaces")["namespaces"]

    def delete_namespace(self, name: str) -> None:
        """Forget a namespace (its state, journal, faults, callbacks and files): a server holds at most
        `max_namespaces`."""
        self._call("DELETE", f"/namespaces/{name}")

    # ---- verification: poll until the condition holds, or fail listing the near misses ----

    def _poll(self, check: Callable[[], Any], timeout: float, advance: float | None, interval: float = 0.05) -> Any:
        deadline = _time.monotonic() + timeout
        while True:
            found = check()
            if found:
                return found
            if _time.monotonic() >= deadline:
                return None
            if advance:
                self.advance(advance)
            else:
                threading.Event().wait(interval)

    def await_callback(
        self,
        vendor: str,
        match: dict | Callable[[dict], bool] | None = None,
        timeout: float = 10.0,
        advance: float | None = None,
        delivered: bool = True,
    ) -> dict:
        """The first callback of `vendor` whose body matches (a dict of expected fields, or a predicate), and
        that was delivered (or, with delivered=False, at least attempted). `advance`: virtual seconds to move
        the clock between polls."""

        def matches(cb: dict) -> bool:
            if match is None:
                return True
            if callable(match):
                return bool(match(cb["body"]))
            return isinstance(cb["body"], dict) and all(cb["body"].get(k) == v for k, v in match.items())

        def done(cb: dict) -> bool:
            return cb["state"] == "delivered" if delivered else bool(cb["attempts"])

        found = self._poll(
            lambda: next((cb for cb in self.callbacks(vendor) if matches(cb) and done(cb)), None), timeout, advance
        )
        if found:
            return found
        near = [
            f"  #{cb['id']} {cb['state']} to {cb['url']}, {len(cb['attempts'])} attempt(s), body "
            f"{json.dumps(cb['body'], ensure_ascii=False)[:200]}"
            for cb in self.callbacks(vendor)
        ]
        raise AssertionError(
            f"no {'delivered ' if delivered else ''}{vendor} callback matching {match!r} within "
            f"{timeout}s; callbacks seen:\n" + ("\n".join(near) or "  (none)")
        )

    def expect_requests(
        self,
        vendor: str | None = None,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        count: int | None = None,
        timeout: float = 0.0,
    ) -> list[dict]:
        """Journal entries matching every given field (path may hold '*'); `count` exact, else at least one."""

        def matching() -> tuple[list[dict]] | None:  # wrapped: an empty list is a match when count is 0
            entries = self.requests(
                **{
                    k: v
                    for k, v in (("vendor", vendor), ("method", method), ("path", path), ("status", status))
                    if v is not None
                }
            )
            ok = len(entries) == count if count is not None else bool(entries)
            return (entries,) if ok else None

        found = self._poll(matching, timeout, None)
        if found is not None:
            return found[0]
        wanted = {
            k: v
            for k, v in (("vendor", vendor), ("method", method), ("path", path), ("status", status))
            if v is not None
        }
        near = [
            f"  {e['method']} {e['path']}{'?' + e['query'] if e['query'] else ''} -> {e['status']}"
            for e in self.requests(**({"vendor": vendor} if vendor else {}), limit=20)
        ]
        raise AssertionError(
            f"expected {count if count is not None else 'at least one'} request(s) matching "
            f"{wanted}; the journal has:\n" + ("\n".join(near) or "  (nothing)")
        )

    def assert_no_unmatched(self) -> None:
        """Fail if any request reached no route (a client calling a URL the vendor does not have)."""
        stray = self.requests(unmatched="true")
        if stray:
            lines = [f"  {e['method']} {e['path']} -> {e['status']}" for e in stray]
            raise AssertionError("requests that matched no route:\n" + "\n".join(lines))


class Namespace:
    """One namespace of a server: `.url(vendor)`, `.session` (a requests.Session that sends the X-Mock-Namespace
    header) and `.admin` (an Admin scoped to it)."""

    def __init__(self, base_url: str, name: str, token: str | None = None) -> None:
        self.name = name
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers[NAMESPACE_HEADER] = name
        self.admin = Admin(base_url, namespace=name, token=token)

    def url(self, vendor: str | None = None) -> str:
        """The base URL of `vendor` (`http://127.0.0.1:PORT/sigma`), or of the server without one."""
        return f"{self.base_url}/{vendor}" if vendor else self.base_url


class Server:
    """A mockservers server reached over HTTP at `base_url`: vendor URLs, namespaces, `.admin` and verification.
    `token`: the server's --admin-token."""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.admin = Admin(self.base_url, token=token)

    def url(self, vendor: str | None = None) -> str:
        """The base URL of `vendor` (`http://127.0.0.1:PORT/sigma`), or of the server without one."""
        return f"{self.base_url}/{vendor}" if vendor else self.base_url

    def namespace(self, name: str) -> Namespace:
        """A namespace of its own on this server: state, journal, clock, seed, faults, callbacks."""
        return Namespace(self.base_url, name, token=self.token)

    def await_callback(self, vendor: str, match: Any = None, **options: Any) -> dict:
        """`Admin.await_callback(vendor, match, timeout=, advance=, delivered=)` on the default namespace."""
        return self.admin.await_callback(vendor, match, **options)

    def expect_requests(self, **kwargs: Any) -> list[dict]:
        """`Admin.expect_requests` on the default namespace."""
        return self.admin.expect_requests(**kwargs)

    def assert_no_unmatched(self) -> None:
        """`Admin.assert_no_unmatched` on the default namespace."""
        self.admin.assert_no_unmatched()

    def stop(self) -> None:
        """A server this process did not start is left running."""


class LiveServer(Server):
    """A mockservers server started in a thread of this process, on a free loopback port (`.port`), built from
    `settings` (`test_settings()` by default: memory state, virtual clock, seed 0). `.app` is its Flask app,
    `.runtime` the default namespace's Runtime. Call `stop()` when done."""

    def __init__(self, settings: Settings | None = None) -> None:
        from mockservers.app import create_app
        from mockservers.serving import PooledWSGIServer

        self.settings = settings or test_settings()
        self.app = create_app(self.settings)
        self.runtime = self.app.extensions["mockservers"]
        self._server = PooledWSGIServer(
            "127.0.0.1", 0, self.app, threads=self.settings.threads, timeout=self.settings.request_timeout
        )
        self.port = self._server.port
        super().__init__(f"http://127.0.0.1:{self.port}", token=self.settings.admin_token)
        self._thread = threading.Thread(target=self._server.serve_forever, name="mockservers-live", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close every namespace's state."""
        self._server.shutdown()
        self._thread.join(timeout=10)
        self.app.extensions["mockservers.namespaces"].close()


class InProcessAdapter(BaseAdapter):
    """A requests transport that hands a vendor's real URL to the in-process app, under the vendor's prefix."""

    def __init__(self, app: Flask, prefix: str) -> None:
        super().__init__()
        self.client = app.test_client()
        self.prefix = prefix

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        from mockservers.core.http import ConnectionDropped

        parts = urlsplit(str(request.url))
        raw_path = parts.path or "/"
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif body is not None and not isinstance(body, bytes):
            body = b"".join(body) if not hasattr(body, "read") else body.read()
        try:
            result = self.client.open(
                self.prefix + raw_path,
                method=request.method,
                query_string=parts.query,
                headers=list(request.headers.items()),
                data=body or b"",
                environ_overrides={"RAW_URI": raw_path + (f"?{parts.query}" if parts.query else "")},
            )
        except ConnectionDropped as exc:
            raise requests.ConnectionError(str(exc), request=request) from exc
        response = requests.Response()
        response.status_code = result.status_code
        response.headers = CaseInsensitiveDict(result.headers.items())
        response._content = result.get_data()
        response.url = str(request.url)
        response.request = request
        response.reason = result.status.split(" ", 1)[1] if " " in result.status else ""
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        return response

    def close(self) -> None:
        pass


def routed_session(app: Flask) -> requests.Session:
    """A requests.Session in which every vendor's real hostname reaches `app`, no socket involved."""
    from mockservers.core.hosts import real_bases

    session = requests.Session()
    for base, prefix in real_bases(app.extensions["mockservers"].vendors.values()).items():
        session.mount(base + "/", InProcessAdapter(app, prefix))
    return session


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--mock-server-url",
        default=os.environ.get("MOCKSERVERS_URL"),
        help="use this running mockservers server (shared, e.g. by pytest -n workers) instead of "
        "starting one; tests should then work in namespaces of their own",
    )
    parser.addoption(
        "--mock-admin-token",
        default=os.environ.get("MOCKSERVERS_ADMIN_TOKEN"),
        help="the admin token the fixtures send to /__admin (the server's --admin-token); without "
        "--mock-server-url, the server the plugin starts requires it too",
    )


@pytest.fixture(scope="session")
def _mockservers_settings() -> Callable[..., Settings]:
    """What makes the Settings of the servers and apps these fixtures start; a conftest.py may override it."""
    return test_settings


@pytest.fixture(scope="session")
def _mockservers_live(
    request: pytest.FixtureRequest, _mockservers_settings: Callable[..., Settings]
) -> Iterator[Server]:
    url = request.config.getoption("--mock-server-url")
    token = request.config.getoption("--mock-admin-token") or None
    server = Server(url, token=token) if url else LiveServer(_mockservers_settings(admin_token=token))
    yield server
    server.stop()


@pytest.fixture
def mock_server(request: pytest.FixtureRequest, _mockservers_live: Server) -> Server:
    """A live server for the session (memory state, virtual clock, seed 0), its default namespace reset before
    each test: `.url("sigma")`, `.admin`, `.namespace(NAME)`, `.await_callback(...)`, `.expect_requests(...)`.
    With --mock-server-url it is that shared server, not reset: work in `mock_server.namespace(NAME)`."""
    if not request.config.getoption("--mock-server-url"):
        _mockservers_live.admin.reset()
    return _mockservers_live


@pytest.fixture
def mock_app(_mockservers_settings: Callable[..., Settings]) -> Iterator[Flask]:
    """The Flask app in-process (memory state, virtual clock, seed 0, no background thread), fresh for each test;
    `mock_app.test_client()` calls it, `/__admin/...` included."""
    from mockservers.app import create_app

    app = create_app(_mockservers_settings(), start_background=False)
    app.testing = True
    yield app
    app.extensions["mockservers.namespaces"].close()


@pytest.fixture
def mock_client(mock_app: Flask) -> FlaskClient:
    """The Flask test client of `mock_app`: `mock_client.post("/sigma/login?...")`."""
    return mock_app.test_client()


@pytest.fixture
def vendor_session(mock_app: Flask) -> Iterator[requests.Session]:
    """A requests.Session in which the vendors' real hostnames (e.g. https://api.12sigma.ai) reach `mock_app`,
    no socket involved: a client with a hard-coded URL is tested unmodified."""
    session = routed_session(mock_app)
    yield session
    session.close()
