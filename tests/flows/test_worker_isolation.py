"""One bad row never stops a pass: real rows that fail (a Shopify fulfilment dated 9999, an
international address stored before intake refused it, a broken store setting) are set aside
alone, retried with backoff, then parked as dead; every other store's work goes out in the
same pass, /healthz says degraded and the store's admins see the dead rows."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from surveys import worker
from surveys.extensions import db
from surveys.models import Customer, Invitation, Order, OutboxMessage, Task, WebhookEvent, WorkFailure, utcnow
from surveys.services import mail, outbound
from surveys.services.tenancy import create_staff_user
from surveys.worker import dispatch_once

from ..factories import deliver, make_due, make_store, sent_invitation, survey_path

PASSWORD = "una clave muy larga"  # noqa: S105


@pytest.fixture
def smtp_app(app, smtp_sink):
    app.config.update(smtp_sink.config())
    return app


def recipients(sink) -> list[str]:
    return sorted(r for _, rcpts in sink.envelopes for r in rcpts)


def failures() -> dict[str, tuple[str, int]]:
    db.session.expire_all()
    return {f.kind: (f.status, f.attempts) for f in db.session.scalars(select(WorkFailure))}


def retry_now() -> None:
    """Let the backoff run out, as time would."""
    past = utcnow() - timedelta(seconds=1)
    db.session.execute(update(WorkFailure).values(next_attempt_at=past))
    db.session.execute(update(OutboxMessage).where(OutboxMessage.status == "pending").values(next_attempt_at=past))
    db.session.commit()


def shopify_fulfilment_dated_9999(store) -> None:
    db.session.add(
        WebhookEvent(
            store_id=store.id,
            source="shopify",
            order_ref="9999",
            milestone="fulfilled",
            occurred_at=datetime(9999, 12, 31, 23, 0, tzinfo=timezone.utc),
            data={"customer": {"email": "ana@example.com", "name": "Ana"}, "items": [{"sku": "A", "name": "A"}]},
            status="pending",
        )
    )
    db.session.commit()


def international_address_from_before_the_fix(store) -> Invitation:
    invitation = deliver(store, email="jose@example.com")
    db.session.execute(update(Customer).where(Customer.id == invitation.customer_id).values(email="josé@example.com"))
    db.session.commit()
    make_due(invitation)
    return invitation


def test_bad_rows_are_set_aside_and_every_other_stores_mail_goes_out_in_the_same_pass(smtp_app, smtp_sink, client):
    bad = make_store(name="Tienda Rota")[0]
    shopify_fulfilment_dated_9999(bad)
    stuck = international_address_from_before_the_fix(bad)
    for n in range(3):
        make_due(deliver(make_store(name=f"Tienda {n}")[0], email=f"cliente{n}@example.com"))

    counts = dispatch_once()

    assert recipients(smtp_sink) == ["cliente0@example.com", "cliente1@example.com", "cliente2@example.com"]
    assert counts["delivered"] == 3
    assert failures() == {"platform_event": ("retry", 1), "invitation": ("retry", 1)}
    assert db.session.get(Invitation, stuck.id).status == "scheduled"  # rolled back alone
    assert client.get("/healthz").get_json()["status"] == "ok"  # retrying is not yet degraded

    dispatch_once()  # still backing off: not tried again
    assert failures() == {"platform_event": ("retry", 1), "invitation": ("retry", 1)}
    for _ in range(4):
        retry_now()
        dispatch_once()
    assert failures() == {"platform_event": ("dead", 5), "invitation": ("dead", 5)}
    retry_now()
    dispatch_once()  # dead rows are left alone
    assert failures() == {"platform_event": ("dead", 5), "invitation": ("dead", 5)}
    health = client.get("/healthz").get_json()
    assert (health["status"], health["dead_rows"], health["db"], health["mail"]) == ("degraded", 2, "ok", "ok")
    assert len(smtp_sink.envelopes) == 3

    make_due(deliver(make_store()[0], email="despues@example.com"))
    dispatch_once()
    assert "despues@example.com" in recipients(smtp_sink)


def test_a_row_that_fails_once_and_then_goes_through_leaves_no_trace(smtp_app, smtp_sink):
    store = make_store()[0]
    invitation = international_address_from_before_the_fix(store)
    dispatch_once()
    assert failures() == {"invitation": ("retry", 1)}
    db.session.execute(update(Customer).values(email="jose@example.com"))  # the address was corrected
    db.session.commit()
    retry_now()
    dispatch_once()
    assert recipients(smtp_sink) == ["jose@example.com"]
    assert failures() == {}
    assert db.session.get(Invitation, invitation.id).status == "sent"


def test_a_stored_message_no_smtp_server_can_take_goes_dead_and_the_others_are_delivered(smtp_app, smtp_sink, client):
    store = make_store()[0]
    mail.queue_message(
        store_id=store.id,
        invitation_id=None,
        kind="alert-new",
        sender="Tienda <hola@tienda.test>",
        to=("", "jefe@tienda.test"),
        subject="Aviso",
        text="hola",
        html="<p>hola</p>",
    )
    db.session.commit()
    db.session.execute(update(OutboxMessage).values(recipient="jefé@tienda.test"))  # stored before the fix
    db.session.commit()
    make_due(deliver(make_store()[0], email="ana@example.com"))
    first = dispatch_once()
    assert recipients(smtp_sink) == ["ana@example.com"] and first["delivered"] == 1 and first["retry"] == 1
    for _ in range(4):
        retry_now()
        dispatch_once()
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.store_id == store.id))
    assert (row.status, row.attempts) == ("dead", 5)
    assert failures() == {"mail": ("dead", 5)}
    assert client.get("/healthz").get_json()["status"] == "degraded"


def test_reminders_escalations_retention_and_outbound_events_isolate_their_rows(app, client, monkeypatch):
    bad, good = make_store(name="Rota")[0], make_store(name="Sana")[0]
    # reminders: one due for a stored international address, one for a good one
    reminded = [sent_invitation(store, email=f"r{n}@example.com") for n, store in enumerate((bad, good))]
    db.session.execute(update(Invitation).values(reminder_due_at=utcnow() - timedelta(minutes=1)))
    db.session.execute(update(Customer).where(Customer.id == reminded[0].customer_id).values(email="rü@example.com"))
    # escalations: an overdue task in each store; the bad store's alert address was stored before the fix
    for store in (bad, good):
        create_staff_user(f"admin@{store.slug}.test", store, "admin", PASSWORD)
        client.post(survey_path(sent_invitation(store)), data={"nps": "1", "comment": "Nunca llegó"})
    bad.alert_emails = ["jefé@rota.test"]
    db.session.execute(update(Task).values(first_contact_due_at=utcnow() - timedelta(hours=1)))
    # outbound events: the bad store's secret is missing, the good one's endpoint refuses loopback
    bad.outbound_url, good.outbound_url = "https://127.0.0.1:9/in", "https://127.0.0.1:9/in"
    good.outbound_secret = outbound.new_secret()
    outbound.emit(bad, "task.created", {"id": 1})
    outbound.emit(good, "task.created", {"id": 2})
    # retention: the bad store's period cannot be computed, the good one's customer is stale
    bad.retention_days, good.retention_days = 10**9, 1
    db.session.execute(update(Order).where(Order.store_id == good.id).values(created_at=utcnow() - timedelta(days=3)))
    db.session.commit()
    monkeypatch.setitem(worker._last_retention, "at", 0.0)

    counts = dispatch_once()

    assert counts["reminders"] == 1 and counts["escalated"] == 1 and counts["erased"] >= 1
    kinds = failures()
    assert {k: v[0] for k, v in kinds.items()} == {
        "reminder": "retry",
        "escalation": "retry",
        "retention_store": "retry",
        "outbound": "retry",
    }
    assert db.session.scalar(select(Invitation.reminder_sent_at).where(Invitation.id == reminded[1].id))
    assert db.session.scalar(select(Invitation.reminder_sent_at).where(Invitation.id == reminded[0].id)) is None
    good_task = db.session.scalar(select(Task).where(Task.store_id == good.id))
    assert good_task.escalated_at is not None
    assert db.session.scalar(select(Task.escalated_at).where(Task.store_id == bad.id)) is None
    assert db.session.scalar(select(func.count()).select_from(Customer).where(Customer.store_id == good.id)) >= 1
    assert db.session.scalar(
        select(func.count())
        .select_from(Customer)
        .where(Customer.store_id == good.id, Customer.email.startswith("erased:"))
    ) == db.session.scalar(select(func.count()).select_from(Customer).where(Customer.store_id == good.id))


def test_admins_see_their_stores_dead_rows_in_both_languages_and_agents_do_not(smtp_app, smtp_sink, client):
    bad, other = make_store(name="Rota")[0], make_store(name="Otra")[0]
    create_staff_user("admin@rota.test", bad, "admin", PASSWORD)
    create_staff_user("agente@rota.test", bad, "agent", PASSWORD)
    create_staff_user("admin@otra.test", other, "admin", PASSWORD)
    db.session.commit()
    shopify_fulfilment_dated_9999(bad)
    international_address_from_before_the_fix(bad)
    for _ in range(5):
        retry_now()
        dispatch_once()
    assert failures() == {"platform_event": ("dead", 5), "invitation": ("dead", 5)}

    client.post("/staff/login", data={"email": "admin@rota.test", "password": PASSWORD})
    page = client.get("/staff/stuck")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-dead-rows="2"' in html
    assert "Trabajo detenido" in html and "Una fecha es imposible" in html and "josé@example.com" in html
    assert "platform_event" not in html.replace('data-kind="platform_event"', "")  # labels, not codes
    assert "OverflowError" not in html and "UnicodeEncodeError" not in html
    client.post("/staff/me", data={"locale": "en"})
    html = client.get("/staff/stuck").get_data(as_text=True)
    assert "Stuck work" in html and "A date is impossible" in html and "Survey invitation" in html
    client.post("/staff/logout")

    client.post("/staff/login", data={"email": "agente@rota.test", "password": PASSWORD})
    assert client.get("/staff/stuck").status_code == 404
    client.post("/staff/logout")
    client.post("/staff/login", data={"email": "admin@otra.test", "password": PASSWORD})
    assert 'data-dead-rows="0"' in client.get("/staff/stuck").get_data(as_text=True)
