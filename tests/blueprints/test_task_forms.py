"""The task page's forms: a failed action re-renders the task with what was typed and the error
beside its field (422), writing nothing; the reply box offers the follow-up draft once first
contact is recorded, and never promises a day that has gone by."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from surveys import limits
from surveys.extensions import db
from surveys.models import OutboxMessage, Task, TaskEvent, utcnow
from surveys.services.tenancy import create_staff_user

from ..factories import (
    STAFF_PASSWORD,
    field_state,
    make_store,
    sent_invitation,
    sign_in_speaking,
    survey_path,
    unhappy_task,
)


@pytest.fixture
def store(app):
    store = make_store(name="Barro & Co")[0]
    create_staff_user("agente@barro.test", store, "agent", STAFF_PASSWORD)
    db.session.commit()
    return store


def _as(client, locale):
    sign_in_speaking(client, "agente@barro.test", locale)


def _state(task):
    db.session.expire_all()
    row = db.session.get(Task, task.id)
    events = db.session.scalar(select(func.count()).select_from(TaskEvent).where(TaskEvent.task_id == task.id))
    mails = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "reply"))
    return (row.status, row.resolution, row.coupon_code, row.dismiss_reason, row.first_contact_at, events, mails)


REQUIRED = {"es": "Este campo es obligatorio.", "en": "This field is required."}
TOO_LONG = {"es": "como máximo 200 caracteres", "en": "at most 200 characters"}


@pytest.mark.parametrize("locale", ["es", "en"])
def test_failed_task_actions_keep_what_was_typed_with_the_error_beside_the_field(client, store, locale):
    task = unhappy_task(client, store)
    _as(client, locale)
    before = _state(task)
    cases = [
        ("reply", {"subject": "", "body": "Te llamo hoy a las 5."}, "reply-subject", REQUIRED[locale], "reply-body"),
        ("dismiss", {"reason": "x" * 201}, "reason", TOO_LONG[locale], None),
        (
            "resolve",
            {"resolution": "coupon", "coupon_code": "", "note": "Se lo di por teléfono"},
            "coupon_code",
            {"es": "Un cupón necesita su código.", "en": "A coupon needs its code."}[locale],
            "resolve-note",
        ),
        ("note", {"body": ""}, "body", REQUIRED[locale], None),
        ("contacted", {"how": "Whats\x1bApp"}, "how", {"es": "una sola línea", "en": "one line"}[locale], None),
    ]
    for action, data, bad, error, kept in cases:
        resp = client.post(f"/staff/tasks/{task.id}/{action}", data=data)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 422, action
        state = field_state(html, bad)
        assert state["invalid"] and state["beside"] and error in state["error"], (action, state)
        assert state["value"] == data[next(k for k in data if bad.endswith(k) or k == bad)], action
        if kept:
            other = field_state(html, kept)
            assert other["value"] == data[kept.split("-", 1)[1]] and not other["invalid"], action
        assert _state(task) == before, action


def test_a_good_action_stores_typed_values(client, store):
    task = unhappy_task(client, store)
    _as(client, "es")
    resp = client.post(f"/staff/tasks/{task.id}/resolve", data={"resolution": "coupon", "coupon_code": " PERDON10 "})
    assert resp.status_code == 302
    status, resolution, coupon, *_ = _state(task)
    assert (status, resolution, coupon) == ("resolved", "coupon", "PERDON10")


def test_the_resolution_choices_are_labelled_from_the_label_table(client, store):
    from lxml import html as lxml_html

    task = unhappy_task(client, store)
    _as(client, "en")
    page = lxml_html.fromstring(client.get(f"/staff/tasks/{task.id}").get_data(as_text=True))
    options = [(o.get("value"), o.text_content()) for o in page.xpath('//select[@id="resolution"]/option')]
    assert options == [
        ("replacement", "Replacement sent"),
        ("refund", "Refund"),
        ("coupon", "Coupon"),
        ("apology", "Apology"),
        ("other", "Other"),
    ]
    assert int(field_state(page_html := lxml_html.tostring(page, encoding=str), "reason")["attrs"]["maxlength"]) == 200
    assert int(field_state(page_html, "reply-body")["attrs"]["maxlength"]) == limits.REPLY_BODY


def test_after_first_contact_the_reply_box_offers_the_follow_up_draft(client, store):
    from lxml import html as lxml_html

    task = unhappy_task(client, store)
    _as(client, "es")
    html = client.get(f"/staff/tasks/{task.id}").get_data(as_text=True)
    assert lxml_html.fromstring(html).xpath("//form[@data-draft]/@data-draft") == ["first"]
    assert field_state(html, "reply-subject")["value"].startswith("Ana, lamentamos lo de tu pedido")
    assert client.post(f"/staff/tasks/{task.id}/contacted", data={"how": "Teléfono"}).status_code == 302
    html = client.get(f"/staff/tasks/{task.id}").get_data(as_text=True)
    assert lxml_html.fromstring(html).xpath("//form[@data-draft]/@data-draft") == ["followup"]
    order = task.response.invitation.order.order_ref
    assert field_state(html, "reply-subject")["value"] == f"Ana, ¿cómo va lo de tu pedido {order}?"
    assert "¿Quedó resuelto el problema?" in field_state(html, "reply-body")["value"]


def test_a_stores_own_follow_up_template_is_offered_after_first_contact(client, store):
    task = unhappy_task(client, store)
    store.reply_templates = {"es-tu-followup": {"subject": "¿Todo bien, {first_name}?", "body": "Hola {first_name}"}}
    db.session.commit()
    _as(client, "es")
    client.post(f"/staff/tasks/{task.id}/reply", data={"subject": "Lo sentimos", "body": "Te llamo hoy."})
    html = client.get(f"/staff/tasks/{task.id}").get_data(as_text=True)
    assert (field_state(html, "reply-subject")["value"], field_state(html, "reply-body")["value"]) == (
        "¿Todo bien, Ana?",
        "Hola Ana",
    )


PROMISE = {
    "es": (r"antes del (\d\d)/(\d\d) a las (\d\d):(\d\d)", "cuanto antes"),
    "en": (r"by (\d\d) (\w{3}) at (\d\d):(\d\d)", "as soon as possible"),
}


def _promised(body: str, lang: str) -> tuple[int, int, int, int] | None:
    """The (month, day, hour, minute) the draft promises on the shop's clock (None: no date)."""
    found = re.search(PROMISE[lang][0], body)
    if found is None:
        return None
    day, month, hour, minute = found.groups()
    month = int(month) if lang == "es" else datetime.strptime(month, "%b").month
    return month, int(day), int(hour), int(minute)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_follow_up_draft_promises_no_day_that_has_passed(client, store, lang):
    invitation = sent_invitation(store, customer={"email": "ana@example.com", "name": "Ana Ruiz", "locale": lang})
    client.post(survey_path(invitation), data={"nps": "2", "comment": "Llegó roto"})
    task = db.session.scalar(select(Task))
    now = utcnow()
    task.status, task.first_contact_at, task.resolution_due_at = (
        "contacted",
        now - timedelta(days=81),
        now - timedelta(days=78),
    )
    db.session.commit()
    _as(client, "es")

    def draft():
        return field_state(client.get(f"/staff/tasks/{task.id}").get_data(as_text=True), "reply-body")["value"]

    body = draft()
    assert _promised(body, lang) is None and PROMISE[lang][1] in body
    ahead = (now + timedelta(hours=5)).replace(second=0, microsecond=0)
    task.resolution_due_at = ahead
    db.session.commit()
    local = ahead.astimezone(ZoneInfo(store.timezone))
    assert _promised(draft(), lang) == (local.month, local.day, local.hour, local.minute)  # still ahead: as it is
