"""The staff page's pending invitations on a phone: one card per invitation, each value beside
its column's name and the cancel button in view, nothing cut off at the right edge."""

from __future__ import annotations

import pytest

from surveys.extensions import db
from surveys.services.staff_invitations import invite_member
from surveys.services.tenancy import create_staff_user

from ..browsing import ARTIFACTS, sign_in
from ..factories import make_store
from ..live_server import LiveServer

pytestmark = pytest.mark.browser
PASSWORD = "una clave larga 123"  # noqa: S105


def test_pending_invitations_read_as_cards_at_390_px(browser, app, make_app):
    store = make_store()[0]
    admin = create_staff_user("duena@barro.test", store, "admin", PASSWORD)
    invite_member(store, admin, "nueva.agente@barro.test", "agent")
    db.session.commit()
    with LiveServer(make_app(WTF_CSRF_ENABLED=True)) as server:
        page = browser.new_page(viewport={"width": 390, "height": 900})
        sign_in(page, server.url, "duena@barro.test", PASSWORD)
        page.goto(server.url + "/staff/users")
        row = page.locator("tr[data-invitation]")
        cells = row.evaluate(
            "r => Array.from(r.cells).filter(c => c.offsetHeight).map(c => "
            "getComputedStyle(c, '::before').content.replace(/^none$/, '').replaceAll('\"', '') + c.innerText)"
        )
        button = row.locator("button").bounding_box()
        table = row.evaluate("r => { const t = r.closest('table'); return [t.scrollWidth, t.clientWidth] }")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "team-invitations-phone.png"), full_page=True)
        page.close()
    assert table[0] <= table[1]  # nothing hidden in a sideways scroll
    assert button["x"] + button["width"] <= 390
    assert cells[:2] == ["nueva.agente@barro.test", "Rol: Agente"]
    assert cells[2].startswith("Vence: ")


def test_the_members_table_has_no_headers_over_empty_columns_at_390_px(browser, app, make_app):
    store = make_store()[0]
    create_staff_user("duena@barro.test", store, "admin", PASSWORD)
    create_staff_user("agente@barro.test", store, "agent", PASSWORD)
    db.session.commit()
    with LiveServer(make_app(WTF_CSRF_ENABLED=True)) as server:
        page = browser.new_page(viewport={"width": 390, "height": 900})
        sign_in(page, server.url, "duena@barro.test", PASSWORD)
        page.goto(server.url + "/staff/users")
        table = page.locator("tr[data-member]").first.evaluate("r => r.closest('table')")
        headers = page.eval_on_selector_all(
            "table:has(tr[data-member]) th", "ths => ths.filter(th => th.offsetHeight).map(th => th.innerText)"
        )
        save = page.locator("tr[data-member='agente@barro.test'] button").bounding_box()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "team-members-phone.png"), full_page=True)
        page.close()
    assert table is not None
    assert headers == []  # one card per member: the controls name themselves, no column heads over nothing
    assert save["x"] + save["width"] <= 390
