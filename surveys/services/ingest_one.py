"""One delivery in one statement per table: the single API call's and the platform webhooks' path.

The set-based path (``ingest.record_many``) reads before it writes, which a batch of thousands
pays once; one delivery paid eleven round trips for it. Here every write carries its own
lookup: the customer and the products are upserted with ``RETURNING``, the order is inserted
or found by its constraint, and the throttle is a subquery of the invitation's ``INSERT``.
The statements are built once per process (Core, named parameters, the same SQL on SQLite
and PostgreSQL) and run on the DBAPI cursor of the session's connection (``prepared``).
Rules and answer are those of ``record_many`` (tests compare the two).
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from sqlalchemy import (
    Boolean,
    Integer,
    String,
    bindparam,
    case,
    exists,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
)

from ..extensions import db
from ..models import Customer, Invitation, Order, OrderItem, Product, Store, new_public_id, utcnow
from ..models.base import UTCDateTime
from . import privacy
from .db_util import insert_ignoring, upserting
from .ingest import PRODUCT_FIELDS, Delivery, _keep_statistics_fresh, _reason, _results, item_name, result_body
from .invitations import ACTIVE_STATES, compute_send_at
from .prepared import Prepared

CUSTOMERS, PRODUCTS, ORDERS, INVITATIONS = (m.__table__ for m in (Customer, Product, Order, Invitation))


def _param(name: str, type_):
    return bindparam(name, type_=type_)


@cache
def _customer_upsert(says_opt_in: bool):
    """Insert the customer or bring a known one up to date (an absent field keeps the old
    value), unless the address was erased: then nothing is written and nothing returned."""
    c = CUSTOMERS.c
    store_id = _param("store_id", Integer)
    erased = exists().where(c.store_id == store_id, c.email == _param("marker", String))
    row = select(
        store_id,
        _param("email", String),
        _param("name", String),
        _param("locale", String),
        _param("phone", String),
        _param("opt_in", Boolean),
        _param("now", UTCDateTime),
    ).where(~erased)  # also what SQLite needs to read ON CONFLICT after INSERT ... SELECT
    assignments = {f: f"coalesce(excluded.{f}, customers.{f})" for f in ("name", "locale", "phone")}
    if says_opt_in:
        assignments["whatsapp_opt_in"] = "excluded.whatsapp_opt_in"
    names = ["store_id", "email", "name", "locale", "phone", "whatsapp_opt_in", "created_at"]
    return Prepared(
        upserting(CUSTOMERS, ["store_id", "email"], assignments)
        .from_select(names, row)
        .returning(c.id, c.email, c.locale, c.unsubscribed_at, c.bounced_at)
    )


@cache
def _erased_customer():
    c = CUSTOMERS.c
    return Prepared(
        select(c.id, c.email, c.locale, c.unsubscribed_at, c.bounced_at).where(
            c.store_id == _param("store_id", Integer), c.email == _param("marker", String)
        )
    )


PRODUCT_COLUMNS = ("store_id", "sku", "name", *PRODUCT_FIELDS)


@cache
def _product_upsert(count: int):
    """The catalogue name is the one a product first arrived with (a delivery in another
    language must not rename it); a detail given replaces the old one, a missing one keeps it.
    One statement for ``count`` products (parameters ``sku_0``, ``name_0``, ... ``sku_1``, ...)."""
    first_name = "CASE WHEN products.name IS NULL OR products.name = '' THEN excluded.name ELSE products.name END"
    assignments = {"name": first_name}
    assignments.update({f: f"coalesce(excluded.{f}, products.{f})" for f in PRODUCT_FIELDS})
    rows = [{f: bindparam(f"{f}_{n}") for f in PRODUCT_COLUMNS} for n in range(count)]
    stmt = upserting(PRODUCTS, ["store_id", "sku"], assignments).values(rows)
    return Prepared(stmt.returning(PRODUCTS.c.id, PRODUCTS.c.sku))


ORDER_COLUMNS = ("store_id", "order_ref", "customer_id", "delivered_at", "status", "source", "created_at")


@cache
def _order_insert():
    values = {f: bindparam(f) for f in ORDER_COLUMNS}
    return Prepared(insert_ignoring(ORDERS, ["store_id", "order_ref"]).values(values).returning(ORDERS.c.id))


@cache
def _item_insert():
    return Prepared(OrderItem.__table__.insert().values({f: bindparam(f) for f in ("order_id", "product_id", "name")}))


@cache
def _invitation_insert():
    """The invitation, suppressed for ``reason`` when one is given, else throttled when the
    customer has an active invitation within the store's window of ``send_at``."""
    i = INVITATIONS.c
    customer_id, reason = _param("customer_id", Integer), _param("reason", String)
    send_at = _param("send_at", UTCDateTime)
    asked_at = func.coalesce(i.sent_at, i.send_at)
    clash = exists().where(
        i.customer_id == customer_id,
        i.status.in_([literal_column(f"'{state}'") for state in ACTIVE_STATES]),  # fixed words, no expanding list
        asked_at > _param("window_start", UTCDateTime),
        asked_at < _param("window_end", UTCDateTime),
    )
    check = select(clash.label("throttled")).subquery()
    off = or_(reason.is_not(None), check.c.throttled == true())
    row = select(
        _param("public_id", String),
        _param("store_id", Integer),
        _param("order_id", Integer),
        customer_id,
        _param("locale", String),
        case((off, literal("suppressed")), else_=literal("scheduled")),
        case((reason.is_not(None), reason), (check.c.throttled == true(), literal("throttled")), else_=null()),
        case((off, null()), else_=send_at),
        _param("now", UTCDateTime),
    ).select_from(check)
    names = ["public_id", "store_id", "order_id", "customer_id", "locale", "status", "suppressed_reason", "send_at"]
    stmt = INVITATIONS.insert().from_select([*names, "created_at"], row)
    return Prepared(stmt.returning(i.status, i.send_at, i.suppressed_reason))


