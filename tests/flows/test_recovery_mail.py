"""Task alerts and the follow-up question, delivered by a real SMTP server and followed back."""

from datetime import timedelta
from email.utils import parseaddr

import pytest
from sqlalchemy import select, update

from surveys.extensions import db
from surveys.models import OutboxMessage, Task, utcnow
from surveys.services import recovery
from surveys.services.tenancy import create_staff_user
from surveys.worker import dispatch_once

from ..factories import links_in, make_store, sent_invitation, survey_path


@pytest.fixture
def shop(app, smtp_sink):
    app.config.update(smtp_sink.config())
    store = make_store(name="Barro & Co")[0]
    admin = create_staff_user("duena@barro.test", store, "admin", "una clave larga 123")
    create_staff_user("agente@barro.test", store, "agent", "una clave larga 123")
    db.session.commit()
    return store, admin


def unhappy(client, store):
    invitation = sent_invitation(store, email="ana@example.com")
    client.post(survey_path(invitation), data={"nps": "2", "comment": "Llegó roto"})
    return db.session.scalar(select(Task))


def text(msg):
    return msg.get_body(("plain",)).get_content()


def settle():
    """Let the settle delay pass for every task waiting to be announced."""
    db.session.execute(
        update(Task).where(Task.alert_due_at.is_not(None)).values(alert_due_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def test_the_alert_waits_until_the_answer_settles_and_quotes_the_comment(client, shop, smtp_sink):
    store, _ = shop
    invitation = sent_invitation(store, email="ana@example.com")
    client.post(survey_path(invitation), data={"nps": "2"})  # the one-click score, before any comment
    dispatch_once()
    assert smtp_sink.messages == []
    client.post(survey_path(invitation), data={"nps": "2", "comment": "Llegó roto"})
    task = db.session.scalar(select(Task))
    db.session.refresh(task)
    assert task.alert_due_at - task.response.updated_at == timedelta(minutes=5)  # 5 minutes after the last edit
    dispatch_once()
    assert smtp_sink.messages == []
    settle()
    dispatch_once()
    dispatch_once()
    [alert] = smtp_sink.messages
    assert parseaddr(alert["To"])[1] == "duena@barro.test"  # admins by default, not agents
    assert alert["Subject"] == "Cliente insatisfecho: Ana López"
    assert "Llegó roto" in text(alert) and "http://survey.test/staff/tasks/" in text(alert)


def test_a_task_withdrawn_before_it_settles_is_never_announced(client, shop, smtp_sink):
    store, _ = shop
    invitation = sent_invitation(store, email="ana@example.com")
    client.post(survey_path(invitation), data={"nps": "2"})
    client.post(survey_path(invitation), data={"nps": "10", "comment": "Perdón, quise poner 10"})
    settle()
    dispatch_once()
    assert smtp_sink.messages == [] and db.session.scalar(select(Task.status)) == "dismissed"


def test_alert_addresses_replace_the_admins_when_set(client, shop, smtp_sink):
    store, _ = shop
    store.alert_emails = ["soporte@barro.test", "jefa@barro.test"]
    db.session.commit()
    unhappy(client, store)
    settle()
    dispatch_once()
    assert sorted(parseaddr(m["To"])[1] for m in smtp_sink.messages) == ["jefa@barro.test", "soporte@barro.test"]


def test_an_overdue_task_sends_one_escalation(client, shop, smtp_sink):
    store, _ = shop
    unhappy(client, store)
    db.session.execute(update(Task).values(first_contact_due_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    dispatch_once()
    dispatch_once()
    subjects = [m["Subject"] for m in smtp_sink.messages]
    assert subjects.count("Vencida: Ana López sigue esperando") == 1


def test_resolution_sends_a_follow_up_whose_answer_measures_recovery(client, shop, smtp_sink):
    store, admin = shop
    task = unhappy(client, store)
    recovery.resolve(task, admin, "replacement")
    db.session.commit()
    dispatch_once()
    assert not [m for m in smtp_sink.messages if "Resolvimos" in m["Subject"]]  # it waits the store's delay
    db.session.execute(update(OutboxMessage).where(OutboxMessage.kind == "followup").values(next_attempt_at=utcnow()))
    db.session.commit()  # ... until its time comes
    dispatch_once()
    followup = next(m for m in smtp_sink.messages if "Resolvimos" in m["Subject"])
    assert parseaddr(followup["To"])[1] == "ana@example.com"
    assert followup["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    links = [u for u in links_in(text(followup)) if "/f/" in u]
    assert [u.rsplit("=", 1)[1] for u in links] == ["1", "2", "3", "4", "5"]
    for url in links:  # a scanner fetching every link records nothing
        assert client.get(url.replace("http://survey.test", "")).status_code == 200
    db.session.refresh(task)
    assert task.followup_score is None
    five = links[-1].replace("http://survey.test", "").split("?")[0]
    assert client.post(five, data={"score": "5"}).status_code == 200
    db.session.refresh(task)
    assert task.followup_score == 5
    metrics = recovery.recovery_metrics(store)
    assert metrics["recovery_rate"] == 1.0 and metrics["followups_answered"] == 1


def test_follow_up_links_are_purpose_bound_and_only_for_resolved_tasks(client, shop):
    store, _ = shop
    task = unhappy(client, store)
    from surveys.services.tokens import issue_token

    assert client.get(f"/f/{issue_token('followup', task.public_id)}").status_code == 404  # not resolved yet
    assert client.get(f"/f/{issue_token('survey', task.public_id)}").status_code == 404
    assert client.post("/f/garbage", data={"score": "5"}).status_code == 404


@pytest.mark.parametrize(
    ("register", "phrase"),
    [("tu", "Si quieres, respóndeme"), ("usted", "Le escribe"), ("vos", "Si querés, respondeme")],
)
def test_reply_draft_uses_the_stores_register_and_the_customers_details(client, shop, register, phrase):
    store, admin = shop
    store.reply_register = register
    db.session.commit()
    task = unhappy(client, store)
    from surveys.services import replies

    subject, body = replies.draft(task, admin)
    assert "Ana" in subject and task.response.invitation.order.order_ref in subject
    assert phrase in body and "Taza de barro" in body and "antes del " in body and "{" not in body


def test_reply_is_sent_from_the_store_with_reply_to_the_agent_and_counts_as_first_contact(client, shop, smtp_sink):
    store, admin = shop
    task = unhappy(client, store)
    from surveys.services import replies

    replies.send_reply(task, admin, "Lo sentimos, Ana", "Hola, Ana:\n\nTe mandamos otra taza hoy.\n\nDueña")
    db.session.commit()
    dispatch_once()
    reply = next(m for m in smtp_sink.messages if m["Subject"] == "Lo sentimos, Ana")
    assert parseaddr(reply["To"])[1] == "ana@example.com"
    assert reply["Reply-To"] == "duena@barro.test"
    assert "Te mandamos otra taza hoy." in text(reply)
    db.session.refresh(task)
    assert task.status == "contacted" and task.first_contact_at is not None
    assert task.events[-1].kind == "reply"


def test_reply_with_a_header_injection_in_the_subject_is_refused(client, shop):
    store, admin = shop
    task = unhappy(client, store)
    from surveys.errors import ValidationFailed
    from surveys.services import replies

    with pytest.raises(ValidationFailed):
        replies.send_reply(task, admin, "Hola\r\nBcc: todos@example.com", "texto")


def test_english_customers_get_an_english_draft(client, shop):
    store, admin = shop
    invitation = sent_invitation(
        store, customer={"email": "emily@example.com", "name": "Emily Clark", "locale": "en-GB"}
    )
    client.post(survey_path(invitation), data={"nps": "1"})
    task = db.session.scalar(select(Task).order_by(Task.id.desc()))
    from surveys.services import replies

    subject, body = replies.draft(task, admin)
    assert subject.startswith("Emily, we are sorry") and "I'm sorry it didn't go" in body
