"""Invitations over a real SMTP server on loopback: content, links, retries, bounces, races."""

import os
import subprocess
import sys
from datetime import timedelta
from email.utils import parseaddr

import pytest
from sqlalchemy import func, select, update

from surveys.extensions import db
from surveys.models import Customer, Invitation, OutboxMessage, Response, utcnow
from surveys.worker import dispatch_once

from ..factories import deliver, links_in, make_due, make_store


@pytest.fixture
def smtp_app(app, smtp_sink):
    app.config.update(smtp_sink.config())
    return app


def due_invitation(store, **kwargs):
    invitation = deliver(store, **kwargs)
    make_due(invitation)
    return invitation


def html_part(msg):
    return msg.get_body(("html",)).get_content()


def text_part(msg):
    return msg.get_body(("plain",)).get_content()


def test_invitation_arrives_personalised_in_spanish_with_one_click_links_and_rfc8058_headers(smtp_app, smtp_sink):
    store = make_store(name="Barro & Co", sender="Barro & Co <hola@barro.test>")[0]
    due_invitation(store, email="ana@example.com")
    counts = dispatch_once()
    assert counts["invitations"] == 1 and counts["delivered"] == 1
    [msg] = smtp_sink.messages
    assert msg["Subject"] == "Ana, ¿cómo llegó tu Taza de barro?"
    assert parseaddr(msg["From"])[1] == "hola@barro.test"
    assert parseaddr(msg["To"]) == ("Ana López", "ana@example.com")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["List-Unsubscribe"].startswith("<http://survey.test/u/") and msg["List-Unsubscribe"].endswith(">")
    raw_headers = smtp_sink.raw[0].split("\r\n\r\n", 1)[0].replace("\r\n", "\n").split("\n\n", 1)[0]
    assert "\nList-Unsubscribe: <http://survey.test/u/" in raw_headers  # a plain URI, not an encoded-word
    assert msg.get_content_type() == "multipart/alternative"
    text, html = text_part(msg), html_part(msg)
    assert "¿Qué tan probable es que recomiendes Barro & Co a un amigo?" in text
    assert "Darme de baja" in text and "Darme de baja" in html
    score_links = [u for u in links_in(text) if "?score=" in u]
    assert [int(u.rsplit("=", 1)[1]) for u in score_links] == list(range(11))
    assert all(u.startswith("http://survey.test/s/") for u in score_links)


def test_english_customer_gets_english_mail(smtp_app, smtp_sink):
    store = make_store()[0]
    due_invitation(store, customer={"email": "emily@example.com", "name": "Emily Clark", "locale": "en-GB"})
    dispatch_once()
    [msg] = smtp_sink.messages
    assert msg["Subject"] == "Emily, how did your Taza de barro arrive?"
    assert "How likely are you to recommend" in text_part(msg) and "Unsubscribe" in html_part(msg)


def test_a_client_that_gets_every_link_in_the_mail_records_nothing(smtp_app, smtp_sink, client):
    store = make_store()[0]
    due_invitation(store)
    dispatch_once()
    [msg] = smtp_sink.messages
    urls = set(links_in(text_part(msg)) + links_in(html_part(msg)) + [msg["List-Unsubscribe"].strip("<>")])
    assert len(urls) >= 13
    for url in urls:
        assert client.get(url.replace("http://survey.test", "")).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    assert db.session.scalar(select(Customer.unsubscribed_at)) is None


def test_links_from_the_mail_record_a_score_and_unsubscribe_when_posted(smtp_app, smtp_sink, client):
    store = make_store()[0]
    due_invitation(store)
    dispatch_once()
    [msg] = smtp_sink.messages
    nine = next(u for u in links_in(text_part(msg)) if u.endswith("?score=9")).replace("http://survey.test", "")
    assert client.post(nine, data={"nps": "9"}).status_code == 200
    assert db.session.scalar(select(Response.nps)) == 9
    unsubscribe = msg["List-Unsubscribe"].strip("<>").replace("http://survey.test", "")
    assert client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert db.session.scalar(select(Customer.unsubscribed_at)) is not None


def test_dispatch_twice_sends_each_invitation_once(smtp_app, smtp_sink):
    store = make_store()[0]
    for _ in range(3):
        due_invitation(store)
    dispatch_once()
    dispatch_once()
    assert len(smtp_sink.messages) == 3


