"""Recovery tasks: opened for unhappy answers, worked against business-hours SLAs.

One task per response (a unique constraint); editing the answer updates it.
Services flush; the caller commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from statistics import median

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, exists, func, or_, select, update

from ..errors import NotFound, TokenExpired, TokenInvalid, ValidationFailed
from ..extensions import db
from ..models import (
    RESOLUTIONS,
    TASK_STATES,
    Customer,
    Invitation,
    Membership,
    Order,
    Response,
    StaffUser,
    Store,
    Task,
    TaskEvent,
    utcnow,
)
from ..reading.clock import ShopClock
from ..reading.scoring import CSAT_SCALE, is_detractor, is_satisfied, is_unhappy
from . import alerts, audit, failures, outbound
from .db_util import insert_ignore
from .reviews import has_negative_review, negative_review_filter
from .scope import in_store, scoped


def task_reason(response: Response, negative_review: bool | None = None) -> str | None:
    """Why this answer needs a person: detractor, low CSAT, a hidden detractor, a negative review
    (``negative_review`` when the caller knows it, else looked up)."""
    if response.nps is not None and is_detractor(response.nps):
        return "detractor"
    if response.csat is not None and is_unhappy(response.csat):
        return "low_csat"
    if response.hidden_detractor:
        return "hidden_detractor"
    if negative_review is None:
        negative_review = response.id is not None and has_negative_review(response.id)
    if negative_review:
        return "negative_review"
    return None


def _task_facts(response_id: int) -> tuple[int | None, bool]:
    """The response's task id (if any) and whether it has a negative review, in one statement."""
    task_id = select(Task.id).where(Task.response_id == response_id).scalar_subquery()
    negative = exists().where(*negative_review_filter(response_id))
    found_id, negative_review = db.session.execute(select(task_id, negative)).one()
    return found_id, bool(negative_review)


def due_times(store: Store, opened: datetime) -> tuple[datetime, datetime]:
    clock = ShopClock.of(store)
    return clock.due(opened, store.sla_first_contact_minutes), clock.due(opened, store.sla_resolution_minutes)


def sync_task(
    response: Response, now: datetime | None = None, new: bool = False, facts: tuple[int | None, bool] | None = None
) -> Task | None:
    """Open, update or withdraw the response's task after the customer answered or edited.

    ``new``: the response was inserted in this transaction without reviews, so it has neither
    a task nor a review yet, and neither is read. ``facts``: the task id and whether a review
    is negative (``_task_facts``), when the caller read them in this transaction already.
    ``response`` needs only the attributes ``task_reason`` reads and ``store_id``."""
    now = now or utcnow()
    if new:
        task_id, negative = None, False
    else:
        task_id, negative = facts if facts is not None else _task_facts(response.id)
    reason = task_reason(response, negative)
    task = db.session.get(Task, task_id) if task_id is not None else None
    if task is None and reason is None:
        return None
    if task is None:
        store = db.session.get(Store, response.store_id)
        first_due, resolution_due = due_times(store, now)
        new_id = insert_ignore(
            Task,
            {
                "store_id": store.id,
                "response_id": response.id,
                "reason": reason,
                "status": "open",
                "first_contact_due_at": first_due,
                "resolution_due_at": resolution_due,
                "created_at": now,
                "updated_at": now,
            },
            ["response_id"],
        )
        task = db.session.scalar(select(Task).where(Task.response_id == response.id))
        if new_id is not None:
            task.assignee_id = _next_agent(store, now)
            task.alert_due_at = now + _settle()  # mailed once the customer stops editing (comment included)
            _event(task, "opened", None, reason)
            outbound.emit(store, "task.created", _event_data(task))
        return task
    if reason is not None and task.status == "dismissed" and task.dismiss_reason == ANSWER_CHANGED:
        return _reopen(task, reason, now)
    if task.alert_due_at is not None:
        task.alert_due_at = now + _settle()  # still editing: the alert waits for the last word
    if reason is not None and reason != task.reason:
        _event(task, "updated", None, f"{task.reason} -> {reason}")
        task.reason, task.updated_at = reason, now
    elif reason is None and task.status == "open" and task.first_contact_at is None:
        task.status, task.dismiss_reason, task.updated_at = "dismissed", ANSWER_CHANGED, now
        _event(task, "dismissed", None, "the customer changed the answer")
    return task


