"""The reviews widget in a real headless Chromium, on a storefront served from another port."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import update

from surveys.extensions import db
from surveys.models import Review, Store
from surveys.services import reviews

from ..browsing import ARTIFACTS, Storefront, watch
from ..factories import make_store, sent_invitation, survey_path
from ..live_server import LiveServer

pytestmark = pytest.mark.browser
XSS_BODY = 'Me encantó la taza <img src=x onerror="window.__pwned=1"> de verdad'
XSS_TITLE = "Bonita <script>window.__pwned=2</script>"


@pytest.fixture
def shop(app, client):
    store = make_store(name="Barro & Co")[0]
    items = [{"sku": "TAZA-01", "name": "Taza de barro"}]
    texts = [
        (5, "Preciosa", "Llegó rapidísimo y muy bien empacada."),
        (4, "Muy buena", "Buena calidad, el color es un poco más oscuro."),
        (2, "No tanto", "El esmalte venía con manchas."),
        (5, XSS_TITLE, XSS_BODY),
    ]
    for n in range(24):
        rating, title, body = texts[n % 3] if n < 23 else texts[3]
        data = {
            "nps": "9",
            "review-TAZA-01-rating": str(rating),
            "review-TAZA-01-title": title,
            "review-TAZA-01-body": body,
            "review-TAZA-01-publish": "1",
        }
        assert client.post(survey_path(sent_invitation(store, items=items)), data=data).status_code == 200
    for held in db.session.query(Review).filter_by(status="pending"):  # the markup one waits for a person
        reviews.moderate(held, "api", "publish")
    db.session.commit()
    key = store.widget_key
    db.session.rollback()  # SQLite: an open transaction here would hold the write lock the server needs
    return key


def set_origins(widget_key: str, origins: list[str]) -> None:
    db.session.execute(update(Store).where(Store.widget_key == widget_key).values(widget_origins=origins))
    db.session.commit()


def test_widget_renders_safely_on_a_foreign_storefront(browser, shop, make_app, tmp_path):
    app = make_app()
    with LiveServer(app) as api, Storefront(tmp_path) as front:
        for lang in ("es", "en"):
            url = front.page(
                f"product-{lang}.html",
                f'<div data-postventa-reviews data-key="{shop}" data-sku="TAZA-01" data-lang="{lang}"></div>'
                f'<script src="{api.url}/widget/v1/embed.js" defer></script>',
                lang,
            )
            for width, height, name in ((390, 844, "mobile"), (1280, 900, "desktop")):
                page = browser.new_page(viewport={"width": width, "height": height})
                problems = watch(page)
                page.goto(url)
                widget = page.locator("[data-postventa-reviews]")
                widget.locator(".avg").wait_for()
                assert problems == []
                assert widget.locator(".avg").inner_text() == ("3,8" if lang == "es" else "3.8")
                count = widget.locator(".cnt").inner_text()
                assert count == ("24 reseñas" if lang == "es" else "24 reviews")
                assert widget.locator("ol.rv > li").count() == (5 if name == "mobile" else 10)
                # user content is text: the markup shows as written and nothing runs
                xss = widget.locator("ol.rv > li").first
                assert xss.locator("p").first.inner_text() == XSS_BODY
                assert xss.locator("h3").inner_text() == XSS_TITLE
                assert page.evaluate("window.__pwned") is None
                assert widget.locator("img").count() == 0 and widget.locator("script").count() == 0
                # the host page's CSS does not get in
                body_style = xss.locator("p").first.evaluate(
                    "e => [getComputedStyle(e).color, getComputedStyle(e).display, getComputedStyle(e).fontFamily]"
                )
                assert body_style[0] != "rgb(255, 0, 0)" and body_style[1] != "none" and "Comic" not in body_style[2]
                if name == "mobile":  # phones: five at a time, "show more" adds five and moves focus to them
                    more = widget.locator("button.more")
                    assert more.inner_text() == ("Ver más reseñas" if lang == "es" else "Show more reviews")
                    assert more.evaluate("e => getComputedStyle(e).color") == "rgb(124, 45, 18)"
                    more.focus()
                    page.keyboard.press("Enter")
                    page.wait_for_function(
                        "() => document.querySelector('[data-postventa-reviews]').shadowRoot"
                        ".querySelectorAll('ol.rv > li').length === 10"
                    )
                    focused = page.evaluate(
                        "() => [...document.querySelector('[data-postventa-reviews]').shadowRoot"
                        ".querySelectorAll('ol.rv > li')].indexOf(document.querySelector('[data-postventa-reviews]')"
                        ".shadowRoot.activeElement)"
                    )
                    assert focused == 5 and problems == []
                    page.screenshot(path=str(ARTIFACTS / f"widget-{lang}-{name}.png"), full_page=True)
                    page.close()
                    continue
                # but its theme variables do
                button = widget.locator(".nav button").nth(1)
                assert button.evaluate("e => getComputedStyle(e).color") == "rgb(124, 45, 18)"
                assert (
                    widget.locator(".ver")
                    .first.inner_text()
                    .endswith("Compra verificada" if lang == "es" else "Verified purchase")
                )
                page.screenshot(path=str(ARTIFACTS / f"widget-{lang}-{name}.png"), full_page=True)
                # keyboard: focus "next", press Enter, the second page arrives
                button.focus()
                page.keyboard.press("Enter")
                page.wait_for_function(
                    "() => /(2 de 3|2 of 3)/.test(document.querySelector('[data-postventa-reviews]')"
                    ".shadowRoot.querySelector('.nav').getAttribute('aria-label'))"
                )
                assert widget.locator("ol.rv > li").count() == 10
                assert problems == []
                page.close()


def test_widget_fails_quietly_when_the_api_is_unreachable(browser, shop, tmp_path):
    source = Path(__file__).resolve().parents[2] / "surveys" / "static" / "widget" / "embed.js"
    (tmp_path / "widget" / "v1").mkdir(parents=True)
    shutil.copy(source, tmp_path / "widget" / "v1" / "embed.js")  # the script loads; the API is not there
    with Storefront(tmp_path) as front:
        url = front.page(
            "down.html",
            f'<div data-postventa-reviews data-key="{shop}" data-sku="TAZA-01"></div>'
            '<script src="/widget/v1/embed.js" defer></script><p id="after">still here</p>',
        )
        page = browser.new_page()
        problems = watch(page)
        page.goto(url)
        page.wait_for_timeout(500)
        assert page.evaluate("document.querySelector('[data-postventa-reviews]').shadowRoot.childNodes.length") == 0
        # the browser itself reports the failed request; the script adds no error of its own
        assert [p for p in problems if not re.search(r"Failed to load resource", p)] == []
        page.close()


def test_frame_grows_to_its_content_and_only_allowed_origins_may_frame_it(browser, shop, make_app, tmp_path):
    app = make_app()
    with LiveServer(app) as api, Storefront(tmp_path) as front:
        snippet = (
            f'<div data-postventa-reviews data-iframe data-key="{shop}" data-sku="TAZA-01"></div>'
            f'<script src="{api.url}/widget/v1/embed.js" defer></script>'
        )
        url = front.page("framed.html", snippet)
        set_origins(shop, [front.origin])
        page = browser.new_page(viewport={"width": 800, "height": 900})
        problems = watch(page)
        page.goto(url)
        frame = page.frame_locator("iframe")
        frame.locator("[data-postventa-reviews] .avg").wait_for()
        page.wait_for_function("() => parseInt(document.querySelector('iframe').style.height) > 600")
        # a foreign message cannot resize it: only numbers from our frame count
        page.evaluate("window.postMessage(5, '*')")
        page.wait_for_timeout(200)
        assert int(page.evaluate("parseInt(document.querySelector('iframe').style.height)")) > 600
        page.screenshot(path=str(ARTIFACTS / "widget-frame-es.png"), full_page=True)
        assert problems == []
        page.close()

        set_origins(shop, ["https://another-shop.example"])
        page = browser.new_page()
        page.goto(url)
        page.wait_for_timeout(1000)
        child = page.frames[1] if len(page.frames) > 1 else None
        assert child is None or "Taza" not in (child.content() if child.url.startswith("http") else "")
        assert child is None or not child.url.startswith(api.url) or child.locator(".avg").count() == 0
        page.close()
