"""Task alerts and the follow-up question, delivered by a real SMTP server and followed back."""

from datetime import timedelta
from email.utils import parseaddr

import pytest
from sqlalchemy import select, update

from surveys.extensions import db
from surveys.models import Task, utcnow
from surveys.services import recovery
from surveys.services.tenancy import create_staff_user
from surveys.worker import dispatch_once

from .factories import links_in, make_store, sent_invitation, survey_path


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


def test_a_new_task_alerts_the_stores_admins(client, shop, smtp_sink):
    store, _ = shop
    unhappy(client, store)
    dispatch_once()
    [alert] = smtp_sink.messages
    assert parseaddr(alert["To"])[1] == "duena@barro.test"  # admins by default, not agents
    assert alert["Subject"] == "Cliente insatisfecho: Ana López"
    assert "Llegó roto" in text(alert) and "http://survey.test/staff/tasks/" in text(alert)


def test_alert_addresses_replace_the_admins_when_set(client, shop, smtp_sink):
    store, _ = shop
    store.alert_emails = ["soporte@barro.test", "jefa@barro.test"]
    db.session.commit()
    unhappy(client, store)
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
