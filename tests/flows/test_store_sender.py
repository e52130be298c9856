"""Who the customer sees mail from: a store without a sender of its own mails as its own name at
the configured address; the admin names the sender in the settings (and picks the address when
the operator allows domains for it); line breaks and foreign domains are refused."""

from __future__ import annotations

from email.utils import parseaddr

import pytest
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Invitation, Store
from surveys.worker import dispatch_once

from ..factories import SETTINGS_FORM, STAFF_PASSWORD, delivery_payload, field_state, make_due, make_store, staff_login

DEFAULT_ADDRESS = "no-reply@postventa.local"


@pytest.fixture
def shop(app, smtp_sink):
    from surveys.services.tenancy import create_staff_user

    app.config.update(smtp_sink.config())
    store, key = make_store(name="Otra Tienda", sender=None)
    create_staff_user("eve@otra.test", store, "admin", STAFF_PASSWORD)
    db.session.commit()
    return store, key


def _invite(client, key, smtp_sink):
    """One invitation mailed now; the From of the message the customer got."""
    payload = delivery_payload(customer={"email": "ana@example.com", "name": "Ana", "locale": "es"})
    assert (
        client.post("/api/v1/deliveries", json=payload, headers={"Authorization": f"Bearer {key}"}).status_code == 201
    )
    make_due(db.session.scalar(select(Invitation).order_by(Invitation.id.desc())))
    smtp_sink.messages.clear()
    dispatch_once()
    [msg] = smtp_sink.messages
    return parseaddr(msg["From"])


def _sender(store) -> str | None:
    db.session.expire_all()
    return db.session.get(Store, store.id).sender


def test_a_store_without_a_sender_mails_as_its_own_name(client, shop, smtp_sink):
    _, key = shop
    assert _invite(client, key, smtp_sink) == ("Otra Tienda", DEFAULT_ADDRESS)


def test_the_admin_names_the_sender_in_the_settings(client, shop, smtp_sink):
    store, key = shop
    staff_login(client, "eve@otra.test")
    page = client.get("/staff/settings").get_data(as_text=True)
    assert field_state(page, "sender_name")["value"] == "Otra Tienda"
    assert 'id="sender_address"' not in page  # the operator allows no other address
    form = {**SETTINGS_FORM, "sender_name": 'Otra Tienda "Atención" <clientes>', "sender_address": "x@evil.test"}
    assert client.post("/staff/settings", data=form).status_code == 302
    assert _invite(client, key, smtp_sink) == ('Otra Tienda "Atención" <clientes>', DEFAULT_ADDRESS)
    page = client.get("/staff/settings").get_data(as_text=True)
    assert field_state(page, "sender_name")["value"] == 'Otra Tienda "Atención" <clientes>'


@pytest.mark.parametrize("name", ["Otra\r\nBcc: victim@example.com", "Otra\nTienda", "x" * 101])
def test_a_sender_name_with_a_line_break_or_too_long_is_refused_and_nothing_changes(client, shop, name):
    store, _ = shop
    staff_login(client, "eve@otra.test")
    resp = client.post("/staff/settings", data={**SETTINGS_FORM, "sender_name": name, "brand_color": "#000000"})
    assert resp.status_code == 422
    assert field_state(resp.get_data(as_text=True), "sender_name")["invalid"]
    assert _sender(store) is None and db.session.get(Store, store.id).brand_color != "#000000"


def test_the_address_is_editable_within_the_domains_the_operator_allows(client, app, shop, smtp_sink):
    store, key = shop
    app.config["MAIL_SENDER_DOMAINS"] = ["otra.com.mx"]
    staff_login(client, "eve@otra.test")
    assert field_state(client.get("/staff/settings").get_data(as_text=True), "sender_address")["value"] == ""
    bad = client.post("/staff/settings", data={**SETTINGS_FORM, "sender_name": "Otra", "sender_address": "a@evil.test"})
    assert bad.status_code == 422 and field_state(bad.get_data(as_text=True), "sender_address")["invalid"]
    assert _sender(store) is None
    good = {**SETTINGS_FORM, "sender_name": "Otra Tienda", "sender_address": "Hola@Otra.com.mx"}
    assert client.post("/staff/settings", data=good).status_code == 302
    assert _invite(client, key, smtp_sink) == ("Otra Tienda", "hola@otra.com.mx")
