"""`serve --workers N`: the app in N worker processes on the same state, under gunicorn (gthread) or granian."""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import os
import socket
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from mockservers.core.http import CLOSE_BY_RAISING
from mockservers.settings import Settings

if TYPE_CHECKING:
    from mockservers.tls import Certificates

SETTINGS_ENV = "MOCKSERVERS_SERVE_SETTINGS"  # how granian's workers get the settings: they import, not inherit


def GunicornServer(settings: Settings, on_ready=None, certificates: Certificates | None = None):
    """The app under gunicorn (gthread). gunicorn imports fcntl, so it runs on POSIX only: imported here, when
    `--workers` asks for it, never on import of the package."""
    return _gunicorn_application()(settings, on_ready, certificates)


@functools.cache
def _gunicorn_application() -> type:
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError as missing:  # Windows: no fcntl
        raise SystemExit("--workers needs gunicorn, which runs on POSIX; use --server granian") from missing

    class GunicornApplication(BaseApplication):
        def __init__(self, settings: Settings, on_ready=None, certificates: Certificates | None = None):
            self.settings = settings
            self.on_ready = on_ready
            self.certificates = certificates
            super().__init__()

        def load_config(self):
            s = self.settings
            self.cfg.set("bind", f"{s.host}:{s.port}")
            self.cfg.set("workers", s.workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", s.threads)
            self.cfg.set("timeout", 120)
            self.cfg.set("graceful_timeout", 10)
            self.cfg.set("accesslog", None)
            self.cfg.set("loglevel", "warning")
            if self.on_ready:
                self.cfg.set("when_ready", lambda arbiter: self.on_ready())
            if self.certificates:
                self.cfg.set("certfile", self.certificates.server)
                self.cfg.set("keyfile", self.certificates.server)

        def load(self):
            from mockservers.app import create_app

            return create_app(self.settings)  # in each worker, after the fork: its own engine and scheduler thread

    return GunicornApplication


class GranianServer:
    """Granian's HTTP handling is Rust; its WSGI workers run the same app. Each worker imports
    `granian_app` and builds the app from the settings passed in the environment."""

    def __init__(self, settings: Settings, on_ready=None, certificates: Certificates | None = None):
        self.settings = settings
        self.on_ready = on_ready
        self.certificates = certificates

    def run(self) -> None:
        from granian import Granian
        from granian.constants import Interfaces
        from granian.log import LogLevels

        s = self.settings
        os.environ[SETTINGS_ENV] = json.dumps(dataclasses.asdict(s))
        server = Granian(
            "mockservers.production:granian_app",
            address=s.host,
            port=s.port,
            interface=Interfaces.WSGI,
            workers=s.workers,
            blocking_threads=s.threads,
            factory=True,
            log_level=LogLevels.warning,
            respawn_failed_workers=True,
            workers_kill_timeout=10,
            **self._tls(),
        )
        logging.getLogger("_granian").addFilter(_ThreadsAsConfigured())
        if self.on_ready:  # granian's startup hook runs before the socket listens: say so once it answers
            server.on_startup(lambda: threading.Thread(target=self._announce_when_listening, daemon=True).start())
        server.serve()

    def _tls(self) -> dict:
        if not self.certificates:
            return {}
        return {"ssl_cert": Path(self.certificates.server), "ssl_key": Path(self.certificates.server)}

    def _announce_when_listening(self) -> None:
        while True:
            try:
                socket.create_connection((self.settings.host, self.settings.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        self.on_ready()


class _ThreadsAsConfigured(logging.Filter):
    """Granian warns when threads outnumber cores; here they are meant to: a delay fault holds one while it waits."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Configuration allows spawning")


def granian_app():
    from mockservers.app import create_app

    settings = Settings(**json.loads(os.environ[SETTINGS_ENV]))
    app = create_app(settings)
    inner = app.wsgi_app

    def marked(environ, start_response):
        environ[CLOSE_BY_RAISING] = True
        return inner(environ, start_response)

    app.wsgi_app = marked
    return app
