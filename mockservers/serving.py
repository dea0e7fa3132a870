"""The single-process server: werkzeug's HTTP handling (one request per connection) on a bounded pool of threads,
with a socket timeout, so that it can be left running for days."""
from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

from werkzeug.exceptions import RequestTimeout
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler


class PooledWSGIServer(BaseWSGIServer):
    """Accepts a connection only when one of `threads` workers is free (the others wait in the listen backlog,
    costing no thread and no file), and gives each connection a socket timeout: a client that stops sending or
    reading for `timeout` seconds gets a 408 if it stalled in the middle of its body, else the connection is closed,
    and the worker is free again."""

    multithread = True

    def __init__(self, host: str, port: int, app, threads: int, timeout: float, **kwargs):
        super().__init__(host, port, _answer_timeouts(app), handler=_Handler, **kwargs)
        self.request_timeout = timeout
        self._free = threading.BoundedSemaphore(threads)
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="mockservers-http")

    def process_request(self, request, client_address) -> None:
        self._free.acquire()
        self._pool.submit(self._serve, request, client_address)

    def _serve(self, request, client_address) -> None:
        try:
            request.settimeout(self.request_timeout)
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            self._free.release()

    def server_close(self) -> None:
        super().server_close()
        self._pool.shutdown(wait=True)


class _Handler(WSGIRequestHandler):
    def make_environ(self):
        environ = super().make_environ()
        environ["wsgi.input"] = _TimeoutIs408(environ["wsgi.input"], self.server.request_timeout)
        return environ


class _TimeoutIs408:
    """The request body: a read that times out ends the request with a 408 (the app renders it in the vendor's
    envelope), and the body then reads as ended."""

    def __init__(self, stream, timeout: float):
        self._stream = stream
        self._timeout = timeout
        self._timed_out = False

    def _call(self, method, *args, ended=b""):
        if self._timed_out:
            return ended
        try:
            return method(*args)
        except TimeoutError:
            self._timed_out = True
            raise RequestTimeout(f"the request body stalled: no data for {self._timeout:g} s") from None

    def read(self, size: int = -1) -> bytes:
        return self._call(self._stream.read, size)

    def readline(self, size: int = -1) -> bytes:
        return self._call(self._stream.readline, size)

    def readinto(self, buffer) -> int:
        return self._call(self._stream.readinto, buffer, ended=0)


def _answer_timeouts(app):
    """A 408 raised where the app's error handlers cannot catch it (a WSGI middleware reading the body) is answered
    as JSON, never werkzeug's HTML 500."""
    def application(environ, start_response):
        try:
            return app(environ, start_response)
        except RequestTimeout as exc:
            body = json.dumps({"error": exc.description, "status": 408}).encode()
            start_response("408 Request Timeout", [("Content-Type", "application/json"),
                                                   ("Content-Length", str(len(body)))])
            return [body]
    return application
