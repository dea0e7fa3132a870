"""The single-process server: werkzeug's HTTP handling (one request per connection) on a bounded pool of threads,
with a socket timeout, so that it can be left running for days."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor

from werkzeug.exceptions import ClientDisconnected, RequestTimeout
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler
from werkzeug.wsgi import get_content_length


class PooledWSGIServer(BaseWSGIServer):
    """Accepts a connection only when one of `threads` workers is free (the others wait in the listen backlog,
    costing no thread and no file), and gives each connection a socket timeout: a client that stops sending or
    reading for `timeout` seconds gets a 408 if it stalled in the middle of its body, else the connection is closed,
    and the worker is free again."""

    multithread = True

    def __init__(
        self, host: str, port: int, app, threads: int, timeout: float, tls: ssl.SSLContext | None = None, **kwargs
    ):
        super().__init__(host, port, _answer_timeouts(app), handler=_Handler, **kwargs)
        # TLS is set up on each connection in its worker thread, under the socket timeout (werkzeug would do it in
        # the listening socket's accept(), where a client that never completes its handshake holds every other)
        self.ssl_context = tls
        self.request_timeout = timeout
        self._free = threading.BoundedSemaphore(threads)
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="mockservers-http")

    def serve_forever(self, poll_interval: float = 0.05) -> None:
        # shutdown() is seen at the next poll: socketserver's half a second was most of a test session's teardown
        super().serve_forever(poll_interval)

    def process_request(self, request, client_address) -> None:
        self._free.acquire()
        self._pool.submit(self._serve, request, client_address)

    def _serve(self, request, client_address) -> None:
        try:
            request.settimeout(self.request_timeout)
            if self.ssl_context is not None:
                request = self._secure(request)
            self.finish_request(request, client_address)
        except _NotTLS:
            pass
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            self._free.release()

    def _secure(self, connection: socket.socket) -> ssl.SSLSocket:
        """The connection with its TLS handshake done; a plain HTTP request is answered 400, saying to use https."""
        try:
            first = connection.recv(1, socket.MSG_PEEK)
            if first and first != _TLS_HANDSHAKE:
                _refuse_plain_http(connection, self.server_address[1])
                raise _NotTLS()
            return self.ssl_context.wrap_socket(connection, server_side=True)  # type: ignore[union-attr]
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError: a failed handshake, a client gone
            raise _NotTLS() from exc

    def server_close(self) -> None:
        super().server_close()
        self._pool.shutdown(wait=True)


_TLS_HANDSHAKE = b"\x16"  # the first byte of a TLS record that starts a handshake


class _NotTLS(Exception):
    """A connection to the TLS port that brought no TLS handshake: answered (or dropped) and closed."""


def _refuse_plain_http(connection: socket.socket, port: int) -> None:
    """Answer a plain HTTP request on the TLS port 400, as JSON, after reading its head (closing a socket with
    unread data would reset the connection before the client read the answer)."""
    head = b""
    while b"\r\n\r\n" not in head and len(head) < 65536:
        chunk = connection.recv(4096)
        if not chunk:
            break
        head += chunk
    body = json.dumps({"error": f"this port speaks HTTPS: use https://, not http:// (port {port})", "status": 400})
    connection.sendall(
        b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n{body}".encode()
    )


class _Handler(WSGIRequestHandler):
    """Sends a Server and a Date header only when the app's answer has none: a vendor that dates its answers on the
    mock's clock (the OSS store) must not get a second, wall-clock Date beside its own."""

    server: PooledWSGIServer  # the only server it is given
    _sent: set[str]

    def send_response(self, code, message=None):
        self.log_request(code)
        self.send_response_only(code, message)
        self._sent = set()

    def send_header(self, keyword, value):
        super().send_header(keyword, value)
        if hasattr(self, "_sent"):
            self._sent.add(keyword.lower())

    def end_headers(self):
        sent = getattr(self, "_sent", {"server", "date"})
        if "server" not in sent:
            super().send_header("Server", self.version_string())
        if "date" not in sent:
            super().send_header("Date", self.date_time_string())
        self._sent = {"server", "date"}
        super().end_headers()

    def make_environ(self):
        environ = super().make_environ()
        length = None if environ.get("wsgi.input_terminated") else get_content_length(environ) or 0
        environ["wsgi.input"] = _RequestBody(environ["wsgi.input"], length, self.server.request_timeout)
        environ["wsgi.input_terminated"] = True  # the body ends by itself (werkzeug still applies max_content_length)
        return environ


class _RequestBody:
    """The request body as the app reads it: ended at its Content-Length (a chunked one by its last chunk). A read
    that times out ends the request with a 408, a client gone before the end with a 400 (both rendered by the app
    in the vendor's envelope); after either, the body reads as ended, so the journal can still record the request."""

    def __init__(self, stream, length: int | None, timeout: float):
        self._stream = stream
        self._left = length  # None: chunked
        self._timeout = timeout
        self._ended = False

    def _read(self, method, size: int | None) -> bytes:
        if self._ended:
            return b""
        if self._left is not None:
            size = self._left if size is None or size < 0 else min(size, self._left)
            if size == 0:
                return b""
        try:
            data = method(size)
        except TimeoutError:
            self._ended = True
            raise RequestTimeout(f"the request body stalled: no data for {self._timeout:g} s") from None
        if self._left is not None:
            self._left -= len(data)
            if not data:
                self._ended = True
                raise ClientDisconnected()
        return data

    def read(self, size: int | None = -1) -> bytes:
        return self._read(self._stream.read, size)

    def readline(self, size: int | None = -1) -> bytes:
        return self._read(self._stream.readline, size)


def _answer_timeouts(app):
    """A 408 raised where the app's error handlers cannot catch it (a WSGI middleware reading the body) is answered
    as JSON, never werkzeug's HTML 500."""

    def application(environ, start_response):
        try:
            return app(environ, start_response)
        except RequestTimeout as exc:
            body = json.dumps({"error": exc.description, "status": 408}).encode()
            start_response(
                "408 Request Timeout", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]

    return application