ANSWER_CHANGED = "answer changed"  # the dismissal of a task whose customer edited the answer to a happy one


def _reopen(task: Task, reason: str, now: datetime) -> Task:
    """The customer edited a happy answer back to an unhappy one after their task was withdrawn for
    it: the same task opens again with the new reason, a fresh clock (nobody worked it meanwhile)
    and the team's alert once the answer settles. It keeps its assignee while they still work
    here as an agent on shift; otherwise the round-robin picks one. Staff dismissals stay closed."""
    store = db.session.get(Store, task.store_id)
    task.first_contact_due_at, task.resolution_due_at = due_times(store, now)
    task.status, task.dismiss_reason, task.reason, task.updated_at = "open", None, reason, now
    task.escalated_at, task.alert_due_at = None, now + _settle()
    if task.assignee_id is None or not _takes_tasks(store, task.assignee_id):
        task.assignee_id = _next_agent(store, now)
    _event(task, "reopened", None, reason)
    return task


def _takes_tasks(store: Store, user_id: int) -> bool:
    """Whether the round-robin could give this person a task of ``store`` now."""
    found = db.session.scalar(_agents_on_shift(select(Membership.id), store).where(Membership.user_id == user_id))
    return found is not None


def _agents_on_shift(query, store: Store):
    """``query`` over the store's memberships narrowed to the agents the round-robin gives tasks to."""
    return query.join(StaffUser, StaffUser.id == Membership.user_id).where(
        in_store(Membership, store),
        Membership.role == "agent",
        Membership.on_shift.is_(True),
        Membership.active.is_(True),
        StaffUser.is_active.is_(True),
    )


def _settle() -> timedelta:
    return timedelta(minutes=current_app.config["ALERT_SETTLE_MINUTES"])


