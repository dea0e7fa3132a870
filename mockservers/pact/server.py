"""A mock for one verification: in this process, on a free loopback port, with memory state and a virtual clock
(seed 0), so provider states can finish jobs by moving the clock."""

from __future__ import annotations

import threading
from typing import Any

from mockservers.settings import Settings


class InProcessServer:
    def __init__(self, **overrides: Any) -> None:
        from mockservers.app import create_app
        from mockservers.serving import PooledWSGIServer

        settings = Settings(**{"state": "memory", "clock": "virtual", "seed": 0, "background": False, **overrides})
        self.app = create_app(settings, start_background=False)
        self.vendors = list(self.app.extensions["mockservers"].vendors)
        self._server = PooledWSGIServer(
            "127.0.0.1", 0, self.app, threads=settings.threads, timeout=settings.request_timeout
        )
        self.url = f"http://127.0.0.1:{self._server.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="mockservers-pact", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=30)
        self.app.extensions["mockservers.namespaces"].close()
