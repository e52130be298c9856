"""Browser test helpers: where screenshots go, Chromium's flags, a foreign storefront on its
own port, and a page watcher that collects script errors (the `browser` fixture is in conftest)."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

HOSTILE_CSS = """
* { color: rgb(255, 0, 0) !important; font-family: "Comic Sans MS", cursive !important; }
p, h3, li, ol, time { display: none !important; }
section, div { background: rgb(0, 0, 0) !important; }
button { display: none !important; }
[data-postventa-reviews] { --pv-accent: #7c2d12; --pv-star: #b45309; }
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Storefront:
    """A shop's own web server on its own port, serving pages that nobody in the app wrote."""

    def __init__(self, root: Path):
        self.root = root
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
        self.origin = f"http://127.0.0.1:{self.server.server_port}"

    def page(
        self, name: str, body: str, lang: str = "es", css: str = HOSTILE_CSS, heading: str = "<h1>Taza de barro</h1>"
    ) -> str:
        html = (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>Tienda</title><link rel="icon" href="data:,"><style>{css}</style></head>'
            f"<body>{heading}{body}</body></html>"
        )
        (self.root / name).write_text(html, encoding="utf-8")
        return f"{self.origin}/{name}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


def sign_in(page, base_url: str, email: str, password: str) -> None:
    """Sign in through the real login form and wait for the dashboard."""
    page.goto(base_url + "/staff/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button.primary")
    page.wait_for_url("**/staff/")


def watch(page):
    problems = []
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: msg.type == "error" and problems.append(f"console: {msg.text}"))
    page.on("dialog", lambda dialog: (problems.append("dialog"), dialog.dismiss()))
    return problems
