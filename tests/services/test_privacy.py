"""GDPR: export holds everything, erase removes the person but keeps anonymous scores."""

import json
from datetime import timedelta

from sqlalchemy import func, select, update

from surveys.extensions import db
from surveys.models import Customer, Invitation, Order, OutboxMessage, Response, utcnow
from surveys.services import privacy
from surveys.services.metrics import store_metrics
from surveys.worker import dispatch_once

from ..factories import deliver, delivery_payload, make_due, make_store, sent_invitation, survey_path


def answered(client, store, email="ana@example.com"):
    invitation = sent_invitation(store, email=email)
    client.post(survey_path(invitation), data={"nps": "3", "comment": "Llegó roto, soy Ana López"})
    return invitation


def test_export_contains_customer_orders_answers_and_mail(client, app, runner):
    store = make_store(slug="barro")[0]
    invitation = deliver(store, email="ana@example.com")
    make_due(invitation)
    dispatch_once()
    client.post(survey_path(invitation), data={"nps": "8", "comment": "Muy bonito"})
    result = runner.invoke(args=["customer", "export", "ANA@example.com", "--store", "barro"])
    data = json.loads(result.output)
    assert data["customer"]["email"] == "ana@example.com" and data["customer"]["name"] == "Ana López"
    [order] = data["orders"]
    assert order["items"] == [{"sku": "TAZA-01", "name": "Taza de barro"}]
    assert order["response"]["comment"] == "Muy bonito" and order["invitation"]["status"] == "answered"
    assert data["emails"][0]["kind"] == "invitation"


def test_erase_removes_personal_data_keeps_anonymous_scores_and_kills_links(client, app, runner):
    store = make_store(slug="barro")[0]
    invitation = answered(client, store)
    link = survey_path(invitation)
    before = store_metrics(store)["nps"]
    result = runner.invoke(args=["customer", "erase", "ana@example.com", "--store", "barro"])
    assert "customer 1, comments 1" in result.output
    customer = db.session.scalar(select(Customer))
    assert customer.email.startswith("erased:") and customer.name is None
    response = db.session.scalar(select(Response))
    assert response.comment is None and response.nps == 3
    assert store_metrics(store)["nps"] == before
    assert client.get(link).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert "ana" not in json.dumps(privacy.export_customer(store, "ana@example.com")).replace('"email": "ana', "")


def test_a_delivery_after_erasure_stores_nothing_personal_and_is_never_mailed(client, app):
    store, key = make_store(slug="barro")
    answered(client, store)
    privacy.erase_customer(store, "ana@example.com")
    db.session.commit()
    resp = client.post(
        "/api/v1/deliveries",
        headers={"Authorization": f"Bearer {key}"},
        json=delivery_payload("NEW-1", email="Ana@Example.com"),
    )
    assert resp.get_json()["status"] == "suppressed" and resp.get_json()["suppressed_reason"] == "erased"
    emails = db.session.scalars(select(Customer.email)).all()
    assert len(emails) == 1 and emails[0].startswith("erased:")
    assert db.session.scalar(select(Customer.name)) is None


def test_erase_is_idempotent_and_unknown_emails_are_fine(app):
    store = make_store()[0]
    assert privacy.erase_customer(store, "nobody@example.com")["customer"] == 0
    assert privacy.export_customer(store, "nobody@example.com")["found"] is False


def test_retention_erases_customers_whose_last_order_is_older_than_the_setting(client, app):
    store = make_store(retention_days=365)[0]
    old = answered(client, store, "old@example.com")
    answered(client, store, "recent@example.com")
    db.session.execute(update(Order).where(Order.id == old.order_id).values(created_at=utcnow() - timedelta(days=400)))
    db.session.commit()
    assert privacy.apply_retention() == 1
    db.session.commit()
    emails = sorted(db.session.scalars(select(Customer.email)))
    assert emails[1] == "recent@example.com" and emails[0].startswith("erased:")
    assert db.session.get(Invitation, old.id).status == "answered"


def test_erase_also_removes_staff_notes_about_the_customer(client, app):
    from surveys.models import Task, TaskEvent
    from surveys.services import recovery
    from surveys.services.tenancy import create_staff_user

    store = make_store()[0]
    agent = create_staff_user("a@t.test", store, "agent", "una clave larga 123")
    answered(client, store)
    task = db.session.scalar(select(Task))
    recovery.add_note(task, agent, "Ana vive en Calle Falsa 123, tel 555-0101")
    db.session.commit()
    privacy.erase_customer(store, "ana@example.com")
    db.session.commit()
    bodies = [e.body for e in db.session.scalars(select(TaskEvent).order_by(TaskEvent.id))]
    # what staff wrote is gone; the only words left are the erasure's own closing note
    assert bodies[-1] == "customer erased" and all(b is None for b in bodies[:-1]) and task.reason == "detractor"
