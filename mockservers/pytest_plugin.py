"""pytest plugin: `mock_server` (live, on a loopback port), `mock_app` (in-process) and `vendor_session`."""
from __future__ import annotations

import hashlib
import json
import os
import threading
import time as _time
from typing import Any, Callable
from urllib.parse import urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from mockservers.core.namespaces import HEADER as NAMESPACE_HEADER
from mockservers.settings import Settings


# Set by --mock-state: the database tests keep their state in (memory unless told otherwise).
_STATE = {"url": "memory", "schemas": [], "count": 0}


def _state_folder() -> str:
    if "folder" not in _STATE:
        import atexit
        import shutil
        import tempfile

        _STATE["folder"] = tempfile.mkdtemp(prefix="mockservers-files-")
        atexit.register(shutil.rmtree, _STATE["folder"], ignore_errors=True)
    return _STATE["folder"]


def test_settings(**overrides: Any) -> Settings:
    """Memory state (or --mock-state's database, a fresh schema each call), virtual clock, fixed seed."""
    values: dict[str, Any] = dict(state="memory", clock="virtual", seed=0, background=False)
    if _STATE["url"] != "memory" and "state" not in overrides:
        _STATE["count"] += 1
        schema = f"t_{os.getpid()}_{_STATE['count']}"
        _STATE["schemas"].append(schema)
        values.update(state=_STATE["url"], db_schema=schema, data_dir=os.path.join(_state_folder(), schema))
    values.update(overrides)
    return Settings(**values)


test_settings.__test__ = False  # a helper, not a test, wherever a test module imports it


class Admin:
    """The /__admin control plane over HTTP, for one namespace; `token`: the server's --admin-token."""

    def __init__(self, base_url: str, session: requests.Session | None = None, namespace: str | None = None,
                 token: str | None = None):
        self.base_url = base_url.rstrip("/") + "/__admin"
        self.http = session or requests.Session()
        self.namespace = namespace
        self.token = token
        if namespace:
            self.http.headers[NAMESPACE_HEADER] = namespace

    def _call(self, method: str, path: str, **kwargs) -> Any:
        # per call, not on the session: a session handed in may also carry vendor calls (OSS has its own header)
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else None
        response = self.http.request(method, self.base_url + path, timeout=60, headers=headers, **kwargs)
        if response.status_code >= 400:
            raise AssertionError(f"/__admin{path} answered {response.status_code}: {response.text}")
        return response.json()

    def health(self) -> dict:
        return self._call("GET", "/health")

    def reset(self) -> None:
        self._call("POST", "/reset")

    def clock(self) -> dict:
        return self._call("GET", "/clock")

    def advance(self, seconds: float) -> dict:
        return self._call("POST", "/clock/advance", json={"seconds": seconds})

    def requests(self, **filters) -> list[dict]:
        return self._call("GET", "/requests", params=filters)["requests"]

    def callbacks(self, vendor: str | None = None) -> list[dict]:
        return self._call("GET", "/callbacks", params={"vendor": vendor} if vendor else None)["callbacks"]

    def redeliver(self, callback_id: int) -> dict:
        """Send a callback again now; the callback with its new attempt."""
        return self._call("POST", f"/callbacks/{callback_id}/redeliver")

    def add_fault(self, rule: dict) -> dict:
        return self._call("POST", "/faults", json=rule)

    def faults(self) -> list[dict]:
        return self._call("GET", "/faults")["faults"]

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def delete_fault(self, rule_id: int) -> None:
        self._call("DELETE", f"/faults/{rule_id}")

    def namespaces(self) -> list[str]:
        return self._call("GET", "/namespaces")["namespaces"]

    def delete_namespace(self, name: str) -> None:
        """Forget a namespace (its state, journal, faults, callbacks and files): a server holds at most
        `max_namespaces`."""
        self._call("DELETE", f"/namespaces/{name}")

    # ---- verification: poll until the condition holds, or fail listing the near misses ----

    def _poll(self, check: Callable[[], Any], timeout: float, advance: float | None, interval: float = 0.05):
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

    def await_callback(self, vendor: str, match: dict | Callable[[dict], bool] | None = None,
                       timeout: float = 10.0, advance: float | None = None, delivered: bool = True) -> dict:
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

        found = self._poll(lambda: next((cb for cb in self.callbacks(vendor) if matches(cb) and done(cb)), None),
                           timeout, advance)
        if found:
            return found
        near = [f"  #{cb['id']} {cb['state']} to {cb['url']}, {len(cb['attempts'])} attempt(s), body "
                f"{json.dumps(cb['body'], ensure_ascii=False)[:200]}" for cb in self.callbacks(vendor)]
        raise AssertionError(f"no {'delivered ' if delivered else ''}{vendor} callback matching {match!r} within "
                             f"{timeout}s; callbacks seen:\n" + ("\n".join(near) or "  (none)"))

    def expect_requests(self, vendor: str | None = None, method: str | None = None, path: str | None = None,
                        status: int | None = None, count: int | None = None, timeout: float = 0.0) -> list[dict]:
        """Journal entries matching every given field (path may hold '*'); `count` exact, else at least one."""
        def matching() -> tuple[list[dict]] | None:  # wrapped: an empty list is a match when count is 0
            entries = self.requests(**{k: v for k, v in (("vendor", vendor), ("method", method), ("path", path),
                                                          ("status", status)) if v is not None})
            ok = len(entries) == count if count is not None else bool(entries)
            return (entries,) if ok else None

        found = self._poll(matching, timeout, None)
        if found is not None:
            return found[0]
        wanted = {k: v for k, v in (("vendor", vendor), ("method", method), ("path", path), ("status", status))
                  if v is not None}
        near = [f"  {e['method']} {e['path']}{'?' + e['query'] if e['query'] else ''} -> {e['status']}"
                for e in self.requests(**({"vendor": vendor} if vendor else {}), limit=20)]
        raise AssertionError(f"expected {count if count is not None else 'at least one'} request(s) matching "
                             f"{wanted}; the journal has:\n" + ("\n".join(near) or "  (nothing)"))

    def assert_no_unmatched(self) -> None:
        """Fail if any request reached no route (a client calling a URL the vendor does not have)."""
        stray = self.requests(unmatched="true")
        if stray:
            lines = [f"  {e['method']} {e['path']} -> {e['status']}" for e in stray]
            raise AssertionError("requests that matched no route:\n" + "\n".join(lines))


