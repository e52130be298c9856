"""The append-only audit log: every staff action that changes what customers or the shop see.

``record`` adds a row in the caller's transaction, so the entry exists exactly when the
change does. The moderation log is the ``review`` part of it.
"""

from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..models import AuditEntry, Membership, StaffUser, utcnow
from .db_util import on_shop_days
from .scope import scoped

SYSTEM = "system"


def record(
    store_id: int | None,
    actor: StaffUser | str | None,
    action: str,
    object_type: str,
    object_id: int | None = None,
    reason: str | None = None,
    details: dict | None = None,
) -> AuditEntry:
    """Log ``actor`` doing ``action`` to an object; ``actor`` is a staff user, "api:<prefix>" or None."""
    entry = AuditEntry(
        store_id=store_id,
        actor_id=actor.id if isinstance(actor, StaffUser) else None,
        actor=actor.email if isinstance(actor, StaffUser) else (actor or SYSTEM),
        action=action,
        object_type=object_type,
        object_id=object_id,
        reason=(reason or None) and reason[:500],
        details=details or None,
        created_at=utcnow(),
    )
    db.session.add(entry)
    return entry


def record_account(user: StaffUser | None, action: str, details: dict | None = None) -> None:
    """Log an account event (sign-in, failed sign-in, sign-out, password reset) in the log of every
    store the account is an active member of, so each of their admins sees it; an event of no known
    account (an unknown address) is still written, in no store's log, so both cost a write."""
    store_ids = []
    if user is not None:
        store_ids = db.session.scalars(
            select(Membership.store_id).where(Membership.user_id == user.id, Membership.active.is_(True))
        ).all()
    for store_id in sorted(store_ids) or [None]:
        record(store_id, user, action, "staff_user", user.id if user is not None else None, details=details)


def changes(before: dict, after: dict, secrets: frozenset | set = frozenset()) -> list[list]:
    """The fields whose value differs between two snapshots of a form, as [field, old, new] (values
    as shown, cut at 80 characters); a secret field says only that it changed ([field, None, None])."""
    found = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if name in secrets:
            found.append([name, None, None])
        else:
            found.append([name, _shown(old), _shown(new)])
    return found


def _shown(value) -> str | bool:
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:79] + "…"


def entries(store_id: int, object_type: str | None = None, object_id: int | None = None, limit: int | None = None):
    query = scoped(select(AuditEntry), store_id)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == object_id)
    query = query.order_by(AuditEntry.id.desc())
    return db.session.scalars(query.limit(limit) if limit else query).all()


def log_query(
    store_id: int, object_type: str | None = None, who=None, what=None, start=None, end=None, zone: str = "UTC"
):
    """The store's log (or one kind of object's part of it) filtered by who (actor), what (action)
    and when (dates: the shop's calendar days on its clock ``zone``, both ends included);
    unordered. Pages and CSVs share it."""
    query = scoped(select(AuditEntry), store_id)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if who:
        query = query.where(AuditEntry.actor == who)
    if what:
        query = query.where(AuditEntry.action == what)
    return query.where(*on_shop_days(AuditEntry.created_at, zone, start, end))


def page_entries(
    store_id: int,
    who: str | None = None,
    what: str | None = None,
    start=None,
    end=None,
    page: int = 1,
    per_page: int = 50,
    object_type: str | None = None,
    zone: str = "UTC",
):
    """One page of the store's log (or of one kind of object's), newest first, filtered as
    ``log_query`` does; returns (entries, total)."""
    query = log_query(store_id, object_type, who, what, start, end, zone)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(per_page).offset((page - 1) * per_page))
    return rows.all(), total


def choices(store_id: int, object_type: str | None = None) -> dict:
    """The actors and actions present in the store's log (or its part), for the filter menus."""
    base = log_query(store_id, object_type).subquery()
    actors = db.session.scalars(select(base.c.actor).distinct()).all()
    actions = db.session.scalars(select(base.c.action).distinct()).all()
    return {"actors": sorted(actors), "actions": sorted(actions)}


# Column order of the log CSVs (stable; the header row shows them as words, see labels.py).
CSV_HEADER = ["at", "actor", "action", "object", "object_id", "reason", "details"]


def csv_rows(
    store_id: int, object_type: str | None = None, who=None, what=None, start=None, end=None, zone: str = "UTC"
):
    """The store's log (optionally one kind of object, filtered as ``log_query``), oldest first,
    as CSV rows for ``stream_csv``: times on the shop's clock (``zone``), and in words: actors,
    actions, objects, reasons and details through labels.py (read in the staff member's language
    while the stream runs)."""
    from ..labels import csv_time, detail_text, label, reason_text

    query = log_query(store_id, object_type, who, what, start, end, zone)
    query = query.order_by(AuditEntry.id).execution_options(yield_per=1000)

    def rows_of(session):
        for e in session.scalars(query):
            yield (
                csv_time(e.created_at, zone),
                label("actor", e.actor),
                label("action", e.action),
                label("object", e.object_type),
                e.object_id,
                reason_text(e),
                detail_text(e.details),
            )

    return rows_of