def send_settled_alerts(now: datetime | None = None, limit: int = 200) -> list[Task]:
    """Mail the team about tasks whose answer has settled (worker): one alert per task,
    with the comment the customer ended up writing. A task closed meanwhile is not announced."""
    now = now or utcnow()
    tasks = db.session.scalars(
        select(Task)
        .where(Task.alert_due_at <= now, ~failures.blocked("alert", Task.id, now))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    sent = []
    guard = failures.RowGuard("alert")  # an alert that cannot be written holds back only itself
    for task in tasks:
        guard.run(task.id, task.store_id, lambda task=task: _alert(task, now, sent), lambda task=task: f"#{task.id}")
    db.session.flush()
    return sent


def _alert(task: Task, now: datetime, sent: list[Task]) -> None:
    claimed = db.session.execute(
        update(Task)
        .where(Task.id == task.id, Task.alert_due_at.is_not(None), Task.alert_due_at <= now)
        .values(alert_due_at=None)
        .execution_options(synchronize_session="fetch")
    )
    if claimed.rowcount and task.status in ("open", "contacted") and not task.response.invitation.customer.erased:
        alerts.queue_task_alert(task, "new")
        sent.append(task)
    db.session.flush()


def _next_agent(store: Store, now: datetime) -> int | None:
    """Round-robin among the store's agents on shift: the one assigned longest ago gets the task."""
    member = db.session.scalar(
        _agents_on_shift(select(Membership), store)
        .order_by(Membership.last_assigned_at.is_not(None), Membership.last_assigned_at, Membership.id)
        .limit(1)
        .with_for_update()
    )
    if member is None:
        return None
    member.last_assigned_at = now
    return member.user_id


def set_on_shift(store: Store, user: StaffUser, on: bool) -> None:
    member = db.session.scalar(scoped(select(Membership), store).where(Membership.user_id == user.id))
    if member is None:
        raise NotFound(_l("Not a member of this store."))
    member.on_shift = on


def _event_data(task: Task) -> dict:
    """What an outbound event says about a task: ids, reason, status, clock; no customer data."""
    return {
        "task_id": task.id,
        "response_id": task.response_id,
        "reason": task.reason,
        "status": task.status,
        "order_id": task.response.invitation.order.order_ref,
        "resolution": task.resolution,
        "first_contact_due_at": task.first_contact_due_at.isoformat(),
    }


def _event(task: Task, kind: str, actor: StaffUser | None, body: str | None) -> None:
    db.session.add(TaskEvent(task_id=task.id, kind=kind, actor_id=actor.id if actor else None, body=body))


def get_task(store: Store, task_id: int) -> Task:
    """A task of this store, or NotFound (another store's task does not exist for you)."""
    task = db.session.scalar(select(Task).where(Task.id == task_id, in_store(Task, store)))
    if task is None:
        raise NotFound(_l("No such task."))
    return task


def add_note(task: Task, actor: StaffUser, body: str) -> None:
    body = (body or "").strip()
    if not body or len(body) > 5000:
        raise ValidationFailed(_l("A note needs 1 to 5,000 characters."), {"body": "length"})
    _event(task, "note", actor, body)
    task.updated_at = utcnow()


def mark_contacted(task: Task, actor: StaffUser, how: str = "") -> None:
    """First contact made: the first-contact clock stops here."""
    if task.status not in ("open", "contacted"):
        raise ValidationFailed(_l("Only open tasks can be marked as contacted."), {"status": task.status})
    now = utcnow()
    task.first_contact_at = task.first_contact_at or now
    task.status, task.updated_at = "contacted", now
    _event(task, "contacted", actor, how.strip() or None)


def resolve(task: Task, actor: StaffUser, resolution: str, coupon_code: str | None = None, note: str = "") -> None:
    if resolution not in RESOLUTIONS:
        raise ValidationFailed(_l("Choose what was done from the list."), {"resolution": "invalid"})
    if resolution == "coupon" and not (coupon_code or "").strip():
        raise ValidationFailed(_l("A coupon needs its code."), {"coupon_code": "required"})
    if task.status in ("resolved", "dismissed"):
        raise ValidationFailed(_l("This task is already closed."), {"status": task.status})
    now = utcnow()
    task.first_contact_at = task.first_contact_at or now
    task.status, task.resolution, task.resolved_at, task.updated_at = "resolved", resolution, now, now
    task.coupon_code = (coupon_code or "").strip()[:64] or None
    _event(task, "resolved", actor, f"{resolution}{': ' + note.strip() if note.strip() else ''}")
    alerts.queue_followup(task)
    outbound.emit(db.session.get(Store, task.store_id), "task.resolved", _event_data(task))


ERASED_NOTE = "customer erased"  # stored in English like the other system notes; labels.py words it


def close_for_erasure(task: Task) -> bool:
    """The customer was erased: nobody is left to contact, so an open or contacted task is
    dismissed ("customer erased", on its timeline) and its pending alert withdrawn. Returns
    whether it was still open."""
    task.alert_due_at = None
    if task.status not in ("open", "contacted"):
        return False
    task.status, task.dismiss_reason, task.updated_at = "dismissed", ERASED_NOTE, utcnow()
    _event(task, "dismissed", None, ERASED_NOTE)
    return True


def dismiss(task: Task, actor: StaffUser, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("Say why the task is dismissed."), {"reason": "required"})
    if task.status in ("resolved", "dismissed"):
        raise ValidationFailed(_l("This task is already closed."), {"status": task.status})
    task.status, task.dismiss_reason, task.updated_at = "dismissed", reason[:200], utcnow()
    _event(task, "dismissed", actor, reason)


def assign(task: Task, actor: StaffUser, assignee: StaffUser | None) -> None:
    task.assignee_id = assignee.id if assignee else None
    task.updated_at = utcnow()
    _event(task, "assigned", actor, assignee.email if assignee else None)


def release_tasks(store: Store, user: StaffUser, actor: StaffUser | None) -> tuple[int, int]:
    """``user`` no longer works in ``store`` (membership switched off, account disabled): each of
    their open or contacted tasks there goes round-robin to an agent on shift, or back to the
    unassigned queue when nobody is; the move is on the task's timeline ("released", the new
    assignee's email or "pool") and in the audit log. Call once ``user`` no longer counts as
    active, so the round-robin skips them. Returns (to agents, to the queue)."""
    db.session.flush()
    tasks = db.session.scalars(
        scoped(select(Task), store)
        .where(Task.assignee_id == user.id, Task.status.in_(("open", "contacted")))
        .order_by(Task.id)
    ).all()
    now, moved = utcnow(), [0, 0]
    for k, task in enumerate(tasks):
        new_id = _next_agent(store, now + timedelta(microseconds=k))  # each pick its own turn
        new = db.session.get(StaffUser, new_id) if new_id else None
        task.assignee_id, task.updated_at = new_id, now
        _event(task, "released", actor, new.email if new else RELEASED_TO_POOL)
        audit.record(
            store.id, actor, "task_released", "task", task.id, details={"from": user.email, "to": new and new.email}
        )
        moved[new is None] += 1
    db.session.flush()
    return moved[0], moved[1]


RELEASED_TO_POOL = "pool"  # a "released" timeline entry's body when nobody took the task; labels.py words it


def overdue_condition(now: datetime):
    """Tasks past the deadline that applies to them (the one rule: ``Task.overdue_at``)."""
    return Task.overdue_at(now)


def escalate_overdue(now: datetime | None = None, limit: int = 200) -> list[Task]:
    """Flag overdue tasks once (worker); returns the newly escalated ones. Each task is
    escalated on its own: one whose alert cannot be written is rolled back alone and retried."""
    now = now or utcnow()
    tasks = db.session.scalars(
        select(Task)
        .where(overdue_condition(now), Task.escalated_at.is_(None), ~failures.blocked("escalation", Task.id, now))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    guard = failures.RowGuard("escalation")
    escalated = [
        task
        for task in tasks
        if guard.run(task.id, task.store_id, lambda task=task: _escalate(task, now), lambda task=task: f"#{task.id}")
    ]
    db.session.flush()
    return escalated


def _escalate(task: Task, now: datetime) -> None:
    moved = db.session.execute(
        update(Task)
        .where(Task.id == task.id, Task.escalated_at.is_(None))
        .values(escalated_at=now)
        .execution_options(synchronize_session="fetch")
    )
    if moved.rowcount:
        _event(task, "escalated", None, "past its SLA")
        alerts.queue_task_alert(task, "overdue")
        outbound.emit(db.session.get(Store, task.store_id), "task.overdue", _event_data(task))
    db.session.flush()


def recovery_metrics(
    store: Store, lo: datetime | None = None, hi: datetime | None = None, where: list | None = None
) -> dict:
    """open, overdue, SLA met %, median business minutes to first contact and to resolution
    (``where``: conditions on the tasks' responses, e.g. the dashboard's filters)."""
    now = utcnow()
    conds = [in_store(Task, store)]
    if where:
        conds.append(Task.response_id.in_(select(Response.id).where(in_store(Response, store), *where)))
    if lo:
        conds.append(Task.created_at >= lo)
    if hi:
        conds.append(Task.created_at < hi)
    open_, overdue, contacted, met, followed_up, recovered = db.session.execute(
        select(
            func.count(case((Task.status.in_(("open", "contacted")), 1))),
            func.count(case((overdue_condition(now), 1))),
            func.count(Task.first_contact_at),
            func.count(case((Task.first_contact_at <= Task.first_contact_due_at, 1))),
            func.count(Task.followup_score),
            func.count(case((is_satisfied(Task.followup_score), 1))),
        ).where(*conds)
    ).one()
    clock = ShopClock.of(store)
    pairs = db.session.execute(
        select(Task.created_at, Task.first_contact_at, Task.resolved_at).where(
            *conds, Task.first_contact_at.is_not(None)
        )
    ).all()
    to_contact = [clock.elapsed_minutes(a, b) for a, b, _ in pairs]
    to_resolve = [clock.elapsed_minutes(a, c) for a, _, c in pairs if c]
    return {
        "open": open_,
        "overdue": overdue,
        "sla_met_pct": round(100 * met / contacted, 1) if contacted else None,
        "median_first_contact_minutes": round(median(to_contact), 1) if to_contact else None,
        "median_resolution_minutes": round(median(to_resolve), 1) if to_resolve else None,
        "recovery_rate": round(recovered / followed_up, 4) if followed_up else None,
        "followups_answered": followed_up,
    }


def record_followup(task: Task, score: int) -> None:
    """The customer's answer to "did we solve it?" (1-5); 4-5 counts as recovered. Editable."""
    if score not in CSAT_SCALE:
        raise ValidationFailed(_l("Choose a score from 1 to 5."), {"score": "out_of_range"})
    if task.status != "resolved":
        raise NotFound(_l("No follow-up for this task."))
    task.followup_score, task.followup_at = score, utcnow()
    _event(task, "followup", None, str(score))


def open_followup(token: str) -> Task:
    """The resolved task behind a follow-up link (TokenInvalid / TokenExpired otherwise)."""
    from .tokens import read_token

    public_id, issued_at = read_token("followup", token)
    task = db.session.scalar(select(Task).where(Task.public_id == public_id))
    if task is None or task.status != "resolved":
        raise TokenInvalid()
    store = db.session.get(Store, task.store_id)
    if issued_at + timedelta(days=store.token_lifetime_days) < utcnow():
        raise TokenExpired(store=store, locale=task.response.invitation.locale)
    return task


def log_reply(task: Task, actor: StaffUser, body: str) -> None:
    """A reply sent to the customer is the first contact (when none was logged before); a task
    nobody had taken becomes the replying agent's."""
    now = utcnow()
    if task.assignee_id is None:
        task.assignee_id = actor.id
        _event(task, "assigned", actor, actor.email)
    task.first_contact_at = task.first_contact_at or now
    if task.status == "open":
        task.status = "contacted"
    task.updated_at = now
    _event(task, "reply", actor, body)


QUEUE_SORTS = ("due", "opened", "score")


def queue(
    store: Store, status: str, now: datetime, limit: int = 200, sort: str = "due", search: str | None = None
) -> list[Task]:
    """The store's tasks for the queue page. ``status`` is a task state or "active" (open and
    contacted); ``sort`` is "due" (by the deadline that applies: overdue first), "opened"
    (newest first) or "score" (lowest first); ``search`` matches the order, email or name."""
    query = scoped(select(Task), store)
    if status == "active":
        query = query.where(Task.status.in_(("open", "contacted")))
    elif status in TASK_STATES:
        query = query.where(Task.status == status)
    if search or sort == "score":
        query = query.join(Response, Response.id == Task.response_id)
    if search:
        needle = f"%{search.strip().lower()[:100]}%"
        query = (
            query.join(Invitation, Invitation.id == Response.invitation_id)
            .join(Order, Order.id == Invitation.order_id)
            .join(Customer, Customer.id == Invitation.customer_id)
            .where(
                or_(
                    func.lower(Order.order_ref).like(needle),
                    func.lower(Customer.email).like(needle),
                    func.lower(Customer.name).like(needle),
                )
            )
        )
    if sort == "opened":
        order = [Task.created_at.desc(), Task.id.desc()]
    elif sort == "score":
        order = [func.coalesce(Response.nps, Response.csat).asc(), Task.first_contact_due_at]
    else:
        order = [Task.due_at.is_(None), Task.due_at, Task.id]  # closed tasks (no deadline) last
    return db.session.scalars(query.order_by(*order).limit(limit)).all()


def bulk_update(
    store: Store, actor: StaffUser, task_ids: list[int], action: str, assignee: StaffUser | None, reason: str = ""
) -> int:
    """Assign or dismiss several of the store's tasks at once; closed tasks are left as they are.
    Returns how many tasks changed."""
    if action not in ("assign", "dismiss"):
        raise ValidationFailed(_l("Choose what to do with the selected tasks."), {"action": "invalid"})
    if not task_ids:
        raise ValidationFailed(_l("Select at least one task."), {"task_ids": "required"})
    if action == "dismiss" and not (reason or "").strip():
        raise ValidationFailed(_l("Say why the task is dismissed."), {"reason": "required"})
    tasks = db.session.scalars(
        scoped(select(Task), store).where(Task.id.in_(task_ids[:500]), Task.status.in_(("open", "contacted")))
    ).all()
    for task in tasks:
        if action == "assign":
            assign(task, actor, assignee)
        else:
            dismiss(task, actor, reason)
    return len(tasks)


def customer_context(task: Task, limit: int = 10) -> dict:
    """What the desk should see beside the task: the reviews given with this answer and the
    customer's earlier answers to this store (newest first)."""
    from .reviews import for_response

    invitation = task.response.invitation
    earlier = db.session.scalars(
        select(Response)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .where(
            in_store(Response, task.store_id),
            Invitation.customer_id == invitation.customer_id,
            Response.id != task.response_id,
        )
        .order_by(Response.created_at.desc())
        .limit(limit)
    ).all()
    return {"reviews": for_response(task.response_id), "earlier": earlier}
