"""/api/docs in a real Chromium over a live server: the viewer the app serves renders every
operation of /api/openapi.json, under the page's CSP, without a console error or a request
to any other origin."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.live_server import LiveServer

pytestmark = pytest.mark.browser


def _operations(doc: dict) -> int:
    methods = {"get", "post", "put", "patch", "delete"}
    return sum(1 for ops in doc["paths"].values() for method in ops if method in methods)


def test_api_docs_render_every_operation_from_the_apps_own_files(browser, make_app):
    app = make_app()
    with LiveServer(app) as server:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        errors, foreign = [], []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        origin = urlsplit(server.url).netloc
        page.on("request", lambda r: foreign.append(r.url) if urlsplit(r.url).netloc not in ("", origin) else None)
        resp = page.goto(server.url + "/api/docs")
        assert resp.status == 200
        assert "script-src 'self'" in resp.headers["content-security-policy"]
        page.wait_for_selector(".opblock", timeout=15000)
        doc = page.evaluate("() => fetch('/api/openapi.json').then(r => r.json())")
        rendered = page.locator(".opblock").count()
        ids = page.evaluate("() => Array.from(document.querySelectorAll('.opblock')).map(e => e.id)")
        unnamed = page.evaluate(
            "() => Array.from(document.querySelectorAll('svg')).filter(s => s.getAttribute('aria-hidden') !== 'true'"
            " && !s.getAttribute('aria-label') && !s.querySelector('title')).length"
        )
        page.screenshot(path="test-artifacts/api-docs.png", full_page=False)
        page.close()
    expected = _operations(doc)
    assert expected == 9
    assert rendered == expected
    assert len(set(ids)) == expected  # one block per operation, none twice
    assert errors == []
    assert foreign == []
    assert unnamed == 0  # every drawing named or hidden from screen readers
