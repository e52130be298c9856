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


@pytest.mark.parametrize(("locale", "words"), [("es-MX", "Este enlace ya venció"), ("en-US", "This link has expired")])
@pytest.mark.parametrize("expiry", ["invitation_expired", "token_past_lifetime"])
def test_post_without_csrf_token_to_an_expired_link_shows_the_expired_page_not_the_form(
    csrf_client, locale, words, expiry
):
    store = make_store()[0]
    invitation = sent_invitation(store, customer={"email": "ana@example.com", "name": "Ana López", "locale": locale})
    if expiry == "invitation_expired":
        invitation.status = "expired"
    else:
        store.token_lifetime_days = -1
    path = survey_path(invitation)
    db.session.commit()
    resp = csrf_client.post(path, data={"nps": "5"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 410
    assert words in html
    assert 'name="csrf_token"' not in html and "Ana" not in html  # no form to send again
    fetched = csrf_client.post(path, data={"nps": "5"}, headers={"X-Requested-With": "fetch"})
    assert (fetched.status_code, fetched.get_json()["error"]) == (410, "expired")
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


def test_survey_form_posts_without_any_cookie_and_the_page_sets_none(make_app, app):
    store = make_store()[0]
    path = survey_path(sent_invitation(store))
    db.session.rollback()
    with make_app(WTF_CSRF_ENABLED=True).test_client(use_cookies=False) as bare:
        page = bare.get(path)
        assert page.status_code == 200 and "Set-Cookie" not in page.headers
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
        resp = bare.post(path, data={"nps": "9", "csrf_token": token})
    assert resp.status_code == 200 and "Set-Cookie" not in resp.headers
    db.session.rollback()
    assert db.session.scalar(select(Response.nps)) == 9


def test_another_invitations_form_token_is_refused_and_writes_nothing(csrf_client):
    store = make_store()[0]
    mine, other = survey_path(sent_invitation(store)), survey_path(sent_invitation(store))
    db.session.rollback()
    page = csrf_client.get(other).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = csrf_client.post(mine, data={"nps": "3", "csrf_token": token}, headers={"X-Requested-With": "fetch"})
    assert resp.status_code == 400 and resp.get_json()["error"] == "csrf_failed"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_a_form_opened_before_a_key_rotation_fails_once_and_keeps_the_answers(make_app, app):
    store = make_store()[0]
    path = survey_path(sent_invitation(store))
    db.session.rollback()
    old_key = app.config["SECRET_KEY"]
    before = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', before.get(path).get_data(as_text=True)).group(1)
    rotated = make_app(
        WTF_CSRF_ENABLED=True, SECRET_KEY="a-new-secret-key-9876543210", SECRET_KEY_FALLBACKS=[old_key]
    ).test_client()
    failed = rotated.post(path, data={"nps": "8", "comment": "La caja llegó húmeda", "csrf_token": token})
    html = failed.get_data(as_text=True)
    assert failed.status_code == 400 and "presiona Enviar una vez más" in html
    assert "La caja llegó húmeda" in html and 'value="8" checked' in html
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    db.session.rollback()  # SQLite: the test's read would hold the write lock the retry needs
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert fresh != token
    retry = rotated.post(path, data={"nps": "8", "comment": "La caja llegó húmeda", "csrf_token": fresh})
    assert retry.status_code == 200
    db.session.rollback()
    assert db.session.scalar(select(Response.comment)) == "La caja llegó húmeda"
