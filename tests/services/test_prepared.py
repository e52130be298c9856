"""Statements run straight on the DBAPI cursor behave as SQLAlchemy's own: values converted both
ways (UTC datetimes, booleans), the engine's cursor events fire, and a database error is
SQLAlchemy's (the 503 handler and the callers catch those), for single and many rows. A row
read so (the API key check's store) becomes the session's object as a query would load it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, event, exc, insert, inspect, select

from surveys.extensions import db
from surveys.models import Customer, OrderItem, Store
from surveys.services import tenancy
from surveys.services.prepared import Prepared

from ..factories import make_store

C = Customer.__table__.c


def _insert_customer():
    names = ("store_id", "email", "whatsapp_opt_in", "unsubscribed_at", "created_at")
    stmt = insert(Customer.__table__).values({n: bindparam(n) for n in names})
    return Prepared(stmt.returning(C.id, C.whatsapp_opt_in, C.unsubscribed_at))


def test_values_are_converted_both_ways_and_the_cursor_events_see_the_statement(app):
    store_id = make_store()[0].id
    seen = []
    listen = lambda conn, cursor, statement, *rest: seen.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        when = datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=-6)))
        params = {"store_id": store_id, "email": "a@b.example", "whatsapp_opt_in": True, "unsubscribed_at": when}
        (row,) = _insert_customer().rows(db.session.connection(), {**params, "created_at": when})
        found = Prepared(select(C.email, C.unsubscribed_at).where(C.id == bindparam("id")))
        (back,) = found.rows(db.session.connection(), {"id": row.id})
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert row.whatsapp_opt_in is True
    assert row.unsubscribed_at == when and row.unsubscribed_at.utcoffset() == timedelta(0)
    assert back == ("a@b.example", datetime(2026, 3, 1, 15, 30, tzinfo=timezone.utc))
    assert [s.split()[0] for s in seen if not s.startswith("BEGIN")] == ["INSERT", "SELECT"]


def test_a_database_error_is_sqlalchemys_for_one_row_and_for_many(app):
    store = make_store()[0]
    conn = db.session.connection()
    now = datetime.now(timezone.utc)
    params = {"store_id": store.id, "email": "a@b.example", "whatsapp_opt_in": False, "unsubscribed_at": None}
    _insert_customer().rows(conn, {**params, "created_at": now})
    with pytest.raises(exc.IntegrityError):  # the same (store, email) again
        _insert_customer().rows(conn, {**params, "created_at": now})
    db.session.rollback()
    items = Prepared(insert(OrderItem.__table__).values({n: bindparam(n) for n in ("order_id", "product_id")}))
    with pytest.raises(exc.IntegrityError):  # no such order or product
        items.many(db.session.connection(), [{"order_id": 10**6, "product_id": 10**6}] * 2)
    db.session.rollback()


def test_the_key_checks_store_is_the_sessions_own_clean_object_with_every_column_loaded(app):
    store, key = make_store(opening_hours={"0": [9, 18]}, reviews_auto_publish=False)
    expected = {c.key: getattr(store, c.key) for c in Store.__mapper__.column_attrs}
    db.session.remove()
    found = tenancy.authenticate_api_key(key)
    state = inspect(found)
    assert state.persistent and not state.modified and not state.unloaded
    assert {c.key: getattr(found, c.key) for c in Store.__mapper__.column_attrs} == expected
    assert db.session.get(Store, found.id) is found and tenancy.authenticate_api_key(key) is found
    found.name = "Otro nombre"  # still a session object: a change is written by the commit
    db.session.commit()
    db.session.remove()
    assert db.session.get(Store, expected["id"]).name == "Otro nombre"
