"""Small database helpers shared by services: dialect-aware insert-or-ignore, leased claims."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state, set_committed_value
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.visitors import InternalTraversal

from ..extensions import db
from ..reading.clock import ShopClock


def insert_ignore(model, values: dict[str, Any], conflict: list[str]) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING; return the new primary key or None.

    Uniqueness under concurrency is the constraint's job, never a prior SELECT.
    """
    key = model.__mapper__.primary_key[0]
    stmt = insert_ignoring(model, conflict).values(**values).returning(key)
    return db.session.execute(stmt).scalar()


class OnConflictDoNothing(ClauseElement):
    """``ON CONFLICT (columns) DO NOTHING``: the same words on SQLite and PostgreSQL.

    The dialects' own ``insert().on_conflict_do_nothing()`` cannot be cached (SQLAlchemy 2.0
    compiles it again on every execution: five times per delivery, a fifth of its CPU); an
    ``INSERT`` carrying this clause has a cache key and is compiled once per process."""

    __visit_name__ = "postventa_on_conflict_do_nothing"
    _traverse_internals = [("columns", InternalTraversal.dp_string_list)]
    inherit_cache = True

    def __init__(self, columns: list[str]):
        self.columns = tuple(columns)


@compiles(OnConflictDoNothing)
def _on_conflict_do_nothing(element, compiler, **kw) -> str:
    return f"ON CONFLICT ({', '.join(compiler.preparer.quote(c) for c in element.columns)}) DO NOTHING"


class OnConflictDoUpdate(ClauseElement):
    """``ON CONFLICT (columns) DO UPDATE SET column = expression, ...``: the same words on both
    databases (``excluded.column`` is the row that was refused), cacheable like the clause above.
    The expressions are fixed SQL written in the code, never input."""

    __visit_name__ = "postventa_on_conflict_do_update"
    _traverse_internals = [
        ("columns", InternalTraversal.dp_string_list),
        ("assignments", InternalTraversal.dp_string_list),
    ]
    inherit_cache = True

    def __init__(self, columns: list[str], assignments: dict[str, str]):
        self.columns = tuple(columns)
        self.assignments = tuple(f"{column} = {expression}" for column, expression in assignments.items())


@compiles(OnConflictDoUpdate)
def _on_conflict_do_update(element, compiler, **kw) -> str:
    columns = ", ".join(compiler.preparer.quote(c) for c in element.columns)
    return f"ON CONFLICT ({columns}) DO UPDATE SET {', '.join(element.assignments)}"


def upserting(table, conflict: list[str], assignments: dict[str, str]):
    """``INSERT INTO table ... ON CONFLICT (conflict) DO UPDATE SET ...``, cacheable; with
    ``RETURNING`` it answers the row as inserted or as updated, in one round trip."""
    stmt = insert(table)
    stmt._post_values_clause = OnConflictDoUpdate(conflict, assignments)
    return stmt


def insert_ignoring(model, conflict: list[str]):
    """``INSERT INTO model ... ON CONFLICT (conflict) DO NOTHING``, cacheable (see above)."""
    stmt = insert(model)
    stmt._post_values_clause = OnConflictDoNothing(conflict)  # where the dialects' own clause goes
    return stmt


def claim_leased(model, limit: int, lease: timedelta, now: datetime):
    """Lease up to ``limit`` due rows of a work table (status pending and due, or sending
    with an expired lease, so a killed worker's rows come back). Other Postgres workers
    skip the rows we hold; SQLite writers are serialised by BEGIN IMMEDIATE.

    Every claim writes a fresh ``claim_token``: the rows returned are exactly those this
    call took (a row another worker re-claimed in between is not among them), and only
    the current token holder may renew the lease or record the result (``renew_claim``,
    ``finish_claim``)."""
    due = or_(
        and_(model.status == "pending", model.next_attempt_at <= now),
        and_(model.status == "sending", model.lease_until < now),
    )
    ids = db.session.scalars(
        select(model.id).where(due).order_by(model.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    if not ids:
        return []
    token = secrets.token_hex(16)
    db.session.execute(
        update(model)
        .where(model.id.in_(ids), due)
        .values(status="sending", lease_until=now + lease, claim_token=token)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    db.session.expire_all()
    return db.session.scalars(
        select(model).where(model.id.in_(ids), model.claim_token == token).order_by(model.id)
    ).all()


def _held(model, row):
    return and_(model.id == row.id, model.claim_token == row.claim_token, model.status == "sending")


def _update_held(model, row, values: dict[str, Any]) -> bool:
    done = db.session.execute(
        update(model).where(_held(model, row)).values(**values).execution_options(synchronize_session=False)
    ).rowcount
    if done:  # keep the loaded object in step without marking it dirty
        for key, value in values.items():
            set_committed_value(row, key, value)
    return bool(done)


def renew_claim(model, row, lease: timedelta, now: datetime) -> bool:
    """Extend the lease of a row we claimed, right before working on it; False when the
    claim was lost (the lease ran out and another worker took the row: leave it alone)."""
    return _update_held(model, row, {"lease_until": now + lease})


def finish_claim(model, row, values: dict[str, Any]) -> bool:
    """Record the outcome of a claimed row, only while we hold its current claim."""
    return _update_held(model, row, {"lease_until": None, **values})


def commit_keeping_loaded() -> None:
    """Commit without expiring the objects this request loaded and wrote.

    The answer page rendered next shows the rows exactly as this transaction wrote them, so
    reading them back (three more statements) would change nothing. Only for the end of a
    request: anything read afterwards comes from memory, not the database.
    """
    session = db.session()
    previous, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = previous


def columns_of(model) -> list:
    """The columns of ``model``'s mapped attributes, in the mapper's order (for ``loaded``)."""
    return [prop.columns[0] for prop in model.__mapper__.column_attrs]


def loaded(model, values) -> Any:
    """A row read by hand (``columns_of(model)``, in order) as the session's persistent
    object, as a query would have loaded it; an object of that identity already in the
    session is returned instead, as a query returns it. Building it costs a fraction of the
    ORM's loading (compile state, row processors) for one row."""
    session = db.session()
    mapper = model.__mapper__
    attrs = dict(zip((prop.key for prop in mapper.column_attrs), values, strict=True))
    key = mapper.identity_key_from_primary_key([attrs[c.key] for c in mapper.primary_key])
    found = session.identity_map.get(key)
    if found is not None:
        return found
    obj = mapper.class_manager.new_instance()
    instance_state(obj).dict.update(attrs)
    make_transient_to_detached(obj)  # committed values, with its identity
    session.add(obj)  # persistent, clean
    return obj


def within(column, lo, hi) -> list:
    """Conditions keeping ``column`` in [``lo``, ``hi``) (None: open on that side)."""
    return [
        c for c in (column >= lo if lo is not None else None, column < hi if hi is not None else None) if c is not None
    ]


def on_shop_days(column, zone: str, start, end) -> list:
    """Conditions keeping ``column`` (a UTC time) on the shop's calendar days ``start`` to ``end``
    (both included, None: open) on its clock ``zone``: the days its pages print times in."""
    return within(column, *ShopClock(zone).day_span(start, end))
