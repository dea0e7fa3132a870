"""httpx clients whose requests reach a mockservers Flask app in-process, no socket (the vendor_httpx fixtures).

Each vendor's real hostnames reach the app under the vendor's prefix (`https://api.12sigma.ai/login` is
`/sigma/login`), and `http://mock` reaches the app's root (`/__admin/...`, the OSS store's `/<bucket>/<key>`).
Both clients hand requests to the app the way `vendor_session` does (the Flask test client, the path as sent kept
for signatures); the async one runs that in a worker thread (anyio), so it works under asyncio and trio alike.
"""

from __future__ import annotations

import anyio.to_thread
import httpx
from flask import Flask

from mockservers.core.http import ConnectionDropped
from mockservers.requests_routing import call_app

MOCK_ORIGIN = "http://mock"


class AppTransport(httpx.BaseTransport):
    """An httpx transport that hands each request to `app`, its path under `prefix`."""

    def __init__(self, app: Flask, prefix: str = "") -> None:
        self.app = app
        self.prefix = prefix

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        # as requests sends (and vendor_session passes on): no Host header, so the app sees the test client's host
        headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "host"]
        try:
            # a test client per request: the async client runs several at once, in threads
            answer = call_app(
                self.app.test_client(), self.prefix, request.method, str(request.url), headers, request.read()
            )
        except ConnectionDropped as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc
        return httpx.Response(
            answer.status_code, headers=list(answer.headers.items()), content=answer.get_data(), request=request
        )


class AsyncAppTransport(httpx.AsyncBaseTransport):
    """AppTransport for httpx.AsyncClient: each request runs in a worker thread, the event loop stays free."""

    def __init__(self, app: Flask, prefix: str = "") -> None:
        self.sync = AppTransport(app, prefix)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return await anyio.to_thread.run_sync(self.sync.handle_request, request)


def _mounts(app: Flask, transport: type[AppTransport] | type[AsyncAppTransport]) -> dict:
    mounts = {MOCK_ORIGIN: transport(app)}
    for vendor in app.extensions["mockservers"].vendors.values():
        for host in vendor.real_hosts:
            mounts[host.rstrip("/")] = transport(app, f"/{vendor.key}")
    return mounts


def routed_httpx(app: Flask, **options) -> httpx.Client:
    """An httpx.Client (base_url http://mock) in which every vendor's real hostname and http://mock reach `app`;
    other URLs go out as usual. `options` go to httpx.Client."""
    return httpx.Client(base_url=MOCK_ORIGIN, mounts=_mounts(app, AppTransport), **options)


def routed_async_httpx(app: Flask, **options) -> httpx.AsyncClient:
    """`routed_httpx` as an httpx.AsyncClient."""
    return httpx.AsyncClient(base_url=MOCK_ORIGIN, mounts=_mounts(app, AsyncAppTransport), **options)
