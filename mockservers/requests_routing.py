"""requests sessions whose requests reach a mockservers Flask app in-process, no socket (the vendor_session fixture).

Each vendor's real hostnames reach the app under the vendor's prefix (`https://api.12sigma.ai/login` is
`/sigma/login`); the path as sent is kept for signatures. mockservers.pytest_plugin names these too
(`routed_session`, `InProcessAdapter`, `call_app`), importing this module only when one is first asked for.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from flask import Flask
from flask.testing import FlaskClient
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from werkzeug.test import TestResponse

from mockservers.core.hosts import real_bases
from mockservers.core.http import ConnectionDropped


def call_app(client: FlaskClient, prefix: str, method: str, url: str, headers: list, body: bytes) -> TestResponse:
    """Hand one request for `url` (a vendor's real URL) to the app by its test client, under `prefix`; the path as
    sent stays in RAW_URI (sigma signs it). A fault rule that drops the connection raises ConnectionDropped."""
    parts = urlsplit(url)
    raw_path = parts.path or "/"
    return client.open(
        prefix + raw_path,
        method=method,
        query_string=parts.query,
        headers=headers,
        data=body,
        environ_overrides={"RAW_URI": raw_path + (f"?{parts.query}" if parts.query else "")},
    )


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
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif body is not None and not isinstance(body, bytes):
            body = b"".join(body) if not hasattr(body, "read") else body.read()
        try:
            result = call_app(
                self.client,
                self.prefix,
                str(request.method),
                str(request.url),
                list(request.headers.items()),
                body or b"",
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
    session = requests.Session()
    for base, prefix in real_bases(app.extensions["mockservers"].vendors.values()).items():
        session.mount(base + "/", InProcessAdapter(app, prefix))
    return session
