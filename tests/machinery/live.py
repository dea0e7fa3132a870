"""`--mock-live` (a pytest plugin module; tests/conftest.py loads it): the tests that use `mock_client` run again
over HTTP against the session's live server, each in a namespace of its own, and the other tests are deselected.
LiveClient speaks the Flask test client's calling convention, so a test does not know which client it has."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mockservers.core.namespaces import HEADER as NAMESPACE_HEADER
from mockservers.pytest_plugin import Admin


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--mock-live",
        action="store_true",
        default=False,
        help="run the tests that use `mock_client` against a live mockservers server (a namespace "
        "per test) instead of in-process",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Registered now, after the installed plugin, so that this mock_client is the one tests get whichever way this
    # module was loaded (a conftest's pytest_plugins or `-p`).
    config.pluginmanager.register(_LiveFixtures(), "mockservers-live-fixtures")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--mock-live"):
        return
    selected = [item for item in items if "mock_client" in getattr(item, "fixturenames", ())]
    deselected = [item for item in items if item not in selected]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


class _LiveFixtures:
    @pytest.fixture
    @classmethod
    def mock_client(cls, request: pytest.FixtureRequest) -> Iterator[Any]:
        """The plugin's mock_client in-process; with --mock-live, HTTP to the session's live server, in a
        namespace of this test's own (deleted after it: a server holds at most max_namespaces)."""
        if not request.config.getoption("--mock-live"):
            yield request.getfixturevalue("mock_app").test_client()
            return
        live = request.getfixturevalue("_mockservers_live")
        name = "t-" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:16]
        Admin(live.base_url, namespace=name, token=live.token).reset()
        yield LiveClient(live.base_url, name, admin_token=live.token)
        Admin(live.base_url, token=live.token).delete_namespace(name)


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

    def open(
        self,
        path: str,
        method: str = "GET",
        query_string=None,
        headers=None,
        data=None,
        json=None,
        content_type: str | None = None,
        **_ignored,
    ) -> LiveResponse:
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
        response = self.http.request(
            method,
            self.base_url + path,
            params=query_string,
            headers=headers,
            data=data,
            json=json,
            files=files,
            timeout=120,
            allow_redirects=False,
        )
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