def record_one(store: Store, d: Delivery, source: str = "api") -> tuple[dict, bool]:
    """Record one validated delivery; return (result, created), as ``record_many`` would.

    (store, order_id) is unique by constraint, so a replayed or concurrent delivery of the
    same order creates nothing and answers the first result."""
    now = utcnow()
    # Statements straight on the session's connection (its transaction): the session's own
    # execute adds ORM bookkeeping these plain rows never need. Pending ORM changes go
    # first, as the session would flush them before a statement.
    db.session.flush()
    conn = db.session.connection()
    customer = _customer(conn, store, d, now)
    products = _products(conn, store, d) if d.items else {}
    order = {"store_id": store.id, "order_ref": d.order_id, "customer_id": customer.id, "delivered_at": d.delivered_at}
    order.update(status="delivered", source=source, created_at=now)
    inserted = _order_insert().rows(conn, order)
    if not inserted:  # known order: the first delivery's answer
        return _results(store, [d.order_id])[d.order_id], False
    order_id = inserted[0].id
    if products:
        # the items in the shop's order (the survey shows them so), whatever order the products went in
        names: dict[str, str | None] = {}
        for i in d.items:
            names.setdefault(i.sku, item_name(i))
        items = [{"order_id": order_id, "product_id": products[sku], "name": name} for sku, name in names.items()]
        _item_insert().many(conn, items)
    window = timedelta(days=store.throttle_days)
    send_at = compute_send_at(store, d.delivered_at)
    ((status, send_at, reason),) = _invitation_insert().rows(
        conn,
        {
            "public_id": new_public_id(),
            "store_id": store.id,
            "order_id": order_id,
            "customer_id": customer.id,
            "locale": d.locale or customer.locale or store.locale,
            "reason": _reason(store, customer, d, send_at, [], window, now),  # all but the throttle
            "send_at": send_at,
            "window_start": send_at - window,
            "window_end": send_at + window,
            "now": now,
        },
    )
    _keep_statistics_fresh(1)
    return result_body(order_id, d.order_id, status, send_at, reason), True


def _customer(conn, store: Store, d: Delivery, now):
    marker = privacy.erased_marker(store, d.email)
    params = {
        "store_id": store.id,
        "marker": marker,
        "email": d.email,
        "name": d.name,
        "locale": d.locale,
        "phone": d.phone,
        "opt_in": bool(d.whatsapp_opt_in),
        "now": now,
    }
    found = _customer_upsert(d.whatsapp_opt_in is not None).rows(conn, params)
    if not found:  # erased: the delivery is recorded against the anonymous row, never mailed
        found = _erased_customer().rows(conn, {"store_id": store.id, "marker": marker})
    (customer,) = found
    return customer


def _products(conn, store: Store, d: Delivery) -> dict[str, int]:
    """sku -> product id, one statement. Rows go in sku order, so two deliveries naming the
    same products lock them in the same order (PostgreSQL) and cannot deadlock."""
    params = {}
    for n, i in enumerate(sorted(d.items, key=lambda i: i.sku)):
        params.update({f"{f}_{n}": getattr(i, f) for f in PRODUCT_COLUMNS[1:]}, **{f"store_id_{n}": store.id})
    return {sku: pid for pid, sku in _product_upsert(len(d.items)).rows(conn, params)}
