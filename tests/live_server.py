"""Serve an app over real HTTP on loopback, in a thread (threaded Werkzeug server)."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

from werkzeug.serving import make_server


class LiveServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=5)


def post_status(url: str, data: bytes, headers: dict) -> int:
    """POST ``data`` to ``url`` over real HTTP and return the status code (an error status too)."""
    req = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
