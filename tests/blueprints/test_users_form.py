"""The staff page's forms: a failed invitation or membership change comes back as typed with the
error beside its field (422) and writes nothing; a good one stores typed values."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveys.extensions import db
from surveys.models import Membership, StaffInvitation, StaffUser
from surveys.services.tenancy import create_staff_user

from ..factories import STAFF_PASSWORD, field_state, make_store, sign_in_speaking


@pytest.fixture
def store(app):
    store = make_store(name="Barro & Co")[0]
    create_staff_user("admin@barro.test", store, "admin", STAFF_PASSWORD)
    create_staff_user("agente@barro.test", store, "agent", STAFF_PASSWORD)
    db.session.commit()
    return store


def _as_admin(client, locale):
    sign_in_speaking(client, "admin@barro.test", locale)


def _state():
    db.session.expire_all()
    invitations = db.session.scalar(select(func.count()).select_from(StaffInvitation))
    members = db.session.execute(select(Membership.user_id, Membership.role, Membership.active, Membership.on_shift))
    return invitations, sorted(members.all())


CASES = [
    ({"email": "nadie@", "role": "admin"}, "new-email", {"es": "Ese no es un correo válido.", "en": "That is not"}),
    (
        {"email": "Agente@Barro.test", "role": "admin"},
        "new-email",
        {"es": "Esta persona ya es miembro de esta tienda.", "en": "already a member of this store"},
    ),
    (
        {"email": "", "role": "agent"},
        "new-email",
        {"es": "Este campo es obligatorio.", "en": "This field is required."},
    ),
]


@pytest.mark.parametrize("locale", ["es", "en"])
def test_a_failed_invitation_keeps_what_was_typed_with_the_error_beside_the_email(client, store, locale):
    _as_admin(client, locale)
    before = _state()
    for data, bad, words in CASES:
        resp = client.post("/staff/users", data=data)
        html = resp.get_data(as_text=True)
        email = field_state(html, bad)
        assert resp.status_code == 422, data
        assert email["value"] == data["email"] and email["invalid"] and email["beside"], email
        assert words[locale] in email["error"], email
        assert field_state(html, "new-role")["value"] == data["role"]
        assert _state() == before


def test_a_failed_membership_change_comes_back_in_its_row_as_typed(client, store):
    _as_admin(client, "es")
    me = db.session.scalar(select(StaffUser).where(StaffUser.email == "admin@barro.test"))
    before = _state()
    resp = client.post("/staff/users", data={"user_id": me.id, "role": "agent", "on_shift": "0"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "No puedes cambiar tu propio acceso." in html
    assert field_state(html, f"role-{me.id}")["value"] == "agent"  # as typed, not as stored (admin)
    assert field_state(html, f"active-{me.id}")["value"] is False
    assert field_state(html, f"on-shift-{me.id}")["value"] == "0"
    assert _state() == before


def test_good_staff_changes_store_typed_values(client, store):
    _as_admin(client, "es")
    assert client.post("/staff/users", data={"email": " Nueva@Example.com ", "role": "admin"}).status_code == 302
    invitation = db.session.scalar(select(StaffInvitation))
    assert (invitation.email, invitation.role) == ("nueva@example.com", "admin")
    agent = db.session.scalar(select(StaffUser).where(StaffUser.email == "agente@barro.test"))
    data = {"user_id": str(agent.id), "role": "admin", "active": "1", "on_shift": "0"}
    assert client.post("/staff/users", data=data).status_code == 302
    db.session.expire_all()
    member = db.session.scalar(select(Membership).where(Membership.user_id == agent.id))
    assert (member.role, member.active, member.on_shift) == ("admin", True, False)
    page = client.get("/staff/users").get_data(as_text=True)
    assert field_state(page, f"role-{agent.id}")["value"] == "admin"
    assert field_state(page, f"on-shift-{agent.id}")["value"] == "0"
