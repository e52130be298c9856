"""Staff accounts across stores: an admin invites, only the person sets a password, and a
store's admin manages memberships of that store only."""

from email.utils import parseaddr

import pytest
from sqlalchemy import select, update

from surveys.extensions import db
from surveys.models import Membership, StaffInvitation, StaffUser, Store, utcnow
from surveys.services.tenancy import create_staff_user
from surveys.services.tokens import issue_token
from surveys.worker import dispatch_once

from ..factories import links_in, make_store

PASSWORD = "una clave muy larga"  # noqa: S105
THEIRS = "la clave de la otra tienda"  # noqa: S105


@pytest.fixture
def stores(app, smtp_sink):
    app.config.update(smtp_sink.config())
    a = make_store(name="Barro & Co", slug="barro")[0]
    b = make_store(name="Otra Tienda", slug="otra", locale="en")[0]
    create_staff_user("admin@barro.mx", a, "admin", PASSWORD)
    create_staff_user("duena@otra-tienda.mx", b, "admin", THEIRS)
    db.session.commit()
    ids = a.id, b.id
    db.session.rollback()  # hold no SQLite transaction while the app's requests write
    return ids


def login(client, email, password):
    return client.post("/staff/login", data={"email": email, "password": password})


def user(email):
    """(id, password_hash, session_generation, is_active) or None, read in a transaction of its own
    (SQLite: an open transaction here would hold the write lock the app's requests need)."""
    row = db.session.execute(
        select(StaffUser.id, StaffUser.password_hash, StaffUser.session_generation, StaffUser.is_active).where(
            StaffUser.email == email
        )
    ).first()
    db.session.rollback()
    return row


def membership(email, store_id):
    """(role, active, on_shift) of the account's membership in the store, or None."""
    row = db.session.execute(
        select(Membership.role, Membership.active, Membership.on_shift)
        .join(StaffUser, StaffUser.id == Membership.user_id)
        .where(StaffUser.email == email, Membership.store_id == store_id)
    ).first()
    db.session.rollback()
    return row


def invite_link(smtp_sink, to):
    dispatch_once()
    [msg] = [m for m in smtp_sink.messages if parseaddr(m["To"])[1] == to]
    text = msg.get_body(("plain",)).get_content()
    [link] = [u for u in links_in(text) if "/staff/join/" in u]
    return msg, link.removeprefix("http://survey.test")


def test_adding_another_stores_admin_leaves_their_password_and_sessions_alone(make_app, stores, smtp_sink):
    a, b = stores
    owner = make_app().test_client()
    assert login(owner, "duena@otra-tienda.mx", THEIRS).status_code == 302
    before = user("duena@otra-tienda.mx")

    attacker = make_app().test_client()
    login(attacker, "admin@barro.mx", PASSWORD)
    attacker.post(
        "/staff/users", data={"email": "DUENA@Otra-Tienda.mx", "role": "admin", "password": "elegida por barro"}
    )

    assert user("duena@otra-tienda.mx") == before  # same password hash, same session generation
    assert login(make_app().test_client(), "duena@otra-tienda.mx", "elegida por barro").status_code == 401
    assert login(make_app().test_client(), "duena@otra-tienda.mx", THEIRS).status_code == 302
    assert owner.get("/staff/").status_code == 200  # the owner's session goes on
    assert membership("duena@otra-tienda.mx", a) is None  # nothing granted until they accept
    msg, _ = invite_link(smtp_sink, "duena@otra-tienda.mx")
    assert msg["Subject"] == "admin invites you to Barro & Co on Postventa"  # the account's language (en)


def test_an_existing_account_joins_only_by_accepting_while_signed_in_as_itself(make_app, stores, smtp_sink):
    a, _ = stores
    admin = make_app().test_client()
    login(admin, "admin@barro.mx", PASSWORD)
    admin.post("/staff/users", data={"email": "duena@otra-tienda.mx", "role": "agent"})
    _, path = invite_link(smtp_sink, "duena@otra-tienda.mx")

    stranger = make_app().test_client()
    page = stranger.get(path)
    assert page.status_code == 200 and 'name="password"' not in page.get_data(as_text=True)
    assert stranger.post(path, data={"password": "x" * 12, "confirm": "x" * 12}).status_code == 422
    assert admin.post(path).status_code == 422  # the inviting admin cannot accept for them
    assert membership("duena@otra-tienda.mx", a) is None

    owner = make_app().test_client()
    resp = owner.post("/staff/login?next=" + path, data={"email": "duena@otra-tienda.mx", "password": THEIRS})
    assert resp.headers["Location"] == path
    assert owner.post(path).status_code == 302
    assert membership("duena@otra-tienda.mx", a).role == "agent"
    assert owner.get("/staff/").status_code == 200
    assert owner.post(path).status_code == 410  # used once


