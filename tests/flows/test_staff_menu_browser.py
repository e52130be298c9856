"""The staff menu in Chromium: one row at 1366 px in both languages (admin pages under "More"),
and at 390 px reachable by keyboard alone: open the menu, open "More", follow a link."""

from __future__ import annotations

import pytest

from surveys.extensions import db
from surveys.services.tenancy import create_staff_user

from ..browsing import sign_in
from ..factories import make_store
from ..live_server import LiveServer

pytestmark = pytest.mark.browser
PASSWORD = "una clave larga 123"  # noqa: S105
TOPS = (
    "() => Array.from(document.querySelectorAll('.main-nav > a, .main-nav > details > summary'))"
    ".map(e => Math.round(e.getBoundingClientRect().top))"
)


@pytest.fixture
def server(app, make_app):
    store = make_store(name="Cerámica y Barro de Tlaquepaque")[0]
    create_staff_user("duena@barro.test", store, "admin", PASSWORD, name="María Fernanda Gutiérrez")
    db.session.commit()
    with LiveServer(make_app(WTF_CSRF_ENABLED=True)) as live:
        yield live


def _sign_in(page, server, lang):
    sign_in(page, server.url, "duena@barro.test", PASSWORD)
    page.click("details.account summary")
    page.select_option("#locale", lang)
    page.click("form[action$='/staff/me'] button")
    page.wait_for_load_state("load")


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_menu_is_one_row_at_1366_px(browser, server, lang):
    page = browser.new_page(viewport={"width": 1366, "height": 800})
    _sign_in(page, server, lang)
    for path in ("/staff/", "/staff/audit", "/staff/reviews/log"):
        page.goto(server.url + path)
        tops = page.evaluate(TOPS)
        assert len(tops) == 5 and max(tops) - min(tops) <= 4, (path, tops)  # 4 pages + "More", one row
        bar = page.eval_on_selector("header.bar", "e => e.getBoundingClientRect().height")
        link = page.eval_on_selector(".main-nav > a", "e => e.getBoundingClientRect().height")
        assert bar <= link + 2 * 10 + 12, (path, bar, link)  # one line plus the bar's padding
    page.goto(server.url + "/staff/audit")
    assert page.get_attribute("details.more", "data-current") == ""  # "More" marks where you are
    page.close()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_at_390_px_the_menu_and_more_work_by_keyboard(browser, server, lang):
    page = browser.new_page(viewport={"width": 390, "height": 800})
    _sign_in(page, server, lang)
    assert not page.is_visible(".main-nav")
    page.focus("#nav-toggle")
    page.keyboard.press("Space")
    assert page.is_visible(".main-nav")
    page.focus("details.more summary")
    page.keyboard.press("Enter")
    links = page.eval_on_selector_all(
        "details.more .dropdown a", "els => els.map(e => [e.innerText, e.getBoundingClientRect().right])"
    )
    assert len(links) == 6 and all(right <= 390 for _text, right in links)
    page.keyboard.press("Tab")  # the first admin page
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/settings")
    page.focus("#nav-toggle")
    page.keyboard.press("Space")
    page.focus("details.more summary")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")  # closes, focus back on "More"
    assert page.get_attribute("details.more", "open") is None
    assert page.evaluate("document.activeElement.matches('details.more summary')")
    page.close()
