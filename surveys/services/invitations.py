"""Invitation scheduling and the due-work passes that turn invitations into outbox mail.

State machine: scheduled -> sent -> answered, or suppressed / withdrawn /
bounced / expired. Each transition is a conditional UPDATE, so two dispatchers
racing over the same row cannot both move it. The email itself (subject, score links,
rendering) is services/invitation_mail.py.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Customer, Invitation, Order, Store, utcnow
from ..reading.clock import ShopClock
from . import failures
from .invitation_mail import queue_invitation_mail
from .whatsapp import sending as whatsapp

ACTIVE_STATES = ("scheduled", "sent", "answered")
log = logging.getLogger("surveys.worker")


def within_send_window(store: Store, when: datetime) -> datetime:
    """Move ``when`` to the next moment inside the store's local sending hours."""
    return ShopClock.of(store).next_send_time(when)


def compute_send_at(store: Store, delivered_at: datetime, clock: ShopClock | None = None) -> datetime:
    """delivery + the store's delay, never in the past, inside the send window (a batch
    passes the store's ``ShopClock`` once instead of building it per delivery)."""
    when = max(delivered_at + timedelta(minutes=store.send_delay_minutes), utcnow())
    return (clock or ShopClock.of(store)).next_send_time(when.astimezone(timezone.utc))


def suppression_reason(
    store: Store, customer: Customer, send_at: datetime, exclude_id: int | None = None
) -> str | None:
    """Why this customer must not be asked at ``send_at``, or None.

    The throttle is one window across every invitation of the store: a customer
    is asked at most once per ``throttle_days``.
    """
    if customer.unsubscribed_at:
        return "unsubscribed"
    if customer.bounced_at:
        return "bounced"
    window = timedelta(days=store.throttle_days)
    asked_at = func.coalesce(Invitation.sent_at, Invitation.send_at)
    # A customer row belongs to one store, so customer_id alone scopes the check; naming
    # store_id too lets a planner pick the (store_id, sent_at) index and scan the whole shop.
    clash = select(Invitation.id).where(
        Invitation.customer_id == customer.id,
        Invitation.status.in_(ACTIVE_STATES),
        asked_at > send_at - window,
        asked_at < send_at + window,
    )
    if exclude_id is not None:
        clash = clash.where(Invitation.id != exclude_id)
    if db.session.scalar(clash.limit(1)) is not None:
        return "throttled"
    return None


def withdraw_invitation(invitation: Invitation) -> None:
    """A cancelled/refunded order is never surveyed; a sent one gets no reminder."""
    if invitation.status == "scheduled":
        invitation.status, invitation.send_at = "withdrawn", None
    invitation.reminder_due_at = None


def _claim(query, limit: int):
    """Select rows to work on; other Postgres workers skip the ones we hold."""
    return db.session.scalars(query.limit(limit).with_for_update(skip_locked=True, of=Invitation)).all()


RENDER_LOADS = (
    selectinload(Invitation.store),
    selectinload(Invitation.customer),
    selectinload(Invitation.order).selectinload(Order.items),
)


def _subject(invitation: Invitation) -> str:
    return f"{invitation.order.order_ref} · {invitation.customer.email}"


