"""pytest plugin: `mock_server` (live, on a loopback port), `mock_app` (in-process) and `vendor_session`."""
from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from mockservers.settings import Settings


def test_settings(**overrides: Any) -> Settings:
    """Memory state, virtual clock, fixed seed: what a test wants."""
    values: dict[str, Any] = dict(state="memory", clock="virtual", seed=0, background=False)
    values.update(overrides)
    return Settings(**values)


test_settings.__test__ = False  # a helper, not a test, wherever a test module imports it


class Admin:
    """The /__admin control plane over HTTP."""

    def __init__(self, base_url: str, session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/") + "/__admin"
        self.http = session or requests.Session()

    def _call(self, method: str, path: str, **kwargs) -> Any:
        response = self.http.request(method, self.base_url + path, timeout=30, **kwargs)
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

    def add_fault(self, rule: dict) -> dict:
        return self._call("POST", "/faults", json=rule)

    def faults(self) -> list[dict]:
        return self._call("GET", "/faults")["faults"]

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def delete_fault(self, rule_id: int) -> None:
        self._call("DELETE", f"/faults/{rule_id}")


class LiveServer:
    """A real HTTP server on a free loopback port, in a thread of this process."""

    def __init__(self, settings: Settings | None = None):
        from werkzeug.serving import make_server

        from mockservers.app import create_app

        self.settings = settings or test_settings()
        self.app = create_app(self.settings)
        self.runtime = self.app.extensions["mockservers"]
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.port = self._server.port
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.admin = Admin(self.base_url)
        self._thread = threading.Thread(target=self._server.serve_forever, name="mockservers-live", daemon=True)
        self._thread.start()

    def url(self, vendor: str | None = None) -> str:
        return f"{self.base_url}/{vendor}" if vendor else self.base_url

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self.runtime.close()


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


@pytest.fixture(scope="session")
def _mockservers_live():
    server = LiveServer()
    yield server
    server.stop()


@pytest.fixture
def mock_server(_mockservers_live):
    """A live server (memory state, virtual clock, seed 0), reset before each test."""
    _mockservers_live.admin.reset()
    yield _mockservers_live


@pytest.fixture
def mock_app():
    """The Flask app in-process: memory state, virtual clock, seed 0; fresh for each test."""
    from mockservers.app import create_app

    app = create_app(test_settings(), start_background=False)
    app.testing = True
    yield app
    app.extensions["mockservers"].close()


@pytest.fixture
def vendor_session(mock_app):
    """requests.Session routing the vendors' real hostnames (e.g. https://api.12sigma.ai) to `mock_app`."""
    session = routed_session(mock_app)
    yield session
    session.close()
