"""Recovery tasks: who gets one, when it is due, how it is worked and measured."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from surveys.errors import NotFound, ValidationFailed
from surveys.extensions import db
from surveys.models import Task, TaskEvent, utcnow
from surveys.services import recovery
from surveys.services.tenancy import create_staff_user
from surveys.worker import dispatch_once

from ..factories import STAFF_PASSWORD, make_store, sent_invitation, survey_path


def answer(client, store, **data):
    invitation = sent_invitation(store)
    assert client.post(survey_path(invitation), data={k: str(v) for k, v in data.items()}).status_code == 200
    return invitation


def tasks():
    return db.session.scalars(select(Task).order_by(Task.id)).all()


@pytest.mark.parametrize(
    ("kind", "data", "reason"),
    [
        ("nps", {"nps": 6}, "detractor"),
        ("csat", {"csat": 2}, "low_csat"),
        ("nps", {"nps": 9, "comment": "Muy amables, pero nunca llegó"}, "hidden_detractor"),
    ],
)
def test_unhappy_answers_open_one_task(client, app, kind, data, reason):
    store = make_store(survey_kind=kind)[0]
    answer(client, store, **data)
    [task] = tasks()
    assert (task.reason, task.status) == (reason, "open")
    assert [e.kind for e in task.events] == ["opened"]


def test_happy_answers_open_nothing(client, app):
    store = make_store()[0]
    answer(client, store, nps=9, comment="Todo perfecto")
    answer(client, store, nps=7)
    assert tasks() == []


def test_editing_the_answer_updates_or_withdraws_the_task(client, app):
    store = make_store()[0]
    invitation = answer(client, store, nps=3)
    client.post(survey_path(invitation), data={"nps": "5"})
    assert len(tasks()) == 1
    client.post(survey_path(invitation), data={"nps": "10"})
    [task] = tasks()
    db.session.refresh(task)
    assert task.status == "dismissed" and task.dismiss_reason == "answer changed"


def test_an_answer_edited_back_to_unhappy_opens_its_withdrawn_task_again(client, app):
    store = make_store()[0]
    agent = create_staff_user("agente@t.test", store, "agent", STAFF_PASSWORD)
    invitation = answer(client, store, nps=1)
    client.post(survey_path(invitation), data={"nps": "10"})
    [task] = tasks()
    db.session.refresh(task)
    assert (task.status, task.assignee_id) == ("dismissed", agent.id)
    before = task.first_contact_due_at
    assert client.post(survey_path(invitation), data={"nps": "0", "comment": "Nunca llegó, pésimo"}).status_code == 200
    [task] = tasks()
    db.session.refresh(task)
    assert (task.status, task.reason, task.dismiss_reason) == ("open", "detractor", None)
    assert task.assignee_id == agent.id  # still an agent on shift: the same person takes it up again
    assert task.first_contact_due_at > before  # a fresh clock: nobody worked it while it was withdrawn
    assert task.alert_due_at is not None  # the team hears of it once the answer settles
    assert [e.kind for e in task.events] == ["opened", "dismissed", "reopened"]
    db.session.execute(update(Task).values(alert_due_at=utcnow() - timedelta(seconds=1)))
    assert [t.id for t in recovery.send_settled_alerts()] == [task.id]


def test_a_task_staff_dismissed_stays_closed_when_the_customer_edits(client, app):
    store = make_store()[0]
    admin = create_staff_user("admin@t.test", store, "admin", STAFF_PASSWORD)
    invitation = answer(client, store, nps=2)
    [task] = tasks()
    recovery.dismiss(task, admin, "Duplicado de otro pedido")
    db.session.commit()
    client.post(survey_path(invitation), data={"nps": "0"})
    [task] = tasks()
    db.session.refresh(task)
    assert (task.status, task.dismiss_reason) == ("dismissed", "Duplicado de otro pedido")
    assert [e.kind for e in task.events] == ["opened", "dismissed"]


def test_first_contact_is_due_three_business_hours_later_in_the_shops_time(app):
    store = make_store(timezone="America/Mexico_City")[0]
    friday_5pm = utcnow().replace(year=2026, month=11, day=27, hour=23, minute=0, second=0, microsecond=0)
    first, resolution = recovery.due_times(store, friday_5pm)
    local = first.astimezone(ZoneInfo("America/Mexico_City"))
    assert (local.weekday(), local.hour) == (0, 11)  # Monday 11:00: 1h Friday + 2h Monday
    assert resolution > first


def test_working_a_task_records_the_timeline_and_first_contact(client, app):
    store = make_store()[0]
    agent = create_staff_user("agente@t.test", store, "agent", STAFF_PASSWORD)
    answer(client, store, nps=2)
    [task] = tasks()
    recovery.add_note(task, agent, "Llamé, no contestó")
    recovery.mark_contacted(task, agent, "WhatsApp")
    with pytest.raises(ValidationFailed):
        recovery.resolve(task, agent, "coupon")  # a coupon needs its code
    recovery.resolve(task, agent, "coupon", "PERDON10")
    db.session.commit()
    assert task.status == "resolved" and task.coupon_code == "PERDON10" and task.first_contact_at
    assert [e.kind for e in task.events] == ["opened", "note", "contacted", "resolved"]
    with pytest.raises(ValidationFailed):
        recovery.dismiss(task, agent, "ya no")


def test_another_stores_task_is_not_found(client, app):
    store, other = make_store()[0], make_store()[0]
    answer(client, store, nps=1)
    with pytest.raises(NotFound):
        recovery.get_task(other, tasks()[0].id)


def test_overdue_tasks_are_escalated_once_by_the_worker(client, app):
    store = make_store()[0]
    answer(client, store, nps=0)
    db.session.execute(update(Task).values(first_contact_due_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert dispatch_once()["escalated"] == 1
    assert dispatch_once()["escalated"] == 0
    assert db.session.scalar(select(func.count()).select_from(TaskEvent).where(TaskEvent.kind == "escalated")) == 1


def test_tasks_api_lists_this_stores_tasks_with_their_clock(client, app):
    store, key = make_store()
    _, other_key = make_store()
    answer(client, store, nps=4)
    body = client.get("/api/v1/tasks?status=open", headers={"Authorization": f"Bearer {key}"}).get_json()
    [row] = body["data"]
    assert row["reason"] == "detractor" and row["overdue"] is False and row["first_contact_due_at"]
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {other_key}"}).get_json()["data"] == []
    assert client.get("/api/v1/tasks?status=nope", headers={"Authorization": f"Bearer {key}"}).status_code == 422
    responses = client.get("/api/v1/responses", headers={"Authorization": f"Bearer {key}"}).get_json()["data"]
    assert responses[0]["task_status"] == "open"


def test_recovery_metrics_count_open_overdue_and_sla_met(client, app):
    store, key = make_store()
    agent = create_staff_user("a@t.test", store, "agent", STAFF_PASSWORD)
    for score in (1, 2, 3):
        answer(client, store, nps=score)
    first, late, _ = tasks()
    recovery.mark_contacted(first, agent)
    late.first_contact_due_at = utcnow() - timedelta(hours=1)
    recovery.mark_contacted(late, agent)
    db.session.commit()
    m = client.get("/api/v1/metrics", headers={"Authorization": f"Bearer {key}"}).get_json()["recovery"]
    assert m["open"] == 3 and m["sla_met_pct"] == 50.0 and m["overdue"] == 0
    assert m["median_first_contact_minutes"] is not None


def test_overdue_is_one_rule_in_python_and_in_sql(client, app):
    """The deadline that applies (first contact while open, the earlier of the two should the
    resolution come first, resolution once contacted, none once closed) and "overdue" read the
    same on a loaded task (pages, API) as in a query (dashboard, queue order, escalation)."""
    store = make_store()[0]
    now = utcnow()
    hours = lambda n: now + timedelta(hours=n)  # noqa: E731
    cases = [
        ("open", hours(-1), hours(5), hours(-1), True),
        ("open", hours(1), hours(5), hours(1), False),
        ("open", hours(3), hours(-2), hours(-2), True),  # a resolution time shorter than first contact
        ("contacted", hours(-50), hours(-1), hours(-1), True),
        ("contacted", hours(-50), hours(2), hours(2), False),
        ("resolved", hours(-50), hours(-40), None, False),
        ("dismissed", hours(-50), hours(-40), None, False),
    ]
    for _ in cases:
        answer(client, store, nps=1)
    for task, (status, first_due, resolution_due, _, _) in zip(tasks(), cases, strict=True):
        task.status, task.first_contact_due_at, task.resolution_due_at = status, first_due, resolution_due
    db.session.commit()
    loaded = tasks()
    assert [(t.due_at, t.overdue_at(now)) for t in loaded] == [(due, late) for *_, due, late in cases]
    in_sql = db.session.execute(select(Task.id, Task.due_at, Task.overdue_at(now)).order_by(Task.id)).all()
    assert [(due, bool(late)) for _, due, late in in_sql] == [(due, late) for *_, due, late in cases]
    assert recovery.recovery_metrics(store)["overdue"] == 3