class Namespace:
    """One namespace of a live server: its vendor URLs, a session that sends the header, its admin."""

    def __init__(self, base_url: str, name: str, token: str | None = None):
        self.name = name
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers[NAMESPACE_HEADER] = name
        self.admin = Admin(base_url, namespace=name, token=token)

    def url(self, vendor: str | None = None) -> str:
        return f"{self.base_url}/{vendor}" if vendor else self.base_url


class Server:
    """A mockservers server reached over HTTP: vendor URLs, namespaces, admin and verification."""

    def __init__(self, base_url: str, token: str | None = None):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.admin = Admin(self.base_url, token=token)

    def url(self, vendor: str | None = None) -> str:
        return f"{self.base_url}/{vendor}" if vendor else self.base_url

    def namespace(self, name: str) -> Namespace:
        """A namespace of its own on this server: state, journal, clock, seed, faults, callbacks."""
        return Namespace(self.base_url, name, token=self.token)

    def await_callback(self, vendor: str, match=None, timeout: float = 10.0, advance: float | None = None,
                       delivered: bool = True) -> dict:
        return self.admin.await_callback(vendor, match=match, timeout=timeout, advance=advance,
                                         delivered=delivered)

    def expect_requests(self, **kwargs) -> list[dict]:
        return self.admin.expect_requests(**kwargs)

    def assert_no_unmatched(self) -> None:
        self.admin.assert_no_unmatched()

    def stop(self) -> None:
        """A server this process did not start is left running."""


