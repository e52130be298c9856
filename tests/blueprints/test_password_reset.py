"""Password reset by email, through a real SMTP server: the same answer for every address,
a signed link that expires and works once, and every session ended by the new password.
Staff error pages stay inside the console."""

import re
import time
from email.utils import parseaddr

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import OutboxMessage, StaffUser
from surveys.services.tenancy import create_staff_user, set_account_active
from surveys.services.tokens import issue_token
from surveys.worker import dispatch_once

from ..factories import links_in, make_store

PASSWORD = "una clave muy larga"  # noqa: S105
NEW = "mi clave nueva 2026"  # noqa: S105


@pytest.fixture
def shop(app, smtp_sink):
    app.config.update(smtp_sink.config())
    store = make_store(name="Barro & Co")[0]
    create_staff_user("duena@barro.mx", store, "admin", PASSWORD)
    create_staff_user("agent@barro.mx", store, "agent", PASSWORD).locale = "en"
    db.session.commit()
    db.session.rollback()  # hold no SQLite transaction while the app's requests write


def login(client, email, password):
    return client.post("/staff/login", data={"email": email, "password": password})


def reset_mail(smtp_sink, to):
    dispatch_once()
    found = [m for m in smtp_sink.messages if parseaddr(m["To"])[1] == to]
    if not found:
        return None, None
    [msg] = found
    [link] = [u for u in links_in(msg.get_body(("plain",)).get_content()) if "/staff/password-reset/" in u]
    return msg, link.removeprefix("http://survey.test")


@pytest.mark.parametrize(
    ("email", "subject"),
    [("duena@barro.mx", "Elige una nueva contraseña de Postventa"), ("agent@barro.mx", "Set a new Postventa password")],
)
def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(make_app, shop, smtp_sink, email, subject):
    signed_in, person = make_app().test_client(), make_app().test_client()
    assert login(signed_in, email, PASSWORD).status_code == 302
    asked = person.post("/staff/password-reset", data={"email": email.upper()})
    assert asked.status_code == 200 and "data-reset-requested" in asked.get_data(as_text=True)
    msg, path = reset_mail(smtp_sink, email)
    assert msg["Subject"] == subject

    assert person.get(path).status_code == 200
    assert person.post(path, data={"password": NEW, "confirm": "otra distinta 123"}).status_code == 422
    assert person.post(path, data={"password": "corta", "confirm": "corta"}).status_code == 422
    assert login(make_app().test_client(), email, PASSWORD).status_code == 302  # nothing changed yet
    resp = person.post(path, data={"password": NEW, "confirm": NEW})
    assert resp.status_code == 302 and resp.headers["Location"] == "/staff/login"

    assert signed_in.get("/staff/").status_code == 302  # the session open before the reset is over
    assert login(make_app().test_client(), email, PASSWORD).status_code == 401
    assert login(make_app().test_client(), email, NEW).status_code == 302
    again = make_app().test_client()
    assert again.get(path).status_code == 410  # spent
    assert again.post(path, data={"password": "y" * 12, "confirm": "y" * 12}).status_code == 410
    assert login(make_app().test_client(), email, NEW).status_code == 302


def test_known_and_unknown_addresses_get_the_same_answer_and_only_accounts_get_mail(make_app, shop, smtp_sink):
    set_account_active("agent@barro.mx", False)
    db.session.commit()
    client = make_app().test_client()
    pages = [
        client.post("/staff/password-reset", data={"email": address})
        for address in (
            "duena@barro.mx",
            "nadie@barro.mx",
            "agent@barro.mx",
            "no es un correo",
            "a@b.mx\r\nBcc: c@d.mx",
        )
    ]
    assert {p.status_code for p in pages} == {200}
    assert len({p.get_data() for p in pages}) == 1  # byte for byte the same page
    dispatch_once()
    assert [parseaddr(m["To"])[1] for m in smtp_sink.messages] == ["duena@barro.mx"]  # disabled: no mail


def test_reset_mail_is_limited_per_address_with_the_same_answer(make_app, shop, smtp_sink):
    client = make_app(PASSWORD_RESET_RATE_LIMIT="2 per hour").test_client()
    codes = [client.post("/staff/password-reset", data={"email": "duena@barro.mx"}).status_code for _ in range(4)]
    assert codes == [200] * 4
    assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage)) == 2
    db.session.rollback()


def test_reset_links_expire_and_are_bound_to_their_purpose(make_app, shop, smtp_sink, monkeypatch):
    client = make_app().test_client()
    user_id = db.session.scalar(select(StaffUser.id).where(StaffUser.email == "duena@barro.mx"))
    db.session.rollback()
    client.post("/staff/password-reset", data={"email": "duena@barro.mx"})
    _, path = reset_mail(smtp_sink, "duena@barro.mx")
    payload = path.rsplit("/", 1)[1]
    assert client.get(f"/staff/password-reset/{payload[:-2]}xx").status_code == 404  # tampered
    assert client.get(f"/staff/join/{payload}").status_code == 404  # another purpose's link
    assert client.get(f"/staff/password-reset/{issue_token('staff_invite', f'{user_id}.x')}").status_code == 404
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 61 * 60)
    client.post("/staff/password-reset", data={"email": "duena@barro.mx"})
    monkeypatch.undo()
    dispatch_once()
    [old_path] = [
        link.removeprefix("http://survey.test")
        for m in smtp_sink.messages[1:]
        for link in links_in(m.get_body(("plain",)).get_content())
        if "/staff/password-reset/" in link
    ]
    resp = client.get(old_path)
    assert resp.status_code == 410 and 'data-status="410"' in resp.get_data(as_text=True)
    assert client.post(old_path, data={"password": NEW, "confirm": NEW}).status_code == 410
    assert login(make_app().test_client(), "duena@barro.mx", PASSWORD).status_code == 302


def test_staff_errors_render_inside_the_console(make_app, shop):
    client = make_app().test_client()
    login(client, "duena@barro.mx", PASSWORD)
    resp = client.get("/staff/tasks/999999")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 404 and 'data-status="404"' in page
    assert 'href="/staff/responses"' in page  # the console's navigation is there
    assert "Este enlace no es válido" not in page  # not the customer's "invalid link" page
    anonymous = make_app().test_client().get("/staff/join/no-es-un-enlace", headers={"Accept-Language": "en"})
    assert anonymous.status_code == 404
    assert re.search(r'data-status="404"', anonymous.get_data(as_text=True))
