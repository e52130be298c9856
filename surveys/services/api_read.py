"""The API's read side (/api/v1/responses, /tasks, /reviews): the JSON shape of each object
and keyset pagination with opaque cursors ((updated_at, id) for responses, id for the rest).
Change a field of a response, task or review in the API here (and in schemas.py for OpenAPI)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from .. import parsing
from ..errors import ValidationFailed
from ..extensions import db
from ..models import MAX_ROW_ID, Invitation, Order, Response, Review, Store, Task, utcnow
from ..reading.scoring import csat_satisfied
from .scope import in_store, scoped

# --- cursors -----------------------------------------------------------------------------------


def encode_cursor(updated_at: datetime, row_id: int) -> str:
    raw = f"{updated_at.astimezone(timezone.utc).isoformat()}|{row_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, row_id = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        return parsing.timestamp(stamp), _row_id(row_id)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed(_l("The cursor is not valid."), {"cursor": "invalid"}) from exc


def _row_id(raw: str) -> int:
    return parsing.integer(raw, 0, MAX_ROW_ID)


def encode_cursor_id(row_id: int) -> str:
    return base64.urlsafe_b64encode(f"id|{row_id}".encode()).decode().rstrip("=")


def decode_cursor_id(cursor: str) -> int:
    try:
        kind, row_id = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode().split("|")
        if kind != "id":
            raise ValueError(kind)
        return _row_id(row_id)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed(_l("The cursor is not valid."), {"cursor": "invalid"}) from exc


# --- responses ---------------------------------------------------------------------------------


def list_responses(store: Store, updated_since: datetime | None, cursor: str | None, limit: int = 100):
    """Responses ordered by (updated_at, id), resumable with an opaque cursor."""
    query = (
        select(Response, Order.order_ref, Task.status, Invitation.channel)
        .join(Invitation, Response.invitation_id == Invitation.id)
        .join(Order, Invitation.order_id == Order.id)
        .outerjoin(Task, Task.response_id == Response.id)
        .where(in_store(Response, store))
    )
    if updated_since:
        query = query.where(Response.updated_at >= updated_since)
    if cursor:
        at, row_id = decode_cursor(cursor)
        query = query.where(or_(Response.updated_at > at, and_(Response.updated_at == at, Response.id > row_id)))
    rows = db.session.execute(query.order_by(Response.updated_at, Response.id).limit(limit + 1)).all()
    data = [
        {**response_json(r, order_ref, task_status), "channel": channel or "email"}
        for r, order_ref, task_status, channel in rows[:limit]
    ]
    next_cursor = encode_cursor(rows[limit - 1][0].updated_at, rows[limit - 1][0].id) if len(rows) > limit else None
    return data, next_cursor


def response_json(r: Response, order_ref: str, task_status: str | None = None) -> dict:
    return {
        "id": r.id,
        "order_id": order_ref,
        "nps": r.nps,
        "nps_category": r.nps_category,
        "csat": r.csat,
        "csat_satisfied": csat_satisfied(r.csat),
        "comment": r.comment,
        "language": r.language,
        "sentiment": {"label": r.sentiment_label, "polarity": r.polarity, "confidence": r.sentiment_confidence},
        "sentiment_label": r.sentiment_label,
        "polarity": r.polarity,
        "topics": r.topics or [],
        "topic_polarity": r.topic_polarity or {},
        "hidden_detractor": r.hidden_detractor,
        "flags": r.flags or [],
        "task_status": task_status,
        "created_at": r.created_at.isoformat(),
        "updated_at": r.updated_at.isoformat(),
    }


# --- tasks -------------------------------------------------------------------------------------


def task_json(task: Task, order_ref: str, now: datetime) -> dict:
    def when(value):
        return value.isoformat() if value else None

    return {
        "id": task.id,
        "response_id": task.response_id,
        "order_id": order_ref,
        "reason": task.reason,
        "status": task.status,
        "assignee": task.assignee.email if task.assignee else None,
        "first_contact_due_at": when(task.first_contact_due_at),
        "first_contact_at": when(task.first_contact_at),
        "resolution_due_at": when(task.resolution_due_at),
        "resolved_at": when(task.resolved_at),
        "resolution": task.resolution,
        "overdue": task.overdue_at(now),
        "escalated": task.escalated_at is not None,
    }


def list_tasks(store: Store, status: str | None, cursor: str | None, limit: int = 100):
    """Tasks of the store (optionally one status), oldest first, resumable with a cursor."""
    query = (
        select(Task, Order.order_ref)
        .join(Response, Task.response_id == Response.id)
        .join(Invitation, Response.invitation_id == Invitation.id)
        .join(Order, Invitation.order_id == Order.id)
        .where(in_store(Task, store))
    )
    if status:
        query = query.where(Task.status == status)
    if cursor:
        query = query.where(Task.id > decode_cursor_id(cursor))
    rows = db.session.execute(query.order_by(Task.id).limit(limit + 1)).all()
    now = utcnow()
    data = [task_json(task, ref, now) for task, ref in rows[:limit]]
    return data, (encode_cursor_id(rows[limit - 1][0].id) if len(rows) > limit else None)


# --- reviews -----------------------------------------------------------------------------------


def review_json(review: Review) -> dict:
    """The API's view of a review (staff-facing: includes status, flags and consent)."""
    return {
        "id": review.id,
        "sku": review.product.sku,
        "rating": review.rating,
        "title": review.title,
        "body": review.body,
        "author": review.author,
        "status": review.status,
        "flags": review.flags or [],
        "consent": review.consent,
        "reject_reason": review.reject_reason,
        "language": review.language,
        "sentiment": review.sentiment_label,
        "reply": review.reply_body,
        "created_at": review.created_at.isoformat(),
        "updated_at": review.updated_at.isoformat(),
    }


def list_reviews(store: Store, status: str | None, cursor: str | None, limit: int = 100):
    """Reviews of the store (optionally one status), oldest first, resumable with a cursor."""
    query = scoped(select(Review), store)
    if status:
        query = query.where(Review.status == status)
    if cursor:
        query = query.where(Review.id > decode_cursor_id(cursor))
    rows = db.session.scalars(query.order_by(Review.id).limit(limit + 1)).all()
    data = [review_json(r) for r in rows[:limit]]
    return data, (encode_cursor_id(rows[limit - 1].id) if len(rows) > limit else None)