class LiveServer(Server):
    """A real HTTP server on a free loopback port, in a thread of this process."""

    def __init__(self, settings: Settings | None = None):
        from mockservers.app import create_app
        from mockservers.serving import PooledWSGIServer

        self.settings = settings or test_settings()
        self.app = create_app(self.settings)
        self.runtime = self.app.extensions["mockservers"]
        self._server = PooledWSGIServer("127.0.0.1", 0, self.app, threads=self.settings.threads,
                                        timeout=self.settings.request_timeout)
        self.port = self._server.port
        super().__init__(f"http://127.0.0.1:{self.port}", token=self.settings.admin_token)
        self._thread = threading.Thread(target=self._server.serve_forever, name="mockservers-live", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self.app.extensions["mockservers.namespaces"].close()


class InProcessAdapter(BaseAdapter):
    """A requests transport that hands a vendor's real URL to the in-process app, under the vendor's prefix."""

    def __init__(self, app, prefix: str):
        super().__init__()
        self.client = app.test_client()
        self.prefix = prefix

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        from mockservers.core.http import ConnectionDropped

        parts = urlsplit(request.url)
        raw_path = parts.path or "/"
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif body is not None and not isinstance(body, bytes):
            body = b"".join(body) if not hasattr(body, "read") else body.read()
        try:
            result = self.client.open(
                self.prefix + raw_path, method=request.method, query_string=parts.query,
                headers=list(request.headers.items()), data=body or b"",
                environ_overrides={"RAW_URI": raw_path + (f"?{parts.query}" if parts.query else "")},
            )
        except ConnectionDropped as exc:
            raise requests.ConnectionError(str(exc), request=request) from exc
        response = requests.Response()
        response.status_code = result.status_code
        response.headers = CaseInsensitiveDict(result.headers.items())
        response._content = result.get_data()
        response.url = request.url
        response.request = request
        response.reason = result.status.split(" ", 1)[1] if " " in result.status else ""
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        return response

    def close(self):
        pass


def routed_session(app) -> requests.Session:
    """A requests.Session in which every vendor's real hostname reaches `app`, no socket involved."""
    session = requests.Session()
    for vendor in app.extensions["mockservers"].vendors.values():
        for host in vendor.real_hosts:
            session.mount(host.rstrip("/") + "/", InProcessAdapter(app, f"/{vendor.key}"))
    return session


def pytest_addoption(parser):
    parser.addoption("--mock-live", action="store_true", default=False,
                     help="run tests that use `mock_client` against a live mockservers server (a namespace "
                          "per test) instead of in-process")
    parser.addoption("--mock-state", default="memory",
                     help="where mock_app, mock_server and mock_client keep state: memory (default), a database "
                          "URL, or `postgres` (MOCKSERVERS_TEST_POSTGRES, else a private cluster started for the "
                          "session; every test is skipped, saying why, if none can be started)")
    parser.addoption("--mock-server-url", default=os.environ.get("MOCKSERVERS_URL"),
                     help="use this running mockservers server (shared, e.g. by pytest -n workers) instead of "
                          "starting one; tests should then work in namespaces of their own")
    parser.addoption("--mock-admin-token", default=os.environ.get("MOCKSERVERS_ADMIN_TOKEN"),
                     help="the admin token the fixtures send to /__admin (the server's --admin-token); without "
                          "--mock-server-url, the server the plugin starts requires it too")


def pytest_configure(config):
    state = config.getoption("--mock-state", default="memory")
    if state == "memory":
        return
    if state == "postgres":
        from mockservers.pgtest import PostgresUnavailable, postgres_url

        try:
            state, config._mockservers_pg = postgres_url()
        except PostgresUnavailable as exc:
            config._mockservers_skip = f"no PostgreSQL could be started: {exc}"
            return
    _STATE["url"] = state


def pytest_unconfigure(config):
    server = getattr(config, "_mockservers_pg", None)
    if server is not None:
        server.stop()
    elif _STATE["schemas"]:
        _drop_schemas(_STATE["url"], _STATE["schemas"])


def _drop_schemas(url: str, schemas: list[str]) -> None:
    from mockservers.core.store import make_engine

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            for schema in schemas:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        engine.dispose()


def pytest_collection_modifyitems(config, items):
    reason = getattr(config, "_mockservers_skip", None)
    if reason:
        for item in items:
            item.add_marker(pytest.mark.skip(reason=reason))
    if not config.getoption("--mock-live"):
        return
    selected = [item for item in items if "mock_client" in getattr(item, "fixturenames", ())]
    deselected = [item for item in items if item not in selected]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


class LiveResponse:
    """A requests.Response dressed as the Flask test client's response (the parts tests use)."""

    def __init__(self, response: requests.Response):
        self._r = response
        self.status_code = response.status_code
        self.status = f"{response.status_code} {response.reason}"
        self.headers = response.headers
        self.data = response.content
        self.content_type = response.headers.get("Content-Type", "")
        self.mimetype = self.content_type.split(";", 1)[0].strip().lower()

    def get_data(self, as_text: bool = False):
        return self._r.text if as_text else self.data

    @property
    def is_json(self) -> bool:
        return self.mimetype == "application/json" or self.mimetype.endswith("+json")

    @property
    def json(self):
        return self._r.json() if self.is_json else None

    def get_json(self, silent: bool = False):
        try:
            return self._r.json()
        except ValueError:
            if silent:
                return None
            raise


class LiveClient:
    """The Flask test client's calling convention, sent over HTTP to a live server, in one namespace."""

    def __init__(self, base_url: str, namespace: str, admin_token: str | None = None):
        self.base_url = base_url
        self.http = requests.Session()
        self.http.headers[NAMESPACE_HEADER] = namespace
        self.admin_token = admin_token

    def open(self, path: str, method: str = "GET", query_string=None, headers=None, data=None, json=None,
             content_type: str | None = None, **_ignored) -> LiveResponse:
        headers = dict(headers.items() if hasattr(headers, "items") else (headers or []))
        if content_type:
            headers["Content-Type"] = content_type
        if self.admin_token and path.startswith("/__admin") and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.admin_token}"
        files = None
        if isinstance(data, dict) and any(isinstance(v, tuple) for v in data.values()):
            # the test client takes (file, filename[, type]); requests takes (filename, file[, type])
            files = {k: (v[1], v[0], *v[2:]) for k, v in data.items() if isinstance(v, tuple)}
            data = {k: v for k, v in data.items() if not isinstance(v, tuple)}
        response = self.http.request(method, self.base_url + path, params=query_string, headers=headers,
                                     data=data, json=json, files=files, timeout=120, allow_redirects=False)
        return LiveResponse(response)

    def get(self, path, **kw):
        return self.open(path, "GET", **kw)

    def post(self, path, **kw):
        return self.open(path, "POST", **kw)

    def put(self, path, **kw):
        return self.open(path, "PUT", **kw)

    def delete(self, path, **kw):
        return self.open(path, "DELETE", **kw)

    def patch(self, path, **kw):
        return self.open(path, "PATCH", **kw)

    def head(self, path, **kw):
        return self.open(path, "HEAD", **kw)


