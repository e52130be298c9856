"""A per-process micro-cache for the widget's reviews.json and ratings.json, answered in front of Flask.

The widget is the hottest route (every product page view of every shop). For
``WIDGET_CACHE_SECONDS`` (default 5) each process remembers the last answer per URL (path and whole query string):
the ETag, and the body when it had one. A request for a remembered URL is answered
without routing, sessions or a database query: ``304`` when its ``If-None-Match``
matches, the stored body otherwise. A change made in this process empties the cache at
once; other processes see it within the TTL (browsers may keep an answer 60 s anyway).
With ``WIDGET_CACHE_SECONDS = 0`` nothing is remembered.
"""

from __future__ import annotations

import secrets
import threading
import time

PREFIX, SUFFIX = "/widget/v1/", ("/reviews.json", "/ratings.json")
MAX_ENTRIES = 20_000


class MicroCache:
    def __init__(self):
        self._items: dict[tuple[str, str], tuple[float, str, bytes | None]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]):
        item = self._items.get(key)
        if item is None or item[0] < time.monotonic():
            return None
        return item[1], item[2]

    def put(self, key: tuple[str, str], etag: str, body: bytes | None, ttl: float) -> None:
        if ttl <= 0:
            return
        with self._lock:
            if len(self._items) >= MAX_ENTRIES:
                self._items.clear()
            old = self._items.get(key)
            if body is None and old is not None and old[1] == etag:
                body = old[2]  # a 304 keeps the body we already have for the same tag
            self._items[key] = (time.monotonic() + ttl, etag, body)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


widget_cache = MicroCache()


def etag_matches(header: str, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (unquoted) or ``*``; weak comparison, as RFC 9110
    asks of If-None-Match (a proxy that compresses may hand the client W/"...")."""
    if not header:
        return False
    return any(part.strip().removeprefix("W/") in (f'"{etag}"', "*") for part in header.split(","))


class WidgetFastPath:
    """WSGI middleware: serve remembered reviews.json answers; everything else goes to Flask."""

    def __init__(self, app, headers: list[tuple[str, str]]):
        self.app = app
        self.headers = headers  # the same security and caching headers Flask would add

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") == "GET" and path.startswith(PREFIX) and path.endswith(SUFFIX):
            hit = widget_cache.get((path, environ.get("QUERY_STRING", "")))
            if hit is not None:
                etag, body = hit
                headers = [*self.headers, ("ETag", f'"{etag}"'), ("X-Request-Id", secrets.token_hex(8))]
                if etag_matches(environ.get("HTTP_IF_NONE_MATCH", ""), etag):
                    start_response("304 NOT MODIFIED", headers)
                    return [b""]
                if body is not None:
                    headers += [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
                    start_response("200 OK", headers)
                    return [body]
        return self.app(environ, start_response)
