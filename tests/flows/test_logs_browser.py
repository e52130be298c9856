"""The moderation log on a phone: one card per entry, every value beside its column's name,
nothing to scroll sideways (the same template serves the audit log)."""

from __future__ import annotations

import pytest

from surveys.extensions import db
from surveys.services import audit
from surveys.services.tenancy import create_staff_user

from ..browsing import ARTIFACTS, sign_in
from ..factories import make_store
from ..live_server import LiveServer

pytestmark = pytest.mark.browser
PASSWORD = "una clave larga 123"  # noqa: S105


def test_the_moderation_log_reads_as_cards_at_390_px(browser, app, make_app):
    store = make_store()[0]
    admin = create_staff_user("duena@barro.test", store, "admin", PASSWORD)
    for n in range(3):
        audit.record(store.id, None, "submitted", "review", n + 1, details={"rating": 2, "flags": "personal_data"})
    audit.record(store.id, admin, "rejected", "review", 1, reason="personal_data — teléfono en la reseña")
    db.session.commit()
    with LiveServer(make_app(WTF_CSRF_ENABLED=True)) as server:
        page = browser.new_page(viewport={"width": 390, "height": 900})
        sign_in(page, server.url, "duena@barro.test", PASSWORD)
        page.goto(server.url + "/staff/reviews/log")
        box = page.eval_on_selector("table.log", "t => [t.scrollWidth, t.clientWidth, t.getBoundingClientRect().right]")
        cards = page.eval_on_selector_all(
            "table.log tbody tr",
            "rows => rows.map(r => [getComputedStyle(r).display, Array.from(r.cells).filter(c => c.offsetHeight)"
            ".map(c => getComputedStyle(c, '::before').content.replace(/^none$/, '').replaceAll('\"', '')"
            " + c.innerText)])",
        )
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "moderation-log-phone.png"), full_page=True)
        page.close()
    assert box[0] <= box[1] and box[2] <= 390  # no sideways scrolling inside the log either
    assert [display for display, _ in cards] == ["block"] * 4
    newest = cards[0][1]
    assert newest[1:] == [
        "Quién: duena@barro.test",
        "Qué: Reseña rechazada",
        "Objeto: Reseña #1",
        "Por qué: Datos personales — teléfono en la reseña",
    ]