@pytest.fixture(scope="session")
def _mockservers_live(request):
    url = request.config.getoption("--mock-server-url")
    token = request.config.getoption("--mock-admin-token") or None
    server = Server(url, token=token) if url else LiveServer(test_settings(admin_token=token))
    yield server
    server.stop()


@pytest.fixture
def mock_server(request, _mockservers_live):
    """A live server (memory state, virtual clock, seed 0) whose default namespace is reset before each test.
    With --mock-server-url it is that shared server, not reset: work in `mock_server.namespace(NAME)`."""
    if not request.config.getoption("--mock-server-url"):
        _mockservers_live.admin.reset()
    yield _mockservers_live


@pytest.fixture
def mock_app():
    """The Flask app in-process: memory state, virtual clock, seed 0; fresh for each test."""
    from mockservers.app import create_app

    app = create_app(test_settings(), start_background=False)
    app.testing = True
    yield app
    app.extensions["mockservers.namespaces"].close()


@pytest.fixture
def vendor_session(mock_app):
    """requests.Session routing the vendors' real hostnames (e.g. https://api.12sigma.ai) to `mock_app`."""
    session = routed_session(mock_app)
    yield session
    session.close()


@pytest.fixture
def mock_client(request):
    """A client for the mock with the Flask test client's API: in-process (fresh app) by default; with
    --mock-live, HTTP to a live server, in a namespace of this test's own."""
    if request.config.getoption("--mock-live"):
        live = request.getfixturevalue("_mockservers_live")
        name = "t-" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:16]
        Admin(live.base_url, namespace=name, token=live.token).reset()
        yield LiveClient(live.base_url, name, admin_token=live.token)
        Admin(live.base_url, token=live.token).delete_namespace(name)  # max_namespaces stays in reach
    else:
        yield request.getfixturevalue("mock_app").test_client()
