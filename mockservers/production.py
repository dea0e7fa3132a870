"""`serve --workers N`: the app under gunicorn (gthread), every worker on the same state."""
from __future__ import annotations

from gunicorn.app.base import BaseApplication

from mockservers.settings import Settings


class GunicornServer(BaseApplication):
    def __init__(self, settings: Settings, on_ready=None):
        self.settings = settings
        self.on_ready = on_ready
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
            self.cfg.set("when_ready", lambda arbiter: self.on_ready(arbiter))

    def load(self):
        from mockservers.app import create_app

        return create_app(self.settings)  # in each worker, after the fork: its own engine and scheduler thread
