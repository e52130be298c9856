"""The console's smaller forms: the privacy desk and the WhatsApp test send come back (422) with
what was typed and the error beside its field in the member's language, writing and sending
nothing; the language and shift switch in the menu says what it refused and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Customer, Membership, StaffUser
from surveys.services.tenancy import create_staff_user

from ..factories import (
    REQUIRED,
    STAFF_PASSWORD,
    field_state,
    sent_invitation,
    sign_in_speaking,
    table_counts,
    wa_store,
)


def _as(client, email, locale):
    sign_in_speaking(client, email, locale)


@pytest.mark.parametrize("locale", ["es", "en"])
def test_a_refused_privacy_request_keeps_the_address_with_the_error_beside_its_field(client, staff_shop, locale):
    sent_invitation(staff_shop[0], email="ana@example.com")
    _as(client, "admin@barro.test", locale)
    before = table_counts()
    cases = [
        (
            "/staff/privacy/export",
            {"email": "ana.example.com"},
            "export-email",
            "export-email",
            {
                "es": "no es un correo válido",
                "en": "not a valid email address",
            },
        ),
        ("/staff/privacy/export", {"email": ""}, "export-email", "export-email", REQUIRED),
        (
            "/staff/privacy/erase",
            {"email": "ana@example.com"},
            "erase-confirm",
            "erase-email",
            {
                "es": "Marca la casilla para confirmar el borrado.",
                "en": "Tick the box to confirm the erasure.",
            },
        ),
    ]
    for path, data, bad, kept, error in cases:
        resp = client.post(path, data=data)
        html = resp.get_data(as_text=True)
        state = field_state(html, bad)
        assert resp.status_code == 422, data
        assert state["invalid"] and state["beside"] and state["error"] == error[locale], state
        assert field_state(html, kept)["value"] == data["email"]
    assert field_state(html, "erase-confirm")["value"] is False
    assert table_counts() == before  # no audit row, no privacy request
    assert db.session.scalar(select(Customer.email)) == "ana@example.com"


@pytest.mark.parametrize("locale", ["es", "en"])
def test_a_refused_whatsapp_test_keeps_the_number_with_the_error_beside_it_and_sends_nothing(
    client, cloud, app, locale
):
    store = wa_store()
    create_staff_user("admin@fuego.test", store, "admin", STAFF_PASSWORD)
    db.session.commit()
    _as(client, "admin@fuego.test", locale)
    before = table_counts()
    for typed, error in (
        ("", REQUIRED[locale]),
        (
            "12",
            {
                "es": "No es un número al que podamos enviar: "
                "escríbelo con su código de país, p. ej. +52 55 1234 5678.",
                "en": "Not a phone number we can send to: write it with its country code, e.g. +52 55 1234 5678.",
            }[locale],
        ),
    ):
        resp = client.post("/staff/whatsapp/test", data={"test_phone": typed})
        html = resp.get_data(as_text=True)
        phone = field_state(html, "test_phone")
        assert resp.status_code == 422 and phone["value"] == typed
        assert phone["invalid"] and phone["beside"] and phone["error"] == error, phone
        assert not field_state(html, "phone_number_id")["invalid"]  # the settings form is not blamed
    assert cloud.accepted == []
    assert table_counts() == before


@pytest.mark.parametrize("locale", ["es", "en"])
def test_the_menu_switch_says_what_it_refused_and_changes_nothing(client, staff_shop, locale):
    _as(client, "agente@barro.test", locale)
    before = table_counts()
    shift = db.session.scalar(select(Membership.on_shift).join(StaffUser).where(StaffUser.email == "agente@barro.test"))
    page = client.post("/staff/me", data={"locale": "fr", "on_shift": "quizá"}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    words = {
        "es": ("No se guardó", "Idioma: una de: es, en", "De turno: sí o no"),
        "en": (
            "Not saved",
            "Language: one of: es, en",
            "On shift: yes or no",
        ),
    }[locale]
    assert all(w in html for w in words), html[html.find("flash") - 100 : html.find("flash") + 300]
    db.session.expire_all()
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == "agente@barro.test"))
    assert user.locale == locale
    assert db.session.scalar(select(Membership.on_shift).where(Membership.user_id == user.id)) == shift
    assert table_counts() == before
