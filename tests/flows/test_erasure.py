"""Erasing a customer while staff still had work on them: the task closes, the console names them
in words, and no mail is ever sent to or about the erased address; a mail that cannot be written
for one bad address is an error beside the form, never a 500, and never stops a queue."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_string

from sqlalchemy import func, select, update

from surveys.extensions import db
from surveys.models import AuditEntry, Customer, OutboxMessage, Task, TaskEvent, WorkFailure, utcnow
from surveys.services import mail, privacy, recovery
from surveys.worker import deliver_outbox, dispatch_once

from ..factories import staff_login, unhappy_task

REPLY = {"subject": "Sobre tu pedido", "body": "Hola, te escribo por tu pedido."}


def _outbox() -> list[tuple[str, str]]:
    return db.session.execute(select(OutboxMessage.kind, OutboxMessage.recipient).order_by(OutboxMessage.id)).all()


def _settle(task: Task) -> None:
    """The customer stopped editing long ago: the task's alert is due."""
    db.session.execute(update(Task).where(Task.id == task.id).values(alert_due_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()


def test_erasure_closes_the_open_task_and_nothing_is_mailed_about_the_customer(client, staff_shop, outbox):
    store = staff_shop[0]
    task = unhappy_task(client, store, email="walker-w1@example.com", nps=2)
    assert task.status == "open" and task.alert_due_at is not None
    staff_login(client, "admin@barro.test")
    erased = client.post("/staff/privacy/erase", data={"email": "walker-w1@example.com", "confirm": "yes"})
    assert erased.status_code == 302
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert (task.status, task.dismiss_reason, task.alert_due_at) == ("dismissed", "customer erased", None)
    last = db.session.scalars(select(TaskEvent).where(TaskEvent.task_id == task.id).order_by(TaskEvent.id)).all()[-1]
    assert (last.kind, last.body, last.actor_id) == ("dismissed", "customer erased", None)
    logged = db.session.execute(select(AuditEntry.action, AuditEntry.object_type, AuditEntry.object_id)).all()
    assert ("task_closed_erased", "task", task.id) in logged
    privacy_entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy_erase"))
    assert privacy_entry.details["tasks"] == 1

    _settle(task)
    counts = dispatch_once()
    assert counts.get("alerted", 0) == 0 and _outbox() == [] and outbox == []  # no alert, no mail at all

    # a reply posted from a page opened before the erasure: refused in words, nothing queued
    resp = client.post(f"/staff/tasks/{task.id}/reply", data=REPLY)
    assert resp.status_code == 422 and _outbox() == []
    db.session.expire_all()
    assert db.session.get(Task, task.id).status == "dismissed"

    page = client.get(f"/staff/tasks/{task.id}").get_data(as_text=True)
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert heading.split(" · ")[0] == "Cliente borrado"
    assert f'action="/staff/tasks/{task.id}/reply"' not in page and "erased:" not in page
    queue = client.get("/staff/tasks?status=dismissed").get_data(as_text=True)
    assert "erased:" not in queue and re.search(rf'href="/staff/tasks/{task.id}">Cliente borrado</a>', queue)


def test_an_erased_customer_gets_no_follow_up_invitation_or_reminder(client, app, staff_shop):
    store = staff_shop[0]
    task = unhappy_task(client, store, email="walker-w2@example.com")
    invitation = task.response.invitation
    privacy.erase_customer(store, "walker-w2@example.com")
    db.session.commit()
    db.session.refresh(invitation)
    customer = invitation.customer
    assert customer.erased
    from surveys.services import alerts
    from surveys.services.invitation_mail import queue_invitation_mail

    assert alerts.queue_task_alert(task, "overdue") == 0
    alerts.queue_followup(task)
    assert queue_invitation_mail(invitation, "reminder") is None
    db.session.flush()
    assert _outbox() == []


def test_a_queued_mail_to_an_erased_customer_is_dropped_and_the_rest_go_out(client, app, staff_shop, outbox):
    store = staff_shop[0]
    unhappy_task(client, store, email="walker-w3@example.com")
    unhappy_task(client, store, email="bea@example.com")
    privacy.erase_customer(store, "walker-w3@example.com")
    db.session.commit()
    # written by a request that loaded the customer before the erasure committed (the race)
    for email, name in (("walker-w3@example.com", "Walker"), ("bea@example.com", "Bea")):
        mail.queue_message(
            store_id=store.id,
            invitation_id=None,
            kind="reply",
            sender=store.sender,
            to=(name, email),
            subject="Sobre tu pedido",
            text="Hola",
            html="<p>Hola</p>",
            reply_to="agente@barro.test",
        )
    db.session.commit()
    counts = deliver_outbox(10)
    assert (counts["dropped"], counts["delivered"]) == (1, 1)
    assert _outbox() == [("reply", "bea@example.com")]  # the erased one's copy is gone, not parked
    assert [message_from_string(raw)["To"] for raw in outbox] == ["Bea <bea@example.com>"]


def test_a_reply_to_an_address_mail_servers_refuse_is_an_error_beside_the_form(client, staff_shop):
    store = staff_shop[0]
    task = unhappy_task(client, store, email="jose@example.com")
    db.session.execute(update(Customer).values(email="josé@example.com"))  # stored before intake checked it
    db.session.commit()
    staff_login(client, "agente@barro.test")
    resp = client.post(f"/staff/tasks/{task.id}/reply", data=REPLY)
    assert resp.status_code == 422
    errors = re.findall(r'<p class="flash error" role="alert">(.*?)</p>', resp.get_data(as_text=True))
    assert errors == [
        "No se envió: los servidores de correo rechazan la dirección de este cliente "
        "(por ejemplo, letras con acento antes de la @)."
    ]
    db.session.expire_all()
    assert db.session.get(Task, task.id).status == "open" and _outbox() == []
    # resolving still works; the follow-up question is simply not sent
    resolved = client.post(f"/staff/tasks/{task.id}/resolve", data={"resolution": "apology", "note": ""})
    assert resolved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, task.id).status == "resolved" and _outbox() == []


def test_one_alert_that_cannot_be_written_holds_back_only_itself(client, staff_shop):
    store = staff_shop[0]
    bad = unhappy_task(client, store, email="ana@example.com")
    good = unhappy_task(client, store, email="bea@example.com")
    # a name that would put a line break into the alert's subject (written before intake checked names)
    db.session.execute(update(Customer).where(Customer.email == "ana@example.com").values(name="Ana\nBcc: x@y.test"))
    _settle(bad)
    _settle(good)
    sent = recovery.send_settled_alerts()
    db.session.commit()
    assert [t.id for t in sent] == [good.id]
    assert [kind for kind, _ in _outbox()] == ["alert-new"]  # one per admin of the store
    failure = db.session.scalar(select(WorkFailure))
    assert (failure.kind, failure.row_id, failure.reason) == ("alert", bad.id, "header")
    assert db.session.scalar(select(func.count()).select_from(WorkFailure)) == 1


def test_the_erasure_summary_counts_with_plurals_in_both_languages(app):
    from flask_babel import force_locale

    from surveys.blueprints.staff.views import erasure_summary

    with app.test_request_context():
        with force_locale("es"):
            one = erasure_summary({"customer": 1, "comments": 1, "emails": 1, "tasks": 1})
            more = erasure_summary({"customer": 1, "comments": 2, "emails": 0, "tasks": 3})
        with force_locale("en"):
            english = erasure_summary({"customer": 1, "comments": 1, "emails": 2, "tasks": 0})
    assert one == "Borrado: 1 cliente, 1 comentario, 1 correo, 1 tarea cerrada."
    assert more == "Borrado: 1 cliente, 2 comentarios, 0 correos, 3 tareas cerradas."
    assert english == "Erased: 1 customer, 1 comment, 2 emails, 0 tasks closed."


def test_an_alert_still_queued_about_an_erased_customer_is_deleted_with_their_data(client, staff_shop):
    store = staff_shop[0]
    erased = unhappy_task(client, store, email="walker-w5@example.com")
    kept = unhappy_task(client, store, email="bea@example.com")
    _settle(erased)
    _settle(kept)
    recovery.send_settled_alerts()  # queued; the mail server is down, so they wait in the outbox
    db.session.commit()
    assert [kind for kind, _ in _outbox()] == ["alert-new", "alert-new"]
    counts = privacy.erase_customer(store, "walker-w5@example.com")
    db.session.commit()
    about = [
        int(re.search(r"\r\nX-Postventa-Task: (\d+)\r\n", raw).group(1))
        for raw in db.session.scalars(select(OutboxMessage.raw))
    ]
    assert about == [kept.id] and counts["emails"] == 1
