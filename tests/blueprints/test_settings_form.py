"""The store settings form: a failed save keeps what was typed and puts each error beside its
field in the admin's language, changing nothing; a good save stores typed values; limits,
labels and the time-zone list come from one place; "did we solve it?" waits the store's delay."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, available_timezones

import pytest
from sqlalchemy import select

from surveys import limits
from surveys.extensions import db
from surveys.models import OutboxMessage, StaffUser, Store, Task
from surveys.services import recovery
from surveys.services.tenancy import create_staff_user

from ..factories import (
    SETTINGS_FORM,
    STAFF_PASSWORD,
    field_state,
    make_store,
    sent_invitation,
    sign_in_speaking,
    survey_path,
)

STORE_COLUMNS = [c.key for c in Store.__table__.columns]


@pytest.fixture
def store(app):
    store = make_store(name="Barro & Co")[0]
    create_staff_user("admin@barro.test", store, "admin", STAFF_PASSWORD)
    db.session.commit()
    return store


def login(client, locale="es"):
    sign_in_speaking(client, "admin@barro.test", locale)


def snapshot(store) -> dict:
    db.session.expire_all()
    row = db.session.get(Store, store.id)
    return {key: getattr(row, key) for key in STORE_COLUMNS}


BAD = {
    "timezone": ("America/Ciudad_Gotica", {"es": "zona horaria desconocida", "en": "unknown time zone"}),
    "brand_color": ("rojo", {"es": "un color como #0f766e", "en": "a colour like #0f766e"}),
    "send_delay_days": ("²", {"es": "un número entero", "en": "a whole number"}),
    "followup_delay_hours": ("500", {"es": "de 0 a 120", "en": "from 0 to 120"}),
    "holidays": ("2026-12-25 mañana", {"es": "una fecha como", "en": "a date like"}),
    "alert_emails": ("equipo@barro.com.mx nadie@", {"es": "no es un correo: nadie@", "en": "not an email: nadie@"}),
    "tpl_es_body": ("Hola {first_name", {"es": "llaves { } sin cerrar", "en": "unbalanced braces"}),
    "closes": ("8", {"es": "debe ser después de la apertura", "en": "must be after opening"}),
}


@pytest.mark.parametrize("locale", ["es", "en"])
def test_a_failed_save_keeps_every_typed_value_and_shows_each_error_beside_its_field(client, store, locale):
    login(client, locale)
    before = snapshot(store)
    typed = {**SETTINGS_FORM, "send_window": "8-21", "sla_resolution_hours": "30", "reply_register": "usted"}
    typed.update({name: value for name, (value, _) in BAD.items()})
    resp = client.post("/staff/settings", data=typed)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    for name, (value, words) in BAD.items():
        state = field_state(html, name)
        assert state["value"] == value, name
        assert state["invalid"] and state["beside"], name
        assert words[locale] in state["error"], (name, state["error"])
    for name in ("send_window", "sla_resolution_hours", "reply_register", "survey_kind"):
        state = field_state(html, name)  # the good values typed beside the bad ones are kept too
        assert (state["value"], state["invalid"], state["error"]) == (typed[name], False, None), name
    assert snapshot(store) == before


def test_a_good_save_stores_typed_values(client, store):
    login(client)
    form = {
        **SETTINGS_FORM,
        "timezone": "America/Argentina/Buenos_Aires",
        "brand_color": "#7C2D12",
        "followup_delay_hours": "36",
        "holidays": "2026-12-25, 2027-01-01 2026-12-25",
        "alert_emails": "Alertas@Barro.com.mx",
        "open_saturday": "1",
        "send_window": "9-20",
        "tpl_es_subject": "Hola {first_name}",
    }
    assert client.post("/staff/settings", data=form).status_code == 302
    row = snapshot(store)
    assert row["timezone"] == "America/Argentina/Buenos_Aires" and row["brand_color"] == "#7c2d12"
    assert row["followup_delay_minutes"] == 36 * 60 and row["holidays"] == ["2026-12-25", "2027-01-01"]
    assert row["alert_emails"] == ["alertas@barro.com.mx"] and row["opening_hours"]["5"] == [10, 19]
    assert (row["send_window_start"], row["send_window_end"]) == (9, 20)
    assert row["reply_templates"] == {"es-tu": {"subject": "Hola {first_name}", "body": ""}}
    page = client.get("/staff/settings").get_data(as_text=True)
    assert field_state(page, "followup_delay_hours")["value"] == "36"
    assert field_state(page, "brand_color")["value"] == "#7c2d12"


def test_limits_labels_and_the_time_zone_list_come_from_one_place(client, store):
    login(client, "en")
    html = client.get("/staff/settings").get_data(as_text=True)
    delay = field_state(html, "send_delay_days")["attrs"]
    assert (delay["type"], int(delay["min"]), int(delay["max"])) == ("number", *limits.SEND_DELAY_DAYS)
    followup = field_state(html, "followup_delay_hours")["attrs"]
    assert (int(followup["min"]), int(followup["max"])) == limits.FOLLOWUP_DELAY_HOURS
    assert int(field_state(html, "tpl_es_subject")["attrs"]["maxlength"]) == limits.TEMPLATE_SUBJECT
    assert int(field_state(html, "tpl_en_body")["attrs"]["maxlength"]) == limits.TEMPLATE_BODY
    assert field_state(html, "brand_color")["attrs"]["type"] == "color"
    zone = field_state(html, "timezone")["attrs"]
    from lxml import html as lxml_html

    page = lxml_html.fromstring(html)
    options = page.xpath(f'//datalist[@id="{zone["list"]}"]/option/@value')
    assert set(options) == available_timezones() and len(options) == len(available_timezones())
    kinds = page.xpath('//select[@id="survey_kind"]/option/text()')
    assert kinds == ["NPS (0–10)", "CSAT (1–5)", "NPS and CSAT"]


# -- "did we solve it?" waits the store's delay, on the store's clock ---------------------------

MX = ZoneInfo("America/Mexico_City")


def _resolved_task(client, store, monkeypatch, local_moment: datetime) -> Task:
    invitation = sent_invitation(store)
    assert client.post(survey_path(invitation), data={"nps": "2", "comment": "Llegó roto"}).status_code == 200
    task = db.session.scalar(select(Task).where(Task.store_id == store.id))
    admin = db.session.scalar(select(StaffUser).where(StaffUser.email == "admin@barro.test"))
    monkeypatch.setattr(recovery, "utcnow", lambda: local_moment.astimezone(ZoneInfo("UTC")))
    recovery.resolve(task, admin, "replacement")
    db.session.commit()
    return task


def _followup_due() -> datetime:
    return db.session.scalar(select(OutboxMessage.next_attempt_at).where(OutboxMessage.kind == "followup"))


def test_the_follow_up_waits_24_business_hours_over_a_weekend_and_a_holiday(client, store, monkeypatch):
    # Mon-Fri 9-18 in Mexico City; Monday 22 March 2027 is a holiday. Resolved Friday 16:00:
    # Friday 2 h + Tuesday 9 h + Wednesday 9 h + Thursday 4 h = 24 h -> Thursday 13:00.
    store.opening_hours = {str(d): [9, 18] for d in range(5)}
    store.holidays = ["2027-03-22"]
    db.session.commit()
    assert store.followup_delay_minutes == 24 * 60  # the default
    _resolved_task(client, store, monkeypatch, datetime(2027, 3, 19, 16, 0, tzinfo=MX))
    assert _followup_due() == datetime(2027, 3, 25, 13, 0, tzinfo=MX)


def test_the_follow_up_delay_is_the_stores_setting(client, store, monkeypatch):
    login(client)
    assert client.post("/staff/settings", data={**SETTINGS_FORM, "followup_delay_hours": "3"}).status_code == 302
    # SETTINGS_FORM opens 10-19: resolved Friday 18:00 -> 1 h Friday, 2 h Monday -> Monday 12:00
    _resolved_task(client, store, monkeypatch, datetime(2027, 3, 19, 18, 0, tzinfo=MX))
    assert _followup_due() == datetime(2027, 3, 22, 12, 0, tzinfo=MX)


def test_a_follow_up_still_waiting_is_withdrawn_when_the_customer_unsubscribes(client, store, monkeypatch):
    task = _resolved_task(client, store, monkeypatch, datetime(2027, 3, 19, 16, 0, tzinfo=MX))
    from surveys.services.responses import unsubscribe

    unsubscribe(task.response.invitation)
    db.session.commit()
    assert _followup_due() is None


def test_the_follow_up_page_promises_no_comment_box_it_lacks(client, store, monkeypatch):
    from surveys.services.tokens import issue_token

    task = _resolved_task(client, store, monkeypatch, datetime(2027, 3, 19, 16, 0, tzinfo=MX))
    monkeypatch.undo()  # back to today's clock, inside the link's lifetime
    from lxml import html as lxml_html

    page = lxml_html.fromstring(client.get(f"/f/{issue_token('followup', task.public_id)}").get_data(as_text=True))
    [form] = page.xpath('//form[@id="survey"]')
    assert form.xpath(".//textarea") == [] and "comentario" not in form.get("data-saved-text")
