"""The pytest plugin an integrator's suite gets by installing mockservers (entry point `pytest11`).

Fixtures: `mock_server` (a live server on a loopback port; with --mock-server-url a shared one, in a namespace of
the test's own), `mock_app` (the Flask app in-process), `mock_client` (its test client), `vendor_session` (a
requests.Session that reaches `mock_app` at the vendors' real hostnames), `vendor_httpx` and `vendor_httpx_async`
(the same for httpx: mockservers.httpx_routing), `sample_dicom` (a DICOM file to upload) and `verify_pacts` (pact
files verified against the live server: mockservers.pact).
In code: `Admin` (the /__admin client), `Server` (a running server, in one namespace), `Namespace`, `LiveServer`
(one started in this process), `routed_session` and `test_settings`. Options: `--mock-server-url`,
`--mock-admin-token`.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import threading
import time as _time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

# What a pytest start in an integrator's environment pays for this plugin: these names only. Flask, requests, the
# server and its store (SQLAlchemy) are imported when a fixture or a class first needs them.
from mockservers.core.namespace_header import DEFAULT as DEFAULT_NAMESPACE
from mockservers.core.namespace_header import HEADER as NAMESPACE_HEADER

if TYPE_CHECKING:
    import httpx
    import requests
    from flask import Flask
    from flask.testing import FlaskClient

    from mockservers.requests_routing import InProcessAdapter as InProcessAdapter
    from mockservers.requests_routing import call_app as call_app
    from mockservers.requests_routing import routed_session as routed_session
    from mockservers.settings import Settings

# Named here, defined in mockservers.requests_routing (which imports requests and Flask): loaded on first use.
_ROUTING = ("InProcessAdapter", "call_app", "routed_session")


def __getattr__(name: str) -> Any:
    if name in _ROUTING:
        from mockservers import requests_routing

        return getattr(requests_routing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def test_settings(**overrides: Any) -> Settings:
    """Settings for a test: memory state, virtual clock, seed 0, no background thread; `overrides` win."""
    from mockservers.settings import Settings

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
        import requests

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
        """The request journal, newest first; `filters` are /__admin/requests' query parameters (vendor, method,
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

        clock_before = None if advance else self.clock()
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
            f"{timeout}s; callbacks seen:\n" + ("\n".join(near) or "  (none)") + self._frozen_clock_hint(clock_before)
        )

    def _frozen_clock_hint(self, before: dict | None) -> str:
        """What to do when the wait was on a virtual clock nobody moved: jobs and callbacks wait for it."""
        if before is None or before["mode"] != "virtual":
            return ""
        after = self.clock()
        if after["now"] != before["now"]:
            return ""
        return (
            f"\nthe virtual clock never moved (it stayed at {after['iso']}): a job's steps and its callbacks wait "
            "for it. Pass advance=1 to move it 1 second between polls, or move it yourself with "
            "mock_server.admin.advance(N)."
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


class Server:
    """A mockservers server reached over HTTP at `base_url`, in one of its namespaces (`namespace`; the default one
    without): `.url(vendor)`, `.session` (a requests.Session that sends the X-Mock-Namespace header), `.admin` (the
    /__admin control plane, scoped to the namespace), `.namespace(NAME)` and the verifications that wait.
    `token`: the server's --admin-token. The control-plane calls live on `.admin` only: `mock_server.add_fault`
    raises an AttributeError that says `mock_server.admin.add_fault`."""

    def __init__(self, base_url: str, token: str | None = None, namespace: str | None = None) -> None:
        import requests

        self.base_url = base_url.rstrip("/")
        self.token = token
        self.name = namespace or DEFAULT_NAMESPACE
        self.session = requests.Session()
        if namespace:
            self.session.headers[NAMESPACE_HEADER] = namespace
        self.admin = Admin(self.base_url, namespace=namespace, token=token)

    _label = "mock_server"

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("_") and callable(getattr(Admin, name, None)):
            raise AttributeError(
                f"{self._label} has no {name!r}: it is {self._label}.admin.{name}(...) (every /__admin call is on "
                f".admin)"
            )
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def url(self, vendor: str | None = None) -> str:
        """The base URL of `vendor` (`http://127.0.0.1:PORT/sigma`), or of the server without one."""
        return f"{self.base_url}/{vendor}" if vendor else self.base_url

    def namespace(self, name: str) -> Namespace:
        """A namespace of its own on this server: state, journal, clock, seed, faults, callbacks."""
        return Namespace(self.base_url, name, token=self.token)

    def await_callback(self, vendor: str, match: Any = None, **options: Any) -> dict:
        """`Admin.await_callback(vendor, match, timeout=, advance=, delivered=)` in this namespace."""
        return self.admin.await_callback(vendor, match, **options)

    def expect_requests(self, **kwargs: Any) -> list[dict]:
        """`Admin.expect_requests` in this namespace."""
        return self.admin.expect_requests(**kwargs)

    def assert_no_unmatched(self) -> None:
        """`Admin.assert_no_unmatched` in this namespace."""
        self.admin.assert_no_unmatched()

    def close(self) -> None:
        """Close the HTTP sessions this object opened (`.session`, `.admin`'s)."""
        self.session.close()
        self.admin.http.close()

    def stop(self) -> None:
        """A server this process did not start is left running; only the sessions are closed."""
        self.close()


class Namespace(Server):
    """One namespace `name` of a server: `.url(vendor)`, `.session` (sends the X-Mock-Namespace header), `.admin`
    (an Admin scoped to it) and the verifications that wait, as on Server."""

    def __init__(self, base_url: str, name: str, token: str | None = None) -> None:
        super().__init__(base_url, token=token, namespace=name)
        self._label = f"mock_server.namespace({name!r})"


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
        self.close()
        self._server.shutdown()
        self._thread.join(timeout=10)
        self.app.extensions["mockservers.namespaces"].close()


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


DEFAULT_PORTS = {"http": 80, "https": 443}


def test_namespace_name(nodeid: str) -> str:
    """The namespace of one test under --mock-server-url: from its node id alone, so the same test gets the same name
    (and so the same seed) on every run, whichever xdist worker runs it; node ids are unique in a session, so no
    two tests, on any worker, share one."""
    return "t-" + hashlib.sha1(nodeid.encode()).hexdigest()[:20]


test_namespace_name.__test__ = False  # type: ignore[attr-defined]


def send_namespace_header(patch: pytest.MonkeyPatch, base_url: str, name: str) -> None:
    """Make every request this process sends to `base_url`'s host and port through urllib3 (requests, oss2,
    dicomweb-client, botocore) or httpx carry `X-Mock-Namespace: name`, unless it names a namespace itself. A plain
    base URL cannot carry the namespace (the header selects it), and a client handed one has no other hook."""
    from urllib3.connectionpool import HTTPConnectionPool
    from urllib3.util import parse_url

    target = parse_url(base_url)
    host, port = target.host, target.port or DEFAULT_PORTS.get(target.scheme or "http")
    urlopen = HTTPConnectionPool.urlopen

    def urlopen_in_namespace(pool, method, url, body=None, headers=None, *args, **kwargs):
        if pool.host == host and pool.port == port:
            from urllib3 import HTTPHeaderDict

            headers = HTTPHeaderDict(headers if headers is not None else pool.headers)
            if NAMESPACE_HEADER not in headers:
                headers[NAMESPACE_HEADER] = name
        return urlopen(pool, method, url, body, headers, *args, **kwargs)

    patch.setattr(HTTPConnectionPool, "urlopen", urlopen_in_namespace)
    try:
        import httpx
    except ImportError:
        return

    def in_namespace(request: httpx.Request) -> None:
        url = request.url
        if (url.host, url.port or DEFAULT_PORTS.get(url.scheme)) == (
            host,
            port,
        ) and NAMESPACE_HEADER not in request.headers:
            request.headers[NAMESPACE_HEADER] = name

    sync_send, async_send = httpx.HTTPTransport.handle_request, httpx.AsyncHTTPTransport.handle_async_request

    def handle_request(transport, request):
        in_namespace(request)
        return sync_send(transport, request)

    async def handle_async_request(transport, request):
        in_namespace(request)
        return await async_send(transport, request)

    patch.setattr(httpx.HTTPTransport, "handle_request", handle_request)
    patch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", handle_async_request)


@pytest.fixture
def mock_server(request: pytest.FixtureRequest, _mockservers_live: Server) -> Iterator[Server]:
    """A live server for the session (memory state, virtual clock, seed 0), its default namespace reset before
    each test: `.url("sigma")`, `.session`, `.admin`, `.namespace(NAME)`, `.await_callback(...)`,
    `.expect_requests(...)`. With --mock-server-url, that shared server, in a namespace of this test's own
    (`.name`), reset before the test and deleted after it; every requests/httpx call to the server from this process
    carries its X-Mock-Namespace header."""
    if not request.config.getoption("--mock-server-url"):
        _mockservers_live.admin.reset()
        yield _mockservers_live
        return
    name = test_namespace_name(request.node.nodeid)
    server = Server(_mockservers_live.base_url, token=_mockservers_live.token, namespace=name)
    server.admin.reset()
    with pytest.MonkeyPatch.context() as patch:
        send_namespace_header(patch, server.base_url, name)
        yield server
    server.close()
    _mockservers_live.admin.delete_namespace(name)  # a server holds at most max_namespaces


@pytest.fixture
def sample_dicom(tmp_path: pathlib.Path) -> pathlib.Path:
    """A real DICOM file to upload: a synthetic chest X-ray (DX, 128x128, seed 0) written to `tmp_path/chest.dcm`.
    More, each different: `mockservers.dicom.synthetic.dx_file(index=N)` (bytes)."""
    from mockservers.dicom.synthetic import dx_file

    path = tmp_path / "chest.dcm"
    path.write_bytes(dx_file())
    return path


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
    from mockservers.requests_routing import routed_session

    session = routed_session(mock_app)
    yield session
    session.close()


@pytest.fixture
def vendor_httpx(mock_app: Flask) -> Iterator[httpx.Client]:
    """An httpx.Client in which the vendors' real hostnames (e.g. https://api.12sigma.ai) reach `mock_app` under
    their vendor's prefix, and `http://mock` (its base_url) reaches the app's root (`/__admin`, OSS): no socket.
    Needs httpx (`pip install mockservers[pytest]`)."""
    from mockservers.httpx_routing import routed_httpx

    with routed_httpx(mock_app) as client:
        yield client


@pytest.fixture
def vendor_httpx_async(mock_app: Flask) -> Iterator[httpx.AsyncClient]:
    """`vendor_httpx` as an httpx.AsyncClient (asyncio or trio): each request runs the app in a worker thread.
    Closed after the test unless the test closed it (`async with vendor_httpx_async as client:`)."""
    import anyio

    from mockservers.httpx_routing import routed_async_httpx

    client = routed_async_httpx(mock_app)
    yield client
    if not client.is_closed:
        anyio.run(client.aclose)


@pytest.fixture
def verify_pacts(_mockservers_live: Server) -> Callable[..., Any]:
    """`verify_pacts(PACT_FILE_OR_DIR, ..., vendor=None)`: pact's verifier replays every interaction against the
    session's live server (each in a namespace of its own, provider states by POST /__admin/pact/state) and fails
    the test with pact's report if one does not match. Needs pact-python (`pip install mockservers[pact]`); a
    --mock-server-url server needs `--clock virtual` for states that finish jobs."""

    def verify(*sources: str | os.PathLike, vendor: str | None = None) -> Any:
        from mockservers.pact.testing import check

        server = _mockservers_live
        return check(sources, server.base_url, server.admin.health()["vendors"], vendor=vendor, token=server.token)

    return verify
