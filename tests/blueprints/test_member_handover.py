"""A member switched off in a store (or an account disabled) hands their open and contacted tasks
there on: round-robin to the agents on shift, or back to the unassigned queue when nobody is;
each move is on the task's timeline and in the audit log, and the admin is told how many moved.
Going off shift is not leaving: the agent keeps their tasks."""

from __future__ import annotations

import re

from sqlalchemy import select

from surveys.extensions import db
from surveys.models import AuditEntry, StaffUser, Task, TaskEvent
from surveys.services.tenancy import create_staff_user

from ..factories import STAFF_PASSWORD, staff_login, unhappy_task


def _user(email: str) -> StaffUser:
    return db.session.scalar(select(StaffUser).where(StaffUser.email == email))


def _tasks_of(client, store, email: str, n: int, closed: int = 0) -> list[int]:
    """``n`` active tasks (one contacted) and ``closed`` resolved ones, all assigned to ``email``."""
    owner = _user(email)
    ids = []
    for k in range(n + closed):
        task = unhappy_task(client, store, email=f"cliente{k}@example.com")
        task.assignee_id = owner.id
        task.status = "contacted" if k == 1 else ("resolved" if k >= n else "open")
        ids.append(task.id)
    db.session.commit()
    return ids


def _switch_off(client, email: str, locale: str = "es"):
    admin = _user("admin@barro.test")
    admin.locale = locale
    db.session.commit()
    staff_login(client, "admin@barro.test")
    resp = client.post("/staff/users", data={"user_id": _user(email).id, "role": "agent", "on_shift": "1"})
    assert resp.status_code == 302
    page = client.get("/staff/users").get_data(as_text=True)
    return re.findall(r'<p class="flash ok" role="status">([^<]*)</p>', page)


def _owners(ids: list[int]) -> list[str | None]:
    db.session.expire_all()
    return [t.assignee.email if t.assignee else None for t in (db.session.get(Task, i) for i in ids)]


def test_switching_off_an_agent_hands_her_active_tasks_round_robin_to_agents_on_shift(client, staff_shop):
    store, _ = staff_shop
    create_staff_user("beto@barro.test", store, "agent", STAFF_PASSWORD)
    create_staff_user("carla@barro.test", store, "agent", STAFF_PASSWORD)
    db.session.commit()
    ids = _tasks_of(client, store, "agente@barro.test", 4, closed=1)
    flashes = _switch_off(client, "agente@barro.test")
    assert flashes == ["Guardado.", "4 tareas reasignadas a agentes de turno."]
    owners = _owners(ids)
    assert sorted(owners[:4]) == ["beto@barro.test", "beto@barro.test", "carla@barro.test", "carla@barro.test"]
    assert owners[4] == "agente@barro.test"  # a closed task keeps who worked it
    assert db.session.get(Task, ids[1]).status == "contacted"
    for task_id, owner in zip(ids[:4], owners[:4], strict=True):
        [event] = db.session.scalars(
            select(TaskEvent).where(TaskEvent.task_id == task_id, TaskEvent.kind == "released")
        ).all()
        assert event.actor.email == "admin@barro.test" and event.body == owner
    moved = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "task_released")).all()
    assert sorted(e.object_id for e in moved) == sorted(ids[:4])
    assert {(e.actor, e.details["from"]) for e in moved} == {("admin@barro.test", "agente@barro.test")}
    page = client.get(f"/staff/tasks/{ids[0]}").get_data(as_text=True)
    assert "reasignada: quien la tenía ya no trabaja en esta tienda" in page


def test_with_nobody_on_shift_the_tasks_go_back_to_the_unassigned_queue(client, staff_shop):
    store, _ = staff_shop
    ids = _tasks_of(client, store, "agente@barro.test", 3)
    flashes = _switch_off(client, "agente@barro.test", locale="en")
    assert flashes == ["Saved.", "3 tasks returned to the queue with nobody assigned (no agent on shift)."]
    assert _owners(ids) == [None, None, None]


def test_going_off_shift_keeps_the_agents_tasks(client, staff_shop):
    store, _ = staff_shop
    create_staff_user("beto@barro.test", store, "agent", STAFF_PASSWORD)
    db.session.commit()
    ids = _tasks_of(client, store, "agente@barro.test", 2)
    staff_login(client, "agente@barro.test")
    assert client.post("/staff/me", data={"on_shift": "0"}).status_code == 302
    assert _owners(ids) == ["agente@barro.test", "agente@barro.test"]
    assert db.session.scalar(select(TaskEvent).where(TaskEvent.kind == "released")) is None


def test_disabling_an_account_hands_its_tasks_on_in_every_store(client, runner, staff_shop):
    store, _ = staff_shop
    create_staff_user("beto@barro.test", store, "agent", STAFF_PASSWORD)
    db.session.commit()
    ids = _tasks_of(client, store, "agente@barro.test", 2)
    assert runner.invoke(args=["user", "disable", "agente@barro.test"]).exit_code == 0
    assert _owners(ids) == ["beto@barro.test", "beto@barro.test"]
    actors = db.session.scalars(select(AuditEntry.actor).where(AuditEntry.action == "task_released")).all()
    assert actors == ["system", "system"]
