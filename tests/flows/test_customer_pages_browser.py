"""The customer pages in a real Chromium, measured by their boxes: the 0-10 scale stays one row
from 320 to 390 px with its end labels under 0 and 10; the comment prompt follows the score and
sits on its box; the thank-you page gives each review its own line saying what became of it; an
expired link is painted in the shop's colour under the shop's name."""

from __future__ import annotations

import pytest

from surveys.extensions import db

from ..factories import make_store, sent_invitation, survey_path
from ..live_server import LiveServer

pytestmark = pytest.mark.browser
ITEMS = [{"sku": "TAZA-01", "name": "Taza de barro"}, {"sku": "JARRO-02", "name": "Jarro de talavera"}]
BOX = "(e) => { const r = e.getBoundingClientRect(); return {x: r.left, y: r.top, r: r.right, b: r.bottom}; }"


@pytest.fixture
def server(app, make_app):
    with LiveServer(make_app(WTF_CSRF_ENABLED=True)) as live:
        yield live


def _boxes(page, selector):
    return page.eval_on_selector_all(selector, f"els => els.map({BOX})")


@pytest.mark.parametrize("width", [320, 360, 390])
def test_the_0_to_10_scale_is_one_row_with_its_end_labels_under_0_and_10(browser, server, width):
    store = make_store(name="Barro & Co")[0]
    path = survey_path(sent_invitation(store))
    db.session.rollback()
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(server.url + path)
    options = _boxes(page, "fieldset.scale-11 .option span")
    low, high = _boxes(page, "fieldset.scale-11 .ends span")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.close()
    assert len(options) == 11
    assert max(o["y"] for o in options) - min(o["y"] for o in options) < 1  # one row
    assert all(o["x"] >= 0 and o["r"] <= width for o in options) and overflow == 0
    assert all(b["x"] - a["r"] >= 0 for a, b in zip(options, options[1:], strict=False))  # no overlap
    assert all(o["r"] - o["x"] >= 22 for o in options)  # still a target a thumb can hit
    zero, ten = options[0], options[-1]
    assert low["y"] >= zero["b"] and high["y"] >= ten["b"]  # under the row
    assert abs(low["x"] - zero["x"]) <= 1  # starts where 0 starts
    assert abs(high["r"] - ten["r"]) <= 1  # ends where 10 ends
    assert low["r"] < high["x"]  # the two labels do not run into each other


def test_the_comment_prompt_follows_the_score_and_labels_its_box(browser, server):
    store = make_store()[0]
    path = survey_path(sent_invitation(store))
    db.session.rollback()
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(server.url + path)
    seen = {}
    for score in (None, 3, 8, 10, 0):
        if score is not None:
            page.click(f"fieldset.scale-11 .option:has(input[value='{score}'])")
        seen[score] = page.inner_text("label[for=comment]")
    label, box = _boxes(page, "label[for=comment]")[0], _boxes(page, "#comment")[0]
    page.close()
    assert seen == {
        None: "¿Quieres contarnos más? (opcional)",
        3: "¿Qué salió mal? (opcional)",
        8: "¿Qué nos faltó? (opcional)",
        10: "¿Qué fue lo que más te gustó? (opcional)",
        0: "¿Qué salió mal? (opcional)",
    }
    assert 0 <= box["y"] - label["b"] <= 16 and abs(box["x"] - label["x"]) <= 1  # right above its box


def test_the_thank_you_page_gives_each_review_a_line_with_its_fate(browser, server):
    store = make_store()[0]
    path = survey_path(sent_invitation(store, items=ITEMS))
    db.session.rollback()
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(server.url + path)
    page.click("fieldset.scale-11 .option:has(input[value='9'])")
    for sku, stars, body in (("TAZA-01", 5, "Muy bonita"), ("JARRO-02", 4, "Escríbeme al 55 1234 5678")):
        page.check(f"input[name='review-{sku}-rating'][value='{stars}']", force=True)
        page.fill(f"#review-{sku}-body", body)
        page.check(f"input[name='review-{sku}-publish']", force=True)
    with page.expect_navigation():
        page.click("#survey button[type=submit]")
    lines = page.eval_on_selector_all(
        ".review-fates li",
        f"els => els.map(e => ({{status: e.dataset.reviewStatus, product: e.querySelector('strong').innerText, "
        f"text: e.innerText, box: ({BOX})(e)}}))",
    )
    page.close()
    assert [(li["status"], li["product"]) for li in lines] == [
        ("published", "Taza de barro"),
        ("pending", "Jarro de talavera"),
    ]
    assert lines[0]["box"]["b"] <= lines[1]["box"]["y"]  # one line each, one under the other
    assert lines[0]["text"] == "Taza de barro: tu reseña ya está publicada en la página de la tienda."
    assert lines[1]["text"].startswith("Jarro de talavera: tu reseña se publicará cuando la tienda revise")


def test_an_expired_link_is_in_the_shops_colour_under_its_name(browser, server):
    store = make_store(name="Barro & Co", brand_color="#7c2d12")[0]
    invitation = sent_invitation(store, customer={"email": "emily@example.com", "locale": "en"})
    invitation.status = "expired"
    db.session.commit()
    path = survey_path(invitation)
    db.session.rollback()
    page = browser.new_page(viewport={"width": 390, "height": 800})
    resp = page.goto(server.url + path)
    header = page.eval_on_selector(
        "header.top", f"e => ({{text: e.innerText, bg: getComputedStyle(e).backgroundColor, box: ({BOX})(e)}})"
    )
    heading = page.eval_on_selector("h1", f"e => ({{text: e.innerText, box: ({BOX})(e)}})")
    lang = page.evaluate("document.documentElement.lang")
    page.close()
    assert resp.status == 410 and lang == "en"
    assert header["text"] == "Barro & Co" and header["bg"] == "rgb(124, 45, 18)"  # #7c2d12
    assert header["box"]["y"] == 0 and header["box"]["b"] <= heading["box"]["y"]
    assert heading["text"] == "This link has expired"
