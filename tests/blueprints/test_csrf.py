"""The one module that keeps CSRF protection on for form posts."""

import re

import pytest
from sqlalchemy import func, select

from surveys.extensions import db
from surveys.models import Response

from ..factories import STAFF_PASSWORD, make_store, sent_invitation, survey_path


@pytest.fixture
def csrf_client(make_app, app):
    return make_app(WTF_CSRF_ENABLED=True).test_client()


def test_post_without_csrf_token_keeps_the_answers_and_asks_to_send_again(csrf_client):
    store = make_store()[0]
    path = survey_path(sent_invitation(store))
    db.session.rollback()
    resp = csrf_client.post(path, data={"nps": "8", "comment": "La caja llegó húmeda"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "presiona Enviar una vez más" in html
    assert "La caja llegó húmeda" in html and 'value="8" checked' in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    retry = csrf_client.post(path, data={"nps": "8", "comment": "La caja llegó húmeda", "csrf_token": token})
    assert retry.status_code == 200
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_background_post_without_csrf_gets_json_400_and_writes_nothing(csrf_client):
    store = make_store()[0]
    path = survey_path(sent_invitation(store))
    db.session.rollback()
    resp = csrf_client.post(path, data={"nps": "9"}, headers={"X-Requested-With": "fetch"})
    assert resp.status_code == 400 and resp.get_json()["error"] == "csrf_failed"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_form_page_carries_a_csrf_token(csrf_client):
    store = make_store()[0]
    path = survey_path(sent_invitation(store))
    db.session.rollback()
    assert 'name="csrf_token"' in csrf_client.get(path).get_data(as_text=True)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_staff_error_pages_speak_the_members_language_not_the_browsers(csrf_client, staff_shop, lang):
    from surveys.models import StaffUser

    db.session.scalar(select(StaffUser).where(StaffUser.email == "admin@barro.test")).locale = lang
    db.session.commit()
    browser = {"Accept-Language": "en-US" if lang == "es" else "es-MX"}  # the other language
    login = csrf_client.get("/staff/login", headers=browser).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
    signed = csrf_client.post(
        "/staff/login",
        data={"email": "admin@barro.test", "password": STAFF_PASSWORD, "csrf_token": token},
        headers=browser,
    )
    assert signed.status_code == 302
    expired = csrf_client.post("/staff/store", data={"store_id": "1"}, headers=browser)
    not_allowed = csrf_client.get("/staff/logout", headers=browser)
    assert (expired.status_code, not_allowed.status_code) == (400, 405)
    words = {
        "en": ("This form has expired", "This method is not allowed here"),
        "es": ("Este formulario venció", "Este método no está permitido aquí"),
    }
    for resp, expected in zip((expired, not_allowed), words[lang], strict=True):
        assert '<html lang="%s"' % lang in resp.get_data(as_text=True)
        assert expected in resp.get_data(as_text=True)
