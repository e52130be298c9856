"""The widget on a shop's own page in real Chromium, with the shop's everyday CSS around it: star
badges stay inline in the title or sentence they sit in, the review box keeps its own type sizes
whatever the page sets on divs or the root, and one star is "1 estrella" / "1 star"."""

from __future__ import annotations

import pytest

from surveys.extensions import db

from ..browsing import ARTIFACTS, Storefront, watch
from ..factories import make_store, sent_invitation, survey_path
from ..live_server import LiveServer

pytestmark = pytest.mark.browser
# Rules a theme really ships: big type on every div, a 62.5 % root for rem sizes, roomy lines.
SHOP_CSS = (
    "html{font-size:10px}body{font-family:Georgia,serif;margin:8px}div{font-size:22px;line-height:3;"
    "letter-spacing:3px;text-transform:uppercase}h1{font-size:28px;margin:0 0 8px}p{font-size:16px}"
)
VIEWPORTS = {"desk": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def key(app, client):
    store = make_store(name="Barro & Co")[0]
    for n, value in enumerate((1, 4, 5)):
        invitation = sent_invitation(store, items=[{"sku": "TAZA-01", "name": "Taza de barro"}])
        data = {
            "nps": "9",
            "review-TAZA-01-rating": str(value),
            "review-TAZA-01-title": f"Título {n}",
            "review-TAZA-01-body": f"Reseña número {n} de la taza",
            "review-TAZA-01-publish": "1",
        }
        assert client.post(survey_path(invitation), data=data).status_code == 200
    key = store.widget_key
    db.session.rollback()
    return key


# Where a badge sits against the text around it: the host's display, the line boxes of the text
# before and after it (a Range over each text node) and the badge's own box.
PLACES = """() => [...document.querySelectorAll('[data-postventa-stars]')].map(host => {
    const box = r => ({top: r.top, bottom: r.bottom, left: r.left, right: r.right});
    const text = node => { const r = document.createRange(); r.selectNodeContents(node);
                           const all = r.getClientRects(); return box(all[all.length - 1]); };
    const first = node => { const r = document.createRange(); r.selectNodeContents(node);
                            return box(r.getClientRects()[0]); };
    const before = host.previousSibling, after = host.nextSibling;
    return {display: getComputedStyle(host).display,
            badge: box(host.shadowRoot.querySelector('.bdg').getBoundingClientRect()),
            before: text(before), after: after && after.textContent.trim() ? first(after) : null,
            parentHeight: host.parentElement.getBoundingClientRect().height,
            fontSize: parseFloat(getComputedStyle(host.parentElement).fontSize)}; })"""


@pytest.mark.parametrize("size", ["desk", "phone"])
@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_badge_stays_on_the_line_of_the_title_and_of_the_sentence(browser, key, make_app, tmp_path, lang, size):
    badge = f'<span data-postventa-stars data-key="{key}" data-sku="TAZA-01"></span>'
    body = f"<h1>Taza {badge}</h1><p>Otro: Taza {badge} · 3 opiniones</p>"
    with LiveServer(make_app()) as api, Storefront(tmp_path) as front:
        script = f'<script src="{api.url}/widget/v1/embed.js" defer></script>'
        url = front.page(f"badges-{lang}.html", body + script, lang, css=SHOP_CSS, heading="")
        page = browser.new_page(viewport=VIEWPORTS[size])
        problems = watch(page)
        page.goto(url)
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-postventa-stars]')]"
            ".every(e => e.shadowRoot?.querySelector('.st'))"
        )
        title, sentence = page.evaluate(PLACES)
        page.screenshot(path=str(ARTIFACTS / f"badge-inline-{lang}-{size}.png"))
        for place in (title, sentence):
            assert place["display"] == "inline"
            # beside the text before it, on the same line box, and the line is not broken
            assert place["badge"]["left"] >= place["before"]["right"] - 1
            assert (
                place["badge"]["top"] < place["before"]["bottom"] and place["badge"]["bottom"] > place["before"]["top"]
            )
            assert place["parentHeight"] < 2 * place["fontSize"]  # one line
        after = sentence["after"]
        assert (
            after["top"] == pytest.approx(sentence["before"]["top"], abs=2)
            and after["left"] >= sentence["badge"]["right"]
        )
        assert problems == []
        page.close()


STYLES = """() => { const root = document.querySelector('[data-postventa-reviews]').shadowRoot;
    const style = sel => { const s = getComputedStyle(root.querySelector(sel));
        return [s.fontSize, s.lineHeight, s.letterSpacing, s.textTransform]; };
    return {body: style('ol.rv > li > p'), title: style('ol.rv > li > h3'), avg: style('.avg')[0],
            sort: style('select')[0], how: style('.how')[0], button: style('button.bar')[0]}; }"""


@pytest.mark.parametrize("size", ["desk", "phone"])
@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_shops_css_does_not_reach_the_reviews_and_one_star_is_singular(
    browser, key, make_app, tmp_path, lang, size
):
    with LiveServer(make_app()) as api, Storefront(tmp_path) as front:
        url = front.page(
            f"taza-{lang}.html",
            f'<div data-postventa-reviews data-key="{key}" data-sku="TAZA-01" data-lang="{lang}"></div>'
            f'<script src="{api.url}/widget/v1/embed.js" defer></script>',
            lang,
            css=SHOP_CSS,
        )
        page = browser.new_page(viewport=VIEWPORTS[size])
        problems = watch(page)
        page.goto(url)
        widget = page.locator("[data-postventa-reviews]")
        widget.locator("ol.rv > li > p").first.wait_for()
        shown = page.evaluate(STYLES)
        assert shown["body"] == ["16px", "24px", "normal", "none"]  # not the page's 22px, line-height 3, capitals
        assert shown["title"] == ["16px", "24px", "normal", "none"]
        assert shown["avg"] == ("28.8px" if size == "phone" else "36px")  # em of the widget's 16px, not rem of 10px
        assert (shown["sort"], shown["how"], shown["button"]) == ("14.4px", "13.6px", "13.6px")

        one, two = widget.locator('button.bar[data-f="r1"]'), widget.locator('button.bar[data-f="r2"]')
        singular, plural = (
            ("1 estrella: 1. Ver solo estas", "2 estrellas: 0. Ver solo estas")
            if lang == "es"
            else ("1 star: 1. Show only these", "2 stars: 0. Show only these")
        )
        assert (one.get_attribute("aria-label"), two.get_attribute("aria-label")) == (singular, plural)
        one.click()
        page.wait_for_function(
            "() => document.querySelector('[data-postventa-reviews]').shadowRoot"
            ".querySelectorAll('ol.rv > li').length === 1"
        )
        notice = widget.locator(".flt").inner_text()
        assert notice.startswith("Reseñas de 1 estrella. " if lang == "es" else "1-star reviews. ")
        stars = widget.locator("ol.rv > li > .st").get_attribute("aria-label")
        assert stars == ("1 de 5 estrellas" if lang == "es" else "1 out of 5 stars")
        page.screenshot(path=str(ARTIFACTS / f"widget-host-css-{lang}-{size}.png"), full_page=True)
        assert problems == []
        page.close()
