"""The one-click page in a real headless Chromium, with CSRF on, as a customer opens it."""

import pytest
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Response

from ..browsing import ARTIFACTS
from ..factories import make_store, sent_invitation, survey_path
from ..live_server import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def live(app, make_app):
    server_app = make_app(WTF_CSRF_ENABLED=True)
    return server_app


def _nps():
    """Read, then end the transaction at once: SQLite writers queue behind an open one."""
    db.session.rollback()
    value = db.session.scalar(select(Response.nps))
    db.session.rollback()
    return value


def test_opening_a_score_link_records_the_score_without_a_click(browser, live):
    store = make_store(name="Barro & Co", brand_color="#7c2d12")[0]
    path = survey_path(sent_invitation(store), 9)
    db.session.rollback()
    with LiveServer(live) as server:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(server.url + path)
        page.wait_for_selector("#saved:not([hidden])")
        assert "Guardamos tu respuesta" in page.inner_text("#saved")
        assert page.is_checked("input[name=nps][value='9']")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "survey-es-mobile.png"), full_page=True)
        page.fill("#comment", "Llegó rapidísimo, gracias")
        page.click("button[type=submit]")
        page.wait_for_selector("text=¡Gracias!")
        page.close()
    assert errors == []
    db.session.rollback()
    response = db.session.scalar(select(Response))
    assert (response.nps, response.comment) == (9, "Llegó rapidísimo, gracias")


def test_without_javascript_the_score_is_recorded_only_after_one_tap_on_send(browser, live):
    store = make_store()[0]
    path = survey_path(sent_invitation(store, customer={"email": "en@example.com", "locale": "en"}), 4)
    db.session.rollback()
    with LiveServer(live) as server:
        context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(server.url + path)
        page.wait_for_timeout(300)
        assert _nps() is None
        page.screenshot(path=str(ARTIFACTS / "survey-en-nojs-desktop.png"), full_page=True)
        page.click("text=Send")
        page.wait_for_selector("text=Thank you!")
        context.close()
    assert _nps() == 4


def test_staff_console_in_both_languages(browser, live):
    from surveys.services.tenancy import create_staff_user

    store = make_store(name="Barro & Co")[0]
    create_staff_user("duena@barro.test", store, "admin", "una clave larga 123")
    db.session.commit()
    for n, (score, comment) in enumerate([(2, "El jarro llegó estrellado y nadie contesta"), (10, "¡Hermoso!")]):
        invitation = sent_invitation(store, email=f"b{n}@example.com")
        responses_submit(invitation, score, comment)
    db.session.rollback()
    with LiveServer(live) as server:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(server.url + "/staff/login")
        page.fill("#email", "duena@barro.test")
        page.fill("#password", "una clave larga 123")
        page.click("button.primary")
        for lang, heading in (("es", "Cola de recuperación"), ("en", "Recovery queue")):
            page.click("details.account summary")
            page.select_option("#locale", lang)
            page.click("form[action$='/staff/me'] button")
            page.goto(server.url + "/staff/")
            page.wait_for_selector("svg.chart")
            page.screenshot(path=str(ARTIFACTS / f"staff-dashboard-{lang}.png"), full_page=True)
            page.goto(server.url + "/staff/tasks")
            assert heading in page.inner_text("h1")
            page.screenshot(path=str(ARTIFACTS / f"staff-queue-{lang}.png"), full_page=True)
            page.click("table.queue a")
            page.wait_for_selector("#reply-body")
            page.screenshot(path=str(ARTIFACTS / f"staff-task-{lang}.png"), full_page=True)
        page.close()
    assert errors == []


def responses_submit(invitation, score, comment):
    from surveys.services import responses

    responses.submit_response(invitation, responses.Answer(nps=score, comment=comment))
    db.session.commit()
