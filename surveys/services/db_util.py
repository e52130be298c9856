"""Small database helpers shared by services: dialect-aware insert-or-ignore, leased claims."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db


def insert_ignore(model, values: dict[str, Any], conflict: list[str]) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING; return the new primary key or None.

    Uniqueness under concurrency is the constraint's job, never a prior SELECT.
    """
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    key = model.__mapper__.primary_key[0]
    stmt = module.insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict).returning(key)
    return db.session.execute(stmt).scalar()


def claim_leased(model, limit: int, lease: timedelta, now: datetime):
    """Lease up to ``limit`` due rows of a work table (status pending and due, or sending
    with an expired lease, so a killed worker's rows come back). Other Postgres workers
    skip the rows we hold; SQLite writers are serialised by BEGIN IMMEDIATE."""
    due = or_(
        and_(model.status == "pending", model.next_attempt_at <= now),
        and_(model.status == "sending", model.lease_until < now),
    )
    ids = db.session.scalars(
        select(model.id).where(due).order_by(model.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    if not ids:
        return []
    db.session.execute(
        update(model)
        .where(model.id.in_(ids), due)
        .values(status="sending", lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    db.session.expire_all()
    return db.session.scalars(
        select(model).where(model.id.in_(ids), model.status == "sending").order_by(model.id)
    ).all()
