"""Readers run without the writer lock; one that turns out to write after another writer committed starts over."""

from __future__ import annotations

import io

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
AS_WRITER = "mockservers.as_writer"  # environ: run this request as a writer from the start
START_OVER = "mockservers.start_over"  # environ: set by the app when a reader's snapshot went stale


class StartStaleReadersOver:
    """WSGI middleware: a GET whose snapshot went stale is run again, as a writer, before anything is sent.

    The first attempt's answer is discarded unsent and its transaction rolled back, so the client sees one answer
    and the journal one request."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") not in READ_METHODS:
            return self.wsgi_app(environ, start_response)
        body = b""
        if environ.get("CONTENT_LENGTH") not in (None, "", "0"):
            body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
            environ["wsgi.input"] = io.BytesIO(body)
        held = []
        result = self.wsgi_app(environ, lambda *args: held.append(args))
        if not environ.pop(START_OVER, False):
            start_response(*held[-1])
            return result
        if hasattr(result, "close"):
            result.close()
        environ[AS_WRITER] = True
        environ["wsgi.input"] = io.BytesIO(body)
        return self.wsgi_app(environ, start_response)