@pytest.mark.parametrize(
    ("slug", "subject"),
    [("barro", "admin te invita a Barro & Co en Postventa"), ("otra", "duena invites you to Otra Tienda on Postventa")],
)
def test_a_new_person_chooses_their_own_password_through_the_link(make_app, stores, smtp_sink, slug, subject):
    store = stores[0] if slug == "barro" else stores[1]
    inviter = ("admin@barro.mx", PASSWORD) if slug == "barro" else ("duena@otra-tienda.mx", THEIRS)
    admin = make_app().test_client()
    login(admin, *inviter)
    admin.post("/staff/users", data={"email": "nueva@example.com", "role": "agent", "password": "no se usa nunca"})
    assert user("nueva@example.com") is None  # no account before the person accepts
    msg, path = invite_link(smtp_sink, "nueva@example.com")
    assert msg["Subject"] == subject

    person = make_app().test_client()
    assert person.post(path, data={"password": "corta", "confirm": "corta"}).status_code == 422
    assert person.post(path, data={"password": "una clave mía 123", "confirm": "otra cosa 12345"}).status_code == 422
    assert user("nueva@example.com") is None
    resp = person.post(path, data={"name": "Nueva", "password": "una clave mía 123", "confirm": "una clave mía 123"})
    assert resp.status_code == 302 and person.get("/staff/").status_code == 200
    assert membership("nueva@example.com", store).role == "agent"
    assert make_app().test_client().post(path, data={"password": "x" * 12, "confirm": "x" * 12}).status_code == 410
    assert login(make_app().test_client(), "nueva@example.com", "una clave mía 123").status_code == 302
    assert login(make_app().test_client(), "nueva@example.com", "no se usa nunca").status_code == 401


def test_invitation_links_are_purpose_bound_expire_and_can_be_cancelled(client, stores, smtp_sink):
    login(client, "admin@barro.mx", PASSWORD)
    client.post("/staff/users", data={"email": "uno@example.com", "role": "agent"})
    client.post("/staff/users", data={"email": "dos@example.com", "role": "agent"})
    one, two = db.session.execute(select(StaffInvitation.id, StaffInvitation.public_id).order_by(StaffInvitation.id))
    db.session.rollback()
    assert client.get(f"/staff/join/{issue_token('survey', one.public_id)}").status_code == 404
    assert client.get(f"/staff/join/{issue_token('staff_invite', one.public_id)}x").status_code == 404
    db.session.execute(update(StaffInvitation).where(StaffInvitation.id == one.id).values(expires_at=utcnow()))
    db.session.commit()
    assert client.get(f"/staff/join/{issue_token('staff_invite', one.public_id)}").status_code == 410
    client.post("/staff/users", data={"cancel_invitation": two.id})
    assert client.get(f"/staff/join/{issue_token('staff_invite', two.public_id)}").status_code == 404
    assert user("dos@example.com") is None


def test_an_admin_switches_off_a_membership_in_their_own_store_only(make_app, stores):
    a, b = stores
    create_staff_user("duena@otra-tienda.mx", db.session.get(Store, a), "agent", None)  # admin of B, agent in A
    db.session.commit()
    person = make_app().test_client()
    login(person, "duena@otra-tienda.mx", THEIRS)
    admin = make_app().test_client()
    login(admin, "admin@barro.mx", PASSWORD)
    target = user("duena@otra-tienda.mx")

    admin.post("/staff/users", data={"user_id": target.id, "role": "agent", "on_shift": "0"})  # "active" unticked
    assert user("duena@otra-tienda.mx").is_active is True  # the account is not A's to disable
    assert person.get("/staff/settings").status_code == 200  # still admin of B, same session
    assert membership("duena@otra-tienda.mx", a) == ("agent", False, False)
    assert person.post("/staff/store", data={"store_id": a}).status_code == 404  # no longer in A
    assert login(make_app().test_client(), "duena@otra-tienda.mx", THEIRS).status_code == 302

    admin.post("/staff/users", data={"user_id": target.id, "role": "admin", "active": "1"})
    assert membership("duena@otra-tienda.mx", b) == ("admin", True, True)  # B's membership untouched
    assert membership("duena@otra-tienda.mx", a)[:2] == ("admin", True)


def test_the_operator_disables_an_account_everywhere_from_the_command_line(make_app, runner, stores):
    person = make_app().test_client()
    login(person, "duena@otra-tienda.mx", THEIRS)
    result = runner.invoke(args=["user", "disable", "duena@otra-tienda.mx"])
    assert result.exit_code == 0, result.output
    assert person.get("/staff/").status_code == 302
    assert login(make_app().test_client(), "duena@otra-tienda.mx", THEIRS).status_code == 401
    assert runner.invoke(args=["user", "enable", "duena@otra-tienda.mx"]).exit_code == 0
    assert login(make_app().test_client(), "duena@otra-tienda.mx", THEIRS).status_code == 302
    assert runner.invoke(args=["user", "disable", "nadie@example.com"]).exit_code != 0
