"""Store settings: the resolution clock cannot end before the first-contact clock."""

from __future__ import annotations

import pytest

from surveys.errors import ValidationFailed
from surveys.extensions import db
from surveys.models import Store
from surveys.services import settings
from surveys.services.tenancy import create_staff_user

from ..factories import SETTINGS_FORM, STAFF_PASSWORD, field_state, make_store, sign_in_speaking, staff_login

WORDS = {"es": "no puede ser menor que el primer contacto", "en": "cannot be shorter than the first contact"}


@pytest.fixture
def store(app):
    store = make_store(name="Barro & Co")[0]
    create_staff_user("admin@barro.test", store, "admin", STAFF_PASSWORD)
    db.session.commit()
    return store


@pytest.mark.parametrize("locale", ["es", "en"])
def test_a_resolution_due_before_first_contact_is_refused_beside_its_field(client, store, locale):
    sign_in_speaking(client, "admin@barro.test", locale)
    before = (store.sla_first_contact_minutes, store.sla_resolution_minutes)
    typed = {**SETTINGS_FORM, "sla_first_contact_hours": "8", "sla_resolution_hours": "2"}
    resp = client.post("/staff/settings", data=typed)
    assert resp.status_code == 422
    state = field_state(resp.get_data(as_text=True), "sla_resolution_hours")
    assert state["value"] == "2" and state["invalid"] and state["beside"]
    assert WORDS[locale] in state["error"]
    db.session.expire_all()
    row = db.session.get(Store, store.id)
    assert (row.sla_first_contact_minutes, row.sla_resolution_minutes) == before


def test_equal_clocks_are_allowed(client, store):
    assert staff_login(client, "admin@barro.test").status_code == 302
    typed = {**SETTINGS_FORM, "sla_first_contact_hours": "4", "sla_resolution_hours": "4"}
    assert client.post("/staff/settings", data=typed).status_code == 302
    db.session.expire_all()
    row = db.session.get(Store, store.id)
    assert (row.sla_first_contact_minutes, row.sla_resolution_minutes) == (240, 240)


def test_the_service_refuses_it_whatever_the_form(app, store):
    values = settings.StoreSettings(
        survey_kind="nps",
        send_delay_days=2,
        reminder_delay_days=3,
        send_window=None,
        brand_color="#0f766e",
        timezone="America/Mexico_City",
        opening_hours=(9, 18),
        open_saturday=False,
        holidays=(),
        sla_first_contact_hours=10,
        sla_resolution_hours=3,
        followup_delay_hours=24,
        reply_register="tu",
        alert_emails=(),
        outbound_url=None,
        widget_origins=(),
        reviews_auto_publish=True,
    )
    with pytest.raises(ValidationFailed) as failed:
        settings.update_store_settings(store, values)
    assert set(failed.value.fields) == {"sla_resolution_hours"}