def enqueue_due_invitations(now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Render and queue every invitation whose send time has come. Each invitation is
    rendered on its own: one that fails is rolled back alone and retried later."""
    now = now or utcnow()
    counts = {"sent": 0, "suppressed": 0, "failed": 0}
    due = (
        select(Invitation)
        .where(
            Invitation.status == "scheduled",
            Invitation.send_at <= now,
            ~failures.blocked("invitation", Invitation.id, now),
        )
        .options(*RENDER_LOADS)  # one query per relation for the batch, not per invitation
    )
    guard = failures.RowGuard("invitation")
    for invitation in _claim(due.order_by(Invitation.send_at), limit):
        outcome = {}
        guard.run(
            invitation.id,
            invitation.store_id,
            lambda invitation=invitation, outcome=outcome: outcome.update(result=_enqueue_one(invitation, now)),
            lambda invitation=invitation: _subject(invitation),
        )
        if outcome.get("result"):
            counts[outcome["result"]] += 1
    counts["failed"] = guard.failed
    db.session.flush()
    return counts


def _enqueue_one(invitation: Invitation, now: datetime) -> str | None:
    store, customer = invitation.store, invitation.customer
    reason = suppression_reason(store, customer, now, exclude_id=invitation.id)
    wa_channel = whatsapp.get_channel(store)
    channel = whatsapp.choose_channel(wa_channel, customer)
    if reason == "bounced" and channel == "whatsapp":
        reason = None  # the email bounced; the phone still works
    if channel is None and not reason:
        reason = "no_whatsapp"  # the store sends on WhatsApp only, and cannot reach this customer
    if invitation.order.status != "delivered":
        reason = "cancelled"
    values = {
        "status": "sent",
        "channel": channel,
        "sent_at": now,
        "expires_at": now + timedelta(days=store.token_lifetime_days),
        "reminder_due_at": within_send_window(store, now + timedelta(minutes=store.reminder_delay_minutes)),
    }
    if reason:
        values = {"status": "suppressed", "suppressed_reason": reason, "send_at": None}
    moved = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.status == "scheduled")
        .values(**values)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if not moved:
        return None
    if reason:
        return "suppressed"
    if channel == "whatsapp":
        whatsapp.queue_template(wa_channel, invitation, "invitation")
    else:
        queue_invitation_mail(invitation, "invitation")
    db.session.flush()
    return "sent"


def enqueue_due_reminders(now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """One reminder per unanswered invitation, after the store's reminder delay; each on its own."""
    now = now or utcnow()
    due = (
        select(Invitation)
        .join(Invitation.customer)
        .join(Invitation.order)
        .where(
            Invitation.status == "sent",
            Invitation.reminder_due_at <= now,
            Invitation.reminder_sent_at.is_(None),
            Customer.unsubscribed_at.is_(None),
            Customer.bounced_at.is_(None),
            Order.status == "delivered",
            ~failures.blocked("reminder", Invitation.id, now),
        )
        .order_by(Invitation.reminder_due_at)
        .options(*RENDER_LOADS)
    )
    counts = {"sent": 0, "failed": 0}
    guard = failures.RowGuard("reminder")
    for invitation in _claim(due, limit):
        outcome = {}
        guard.run(
            invitation.id,
            invitation.store_id,
            lambda invitation=invitation, outcome=outcome: outcome.update(sent=_remind_one(invitation, now)),
            lambda invitation=invitation: _subject(invitation),
        )
        counts["sent"] += bool(outcome.get("sent"))
    counts["failed"] = guard.failed
    db.session.flush()
    return counts


def _remind_one(invitation: Invitation, now: datetime) -> bool:
    moved = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.status == "sent", Invitation.reminder_sent_at.is_(None))
        .values(
            reminder_sent_at=now,
            reminder_due_at=None,
            expires_at=now + timedelta(days=invitation.store.token_lifetime_days),
        )
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if moved:
        _queue_reminder(whatsapp.get_channel(invitation.store), invitation)
        db.session.flush()
    return bool(moved)


def _queue_reminder(channel, invitation: Invitation) -> int:
    """The reminder goes on the channel the invitation went on; a customer who left WhatsApp
    since gets it by email when the store allows email."""
    if invitation.channel == "whatsapp":
        chosen = whatsapp.choose_channel(channel, invitation.customer)
        if chosen == "whatsapp":
            whatsapp.queue_template(channel, invitation, "reminder")
            return 1
        if chosen is None:
            return 0
    queue_invitation_mail(invitation, "reminder")
    return 1


def expire_invitations(now: datetime | None = None) -> int:
    """Unanswered invitations whose links have run out become ``expired``.

    One UPDATE for all of them; should it fail, each row goes on its own, so one bad
    row is set aside and the others still expire."""
    now = now or utcnow()
    due = and_(
        Invitation.status == "sent", Invitation.expires_at < now, ~failures.blocked("expiry", Invitation.id, now)
    )
    try:
        with db.session.begin_nested():
            return db.session.execute(
                update(Invitation)
                .where(due)
                .values(status="expired", reminder_due_at=None)
                .execution_options(synchronize_session=False)
            ).rowcount
    except Exception:  # find the row that fails, below
        log.warning("expiring invitations in one statement failed; going row by row", exc_info=True)
    expired = 0
    guard = failures.RowGuard("expiry")
    for row_id, store_id in db.session.execute(select(Invitation.id, Invitation.store_id).where(due)).all():
        expired += guard.run(
            row_id,
            store_id,
            lambda row_id=row_id: db.session.execute(
                update(Invitation)
                .where(Invitation.id == row_id)
                .values(status="expired", reminder_due_at=None)
                .execution_options(synchronize_session=False)
            ),
            lambda row_id=row_id: str(row_id),
        )
    return expired


def due_counts(now: datetime | None = None) -> int:
    """How many invitations and reminders are due now (for /healthz queue depth)."""
    now = now or utcnow()
    return db.session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(
            or_(
                (Invitation.status == "scheduled") & (Invitation.send_at <= now),
                (Invitation.status == "sent")
                & (Invitation.reminder_due_at <= now)
                & Invitation.reminder_sent_at.is_(None),
            )
        )
    )
