"""Layouts in Chromium: the recovery queue shows every column at 1366 px without a sideways
scroll, on a 390 px phone the responses list reads as cards, each comment whole, and the
customer's follow-up card asks its question once and keeps a side margin."""

from __future__ import annotations

from datetime import timedelta

import pytest

from surveys.extensions import db
from surveys.models import StaffUser, utcnow
from surveys.services.tenancy import create_staff_user

from ..browsing import sign_in
from ..factories import STAFF_PASSWORD, make_store, unhappy_task
from ..live_server import LiveServer

pytestmark = pytest.mark.browser
LONG = "Llegó roto y nadie contesta, ya escribí tres veces al correo de la tienda y tampoco respondieron"
UNBROKEN = '=HYPERLINK("http://evil.test/reclamo/pedido/1234","click") El paquete llegó roto'  # one long word

COLUMNS = """(sel) => {
  const box = document.querySelector(sel);
  const edge = box.getBoundingClientRect().right;
  return {
    clipped: Array.from(box.querySelectorAll('th, td')).filter(c => c.getBoundingClientRect().right > edge + 1)
      .map(c => c.innerText),
    scroll: box.scrollWidth - box.clientWidth,
    page: document.documentElement.scrollWidth - window.innerWidth,
  };
}"""


@pytest.fixture
def server(app, client, make_app):
    store = make_store(name="Cerámica y Barro de Tlaquepaque")[0]
    create_staff_user("duena@barro.test", store, "admin", STAFF_PASSWORD, name="María Fernanda Gutiérrez")
    lucia = create_staff_user("lucia@barro.test", store, "agent", STAFF_PASSWORD, name="Lucía Gómez Hernández")
    db.session.commit()
    for n in range(4):
        task = unhappy_task(client, store, email=f"cliente{n}@example.com", comment=UNBROKEN if n == 0 else LONG)
        task.assignee_id = db.session.get(StaffUser, lucia.id).id
        task.status = "contacted"  # the widest state pill and deadline: "⚠ vencida hace 77 d 16 h"
        task.first_contact_at = utcnow() - timedelta(days=78)
        task.resolution_due_at = task.first_contact_due_at = utcnow() - timedelta(days=77, hours=16)
    db.session.commit()
    with LiveServer(make_app()) as live:
        yield live


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_queue_shows_every_column_at_1366_px(browser, server, lang):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in(page, server.url, "duena@barro.test", STAFF_PASSWORD)
    page.goto(server.url + "/staff/tasks")
    if lang == "en":
        page.click("details.account summary")
        page.select_option("#locale", "en")
        page.click("form[action$='/staff/me'] button")
        page.goto(server.url + "/staff/tasks")
    assert page.get_attribute("html", "lang") == lang  # the console really speaks it
    shown = page.evaluate(COLUMNS, ".table-box")
    assert (shown["clipped"], shown["scroll"], shown["page"]) == ([], 0, 0), shown
    assignees = page.eval_on_selector_all(
        "table.queue tbody td:last-child", "els => els.map(e => e.scrollWidth <= e.clientWidth && e.innerText)"
    )
    assert assignees == ["Lucía Gómez Hernández"] * 4  # whole, not cut
    page.close()


def test_on_a_phone_each_response_is_a_card_with_its_whole_comment(browser, server):
    page = browser.new_page(viewport={"width": 390, "height": 800})
    sign_in(page, server.url, "duena@barro.test", STAFF_PASSWORD)
    page.goto(server.url + "/staff/responses")
    shown = page.evaluate(COLUMNS, "table.queue")
    assert (shown["clipped"], shown["scroll"], shown["page"]) == ([], 0, 0), shown
    comments = page.eval_on_selector_all(
        "table.queue td.comment",
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left >= 0, r.right <= 390, r.width]; })",
    )
    assert len(comments) == 4 and all(left and right and width > 250 for left, right, width in comments), comments
    page.close()


@pytest.mark.parametrize("locale", ["es-MX", "en-US"])
def test_the_follow_up_page_asks_once_and_keeps_a_side_margin_at_390_px(browser, app, client, make_app, locale):
    from surveys.models import Task
    from surveys.services.tokens import issue_token

    from ..factories import sent_invitation, survey_path

    store = make_store(name="Barro")[0]
    invitation = sent_invitation(store, customer={"email": "ana@example.com", "name": "Ana", "locale": locale})
    client.post(survey_path(invitation), data={"nps": "2", "comment": "Llegó roto"})
    task = db.session.query(Task).one()
    task.status, task.resolved_at = "resolved", utcnow()
    token = issue_token("followup", task.public_id)
    db.session.commit()  # and no transaction left open beside the live server
    with LiveServer(make_app()) as live:
        page = browser.new_page(viewport={"width": 390, "height": 800})
        page.goto(f"{live.url}/f/{token}")
        heading, question = page.inner_text("h1"), page.inner_text("legend")
        box = page.eval_on_selector("main.card", "e => e.getBoundingClientRect().toJSON()")
        page.close()
    assert heading.strip() != question.strip(), (heading, question)  # the question is asked once
    assert box["left"] >= 12 and 390 - box["right"] >= 12, box
