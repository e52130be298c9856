"""Finding the right review in real Chromium on a foreign storefront: the histogram bars filter
by stars, the sort menu reorders, the summary draws half stars, all by keyboard too."""

from __future__ import annotations

import pytest

from surveys.extensions import db

from ..browsing import ARTIFACTS, Storefront, watch
from ..factories import make_store, sent_invitation, survey_path
from ..live_server import LiveServer

pytestmark = pytest.mark.browser
RATINGS = (5, 2, 4, 5, 3, 2)  # average 3.5


@pytest.fixture
def key(app, client):
    store = make_store(name="Barro & Co")[0]
    for n, value in enumerate(RATINGS):
        invitation = sent_invitation(store, items=[{"sku": "TAZA-01", "name": "Taza de barro"}])
        data = {
            "nps": "9",
            "review-TAZA-01-rating": str(value),
            "review-TAZA-01-body": f"Reseña número {n} de la taza",
            "review-TAZA-01-publish": "1",
        }
        assert client.post(survey_path(invitation), data=data).status_code == 200
    key = store.widget_key
    db.session.rollback()
    return key


SHOWN = """() => [...document.querySelector('[data-postventa-reviews]').shadowRoot
    .querySelectorAll('ol.rv > li > .st')].map(s => Number(s.dataset.value))"""
FOCUSED = """() => { const a = document.querySelector('[data-postventa-reviews]').shadowRoot.activeElement;
    return a ? (a.getAttribute('data-f') || a.tagName) : null; }"""


def shown_after(page, expected: list[int]) -> list[int]:
    page.wait_for_function(f"() => JSON.stringify(({SHOWN})()) === JSON.stringify({expected})")
    return page.evaluate(SHOWN)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_bars_filter_by_stars_and_the_menu_sorts(browser, key, make_app, tmp_path, lang):
    with LiveServer(make_app()) as api, Storefront(tmp_path) as front:
        url = front.page(
            "taza.html",
            f'<div data-postventa-reviews data-key="{key}" data-sku="TAZA-01" data-lang="{lang}"></div>'
            f'<script src="{api.url}/widget/v1/embed.js" defer></script>',
            lang,
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems = watch(page)
        page.goto(url)
        widget = page.locator("[data-postventa-reviews]")
        widget.locator(".avg").wait_for()
        summary = widget.locator(".sum .st")
        assert summary.get_attribute("data-value") == "3.5"
        assert summary.evaluate("s => [...s.children].map(c => c.className).join('')") == "fffhe"
        assert shown_after(page, [2, 3, 5, 4, 2, 5]) == [2, 3, 5, 4, 2, 5]  # newest first

        two = widget.locator('button.bar[data-f="r2"]')
        assert two.get_attribute("aria-label") == (
            "2 estrellas: 2. Ver solo estas" if lang == "es" else "2 stars: 2. Show only these"
        )
        two.click()
        assert shown_after(page, [2, 2]) == [2, 2]
        assert two.get_attribute("aria-pressed") == "true"
        assert widget.locator(".flt").inner_text().startswith("Reseñas de 2 estrellas" if lang == "es" else "2-star")
        assert page.evaluate(FOCUSED) == "r2"  # focus stays on the bar that was pressed

        five = widget.locator('button.bar[data-f="r5"]')  # by keyboard: Tab to it, Space
        five.focus()
        page.keyboard.press("Space")
        assert shown_after(page, [5, 5]) == [5, 5]
        assert widget.locator('button.bar[aria-pressed="true"]').count() == 1

        widget.locator('button[data-f="all"]').click()
        shown_after(page, [2, 3, 5, 4, 2, 5])
        menu = widget.locator("select")
        menu.select_option("lowest")
        assert shown_after(page, [2, 2, 3, 4, 5, 5]) == [2, 2, 3, 4, 5, 5]
        assert page.evaluate(FOCUSED) == "sort"
        menu.select_option("highest")
        assert shown_after(page, [5, 5, 4, 3, 2, 2]) == [5, 5, 4, 3, 2, 2]
        widget.locator('button.bar[data-f="r4"]').click()  # filter and sort together
        assert shown_after(page, [4]) == [4]
        assert menu.input_value() == "highest"
        page.screenshot(path=str(ARTIFACTS / f"widget-filter-{lang}.png"), full_page=True)
        assert problems == []
        page.close()
