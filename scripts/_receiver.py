"""A local HTTP endpoint for the demos' callbacks: every POST lands in a queue as (path, JSON body)."""

import json
import queue
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def start_receiver(ack: Callable[[str], dict] = lambda path: {}) -> tuple[str, "queue.Queue[tuple[str, dict]]"]:
    """Returns the receiver's base URL and its queue; `ack(path)` is the JSON each POST is answered with."""
    received: queue.Queue[tuple[str, dict]] = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            received.put((self.path, body))
            payload = json.dumps(ack(self.path)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", received
