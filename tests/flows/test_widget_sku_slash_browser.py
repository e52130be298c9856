"""A SKU with a "/" (CAMISA/M, common in shops) on a foreign storefront in real Chromium: its
review block and star badge both show, and the widget's 404 is readable across origins."""

from __future__ import annotations

import pytest

from surveys.extensions import db

from ..browsing import ARTIFACTS, Storefront, watch
from ..factories import make_store, sent_invitation, survey_path
from ..live_server import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def key(app, client):
    store = make_store(name="Barro & Co")[0]
    invitation = sent_invitation(store, items=[{"sku": "A/B", "name": "Thing A/B"}])
    data = {"nps": "9", "review-A/B-rating": "4", "review-A/B-body": "Muy buena", "review-A/B-publish": "1"}
    assert client.post(survey_path(invitation), data=data).status_code == 200
    key = store.widget_key
    db.session.rollback()
    return key


def test_reviews_and_badge_of_a_sku_with_a_slash_show_on_the_storefront(browser, key, make_app, tmp_path):
    with LiveServer(make_app()) as api, Storefront(tmp_path) as front:
        url = front.page(
            "producto.html",
            f'<div data-postventa-reviews data-key="{key}" data-sku="A/B" data-lang="es"></div>'
            f'<span data-postventa-stars data-key="{key}" data-sku="A/B"></span>'
            f'<script src="{api.url}/widget/v1/embed.js" defer></script>',
            "es",
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems = watch(page)
        page.goto(url)
        widget = page.locator("[data-postventa-reviews]")
        widget.locator("ol.rv > li").first.wait_for()
        assert (widget.locator(".cnt").inner_text(), widget.locator("ol.rv > li").count()) == ("1 reseña", 1)
        assert widget.locator("ol.rv > li p").first.inner_text() == "Muy buena"
        page.wait_for_function(
            "() => document.querySelector('[data-postventa-stars]').shadowRoot?.querySelector('.st')"
        )
        page.screenshot(path=str(ARTIFACTS / "widget-sku-slash.png"))
        assert problems == []
        # an unknown product: the storefront's script reads a 404, not a CORS failure
        status = page.evaluate(
            "u => fetch(u, {credentials: 'omit', mode: 'cors'}).then(r => r.status, e => String(e))",
            f"{api.url}/widget/v1/{key}/products/{'NADA%2FX'}/reviews.json",
        )
        assert status == 404
        assert problems == ["console: Failed to load resource: the server responded with a status of 404 (NOT FOUND)"]
        page.close()
