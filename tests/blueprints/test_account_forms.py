"""The forms of sign-in, password reset and joining by invitation: a failed post comes back (422)
with what was typed (passwords excepted) and each error beside its field, in the reader's
language, and writes nothing: no attempt counted, no account, no new password, no mail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import StaffInvitation, StaffUser
from surveys.services import password_reset, staff_invitations
from surveys.services.tenancy import create_staff_user
from surveys.services.tokens import issue_token

from ..factories import REQUIRED, STAFF_PASSWORD, field_state, make_store, table_counts


@pytest.fixture
def store(app):
    store = make_store(name="Barro & Co")[0]
    create_staff_user("duena@barro.test", store, "admin", STAFF_PASSWORD)
    db.session.commit()
    return store


def _post(client, path, data, locale):
    resp = client.post(path, data=data, headers={"Accept-Language": locale})
    return resp, resp.get_data(as_text=True)


@pytest.mark.parametrize("locale", ["es", "en"])
def test_a_sign_in_with_a_field_missing_or_not_an_address_says_so_beside_it_and_counts_no_attempt(
    client, store, locale
):
    before = table_counts()
    resp, html = _post(client, "/staff/login?next=/staff/tasks", {"email": "duena@barro.test", "password": ""}, locale)
    assert resp.status_code == 422
    password = field_state(html, "password")
    assert password["invalid"] and password["beside"] and password["error"] == REQUIRED[locale]
    assert field_state(html, "email")["value"] == "duena@barro.test" and not field_state(html, "email")["invalid"]
    assert field_state(html, "next")["value"] == "/staff/tasks"  # still headed there after the retry

    resp, html = _post(client, "/staff/login", {"email": "duena barro.test", "password": "x"}, locale)
    email = field_state(html, "email")
    assert resp.status_code == 422 and email["value"] == "duena barro.test"
    assert (
        email["beside"]
        and email["error"] == {"es": "no es un correo válido", "en": "not a valid email address"}[locale]
    )
    assert table_counts() == before  # no attempt counted, no audit row


def test_after_a_refused_sign_in_the_kept_next_still_leads_there(client, store):
    _post(client, "/staff/login?next=/staff/tasks", {"email": "duena@barro.test", "password": ""}, "es")
    resp = client.post(
        "/staff/login", data={"email": "duena@barro.test", "password": STAFF_PASSWORD, "next": "/staff/tasks"}
    )
    assert resp.status_code == 302 and resp.headers["Location"] == "/staff/tasks"
    client.post("/staff/logout")
    resp = client.post(
        "/staff/login", data={"email": "duena@barro.test", "password": STAFF_PASSWORD, "next": "//evil.test"}
    )
    assert resp.headers["Location"] == "/staff/"


@pytest.mark.parametrize("locale", ["es", "en"])
def test_an_empty_reset_request_says_so_beside_the_email_and_sends_nothing(client, store, locale):
    before = table_counts()
    resp, html = _post(client, "/staff/password-reset", {"email": "  "}, locale)
    email = field_state(html, "email")
    assert resp.status_code == 422 and email["invalid"] and email["beside"] and email["error"] == REQUIRED[locale]
    assert table_counts() == before  # no outbox row, no audit row, no throttle count


@pytest.mark.parametrize("locale", ["es", "en"])
def test_a_refused_invitation_answer_keeps_the_name_and_says_why_beside_the_password(client, store, locale):
    owner = db.session.scalar(select(StaffUser).where(StaffUser.email == "duena@barro.test"))
    invitation = staff_invitations.invite_member(store, owner, "nueva@example.com", "agent")
    db.session.commit()
    path = "/staff/join/" + issue_token("staff_invite", invitation.public_id)
    before = table_counts()
    cases = [
        (
            {"name": "Nueva Pérez", "password": "corta", "confirm": "corta"},
            "password",
            {
                "es": "La contraseña necesita al menos 10 caracteres.",
                "en": "The password needs at least 10 characters.",
            },
        ),
        (
            {"name": "Nueva Pérez", "password": "una clave mía 123", "confirm": "otra"},
            "confirm",
            {
                "es": "Las dos contraseñas no coinciden.",
                "en": "The two passwords are not the same.",
            },
        ),
        (
            {"name": "Nueva\x1bPérez", "password": "una clave mía 123", "confirm": "una clave mía 123"},
            "name",
            {
                "es": "una sola línea, sin caracteres de control",
                "en": "one line, without control characters",
            },
        ),
    ]
    for data, bad, error in cases:
        resp, html = _post(client, path, data, locale)
        state = field_state(html, bad)
        assert resp.status_code == 422, data
        assert state["invalid"] and state["beside"] and state["error"] == error[locale], state
        assert field_state(html, "name")["value"] == data["name"]
        assert not field_state(html, "password")["value"]  # a password is never sent back
    assert table_counts() == before
    assert db.session.scalar(select(StaffInvitation.accepted_at).where(StaffInvitation.id == invitation.id)) is None


@pytest.mark.parametrize("locale", ["es", "en"])
def test_a_refused_new_password_says_why_beside_the_field_and_keeps_the_old_one(client, store, locale):
    owner = db.session.scalar(select(StaffUser).where(StaffUser.email == "duena@barro.test"))
    path, old_hash = password_reset.reset_url(owner).removeprefix("http://survey.test"), owner.password_hash
    db.session.commit()
    before = table_counts()
    resp, html = _post(client, path, {"password": "mi clave nueva 2026", "confirm": ""}, locale)
    confirm = field_state(html, "confirm")
    assert resp.status_code == 422 and confirm["invalid"] and confirm["beside"] and confirm["error"] == REQUIRED[locale]
    assert not field_state(html, "password")["invalid"]
    assert table_counts() == before
    db.session.expire_all()
    assert db.session.get(StaffUser, owner.id).password_hash == old_hash