def test_one_reminder_goes_to_non_responders_after_the_delay(smtp_app, smtp_sink, client):
    store = make_store()[0]
    quiet = due_invitation(store, email="quiet@example.com")
    answered = due_invitation(store, email="happy@example.com")
    dispatch_once()
    from ..factories import survey_path

    client.post(survey_path(answered), data={"nps": "10"})
    db.session.execute(update(Invitation).values(reminder_due_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert dispatch_once()["reminders"] == 1
    db.session.execute(update(Invitation).values(reminder_due_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert dispatch_once()["reminders"] == 0
    reminders = [m for m in smtp_sink.messages if "un minuto" in m["Subject"]]
    assert [parseaddr(m["To"])[1] for m in reminders] == ["quiet@example.com"]
    assert quiet.id != answered.id


def test_smtp_outage_then_recovery_delivers_every_message_exactly_once(smtp_app, smtp_sink):
    store = make_store()[0]
    for _ in range(5):
        due_invitation(store)
    smtp_sink.stop()  # connection refused
    counts = dispatch_once()
    assert counts["delivered"] == 0 and counts["retry"] >= 1
    assert (
        db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")) == 5
    )
    smtp_sink.start()
    smtp_sink.temp_failures = 2  # then two 451s at RCPT
    for _ in range(6):
        db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        dispatch_once()
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert {r.status for r in rows} == {"sent"}
    assert sorted(m["Message-ID"] for m in smtp_sink.messages) == sorted(r.message_id for r in rows)
    assert len(smtp_sink.messages) == 5


def test_failed_attempt_backs_off_before_retrying(smtp_app, smtp_sink):
    store = make_store()[0]
    due_invitation(store)
    smtp_sink.temp_failures = 1
    dispatch_once()
    row = db.session.scalar(select(OutboxMessage))
    assert row.status == "pending" and row.attempts == 1 and row.last_error.startswith("451")
    assert row.next_attempt_at > utcnow() + timedelta(seconds=20)
    assert dispatch_once()["delivered"] == 0  # not yet due


def test_permanent_rejection_at_rcpt_bounces_and_suppresses_the_address(smtp_app, smtp_sink, client):
    store, key = make_store()
    smtp_sink.reject_rcpt.add("gone@example.com")
    invitation = due_invitation(store, email="gone@example.com")
    assert dispatch_once()["bounced"] == 1
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).status == "bounced"
    assert db.session.scalar(select(Customer.bounced_at).where(Customer.email == "gone@example.com"))
    from ..factories import delivery_payload

    later = (utcnow() + timedelta(days=1)).isoformat()
    resp = client.post(
        "/api/v1/deliveries",
        headers={"Authorization": f"Bearer {key}"},
        json=delivery_payload(email="gone@example.com", delivered_at=later),
    )
    assert resp.get_json()["suppressed_reason"] == "bounced"


def test_message_left_in_flight_by_a_killed_worker_is_sent_after_its_lease(smtp_app, smtp_sink):
    store = make_store()[0]
    due_invitation(store)
    from surveys.services.invitations import enqueue_due_invitations
    from surveys.services.mail import claim_outbox

    enqueue_due_invitations()
    claim_outbox(10)  # a worker claimed it, then died before sending
    db.session.commit()
    assert dispatch_once()["delivered"] == 0
    db.session.execute(update(OutboxMessage).values(lease_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert dispatch_once()["delivered"] == 1
    assert len(smtp_sink.messages) == 1


def test_cancelled_order_is_never_mailed(smtp_app, smtp_sink):
    store = make_store()[0]
    invitation = due_invitation(store)
    from surveys.services.intake import cancel_delivery

    cancel_delivery(store, invitation.order.order_ref)
    db.session.commit()
    dispatch_once()
    assert smtp_sink.messages == []


def test_two_dispatch_processes_over_200_due_invitations_send_200_messages_without_duplicates(
    smtp_app, smtp_sink, database_url
):
    store = make_store()[0]
    for n in range(200):
        deliver(store, email=f"c{n}@example.com")
    db.session.execute(update(Invitation).values(send_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    env = {
        **os.environ,
        "SURVEYS_ENV": "test",
        "SURVEYS_SECRET_KEY": "test-secret-key-0123456789",
        "SURVEYS_DATABASE_URL": database_url,
        "SURVEYS_MAIL_BACKEND": "smtp",
        "SURVEYS_MAIL_SERVER": "127.0.0.1",
        "SURVEYS_MAIL_PORT": str(smtp_sink.port),
        "SURVEYS_BASE_URL": "http://survey.test",
        "SURVEYS_DISPATCH_BATCH_SIZE": "20",
    }
    cmd = [sys.executable, "-m", "flask", "--app", "surveys", "dispatch"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    recipients = [rcpt for _, rcpts in smtp_sink.envelopes for rcpt in rcpts]
    assert len(recipients) == 200
    assert len(set(recipients)) == 200
