"""Set-based recording of many validated deliveries in one transaction.

A batch of N deliveries costs a handful of statements per table (multi-row
INSERT ... ON CONFLICT DO NOTHING, then one SELECT), not N round trips each, so
10,000 deliveries go in within seconds. Uniqueness stays the constraints' job:
a replayed or concurrent order is found, never inserted twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, text, update

from ..extensions import db
from ..models import Customer, Invitation, Order, OrderItem, Product, Store, new_public_id, utcnow
from ..reading.clock import ShopClock
from . import privacy
from .db_util import insert_ignoring
from .invitations import ACTIVE_STATES, compute_send_at
from .scope import in_store

PRODUCT_FIELDS = ("url", "image_url", "gtin", "mpn", "brand")  # optional product details, as in Item


@dataclass
class Item:
    sku: str
    name: str
    url: str | None = None
    image_url: str | None = None
    gtin: str | None = None
    mpn: str | None = None
    brand: str | None = None


@dataclass
class Delivery:
    order_id: str
    delivered_at: datetime
    email: str
    name: str | None
    locale: str | None
    items: list[Item] = field(default_factory=list)
    phone: str | None = None  # E.164
    whatsapp_opt_in: bool | None = None  # None: not said (an earlier answer stands)


def item_name(item: Item) -> str | None:
    """The name kept with the order's item: None when the shop sent none of its own (intake
    then names it by its SKU), so the customer reads the catalogue name instead of a code."""
    return item.name if item.name != item.sku else None


def result_body(order_pk: int, order_ref: str, status: str, send_at, reason: str | None) -> dict:
    return {
        "id": order_pk,
        "order_id": order_ref,
        "status": status if status in ("suppressed", "withdrawn") else "scheduled",
        "send_at": send_at.isoformat() if send_at else None,
        "suppressed_reason": reason,
    }


CHUNK = 400  # values per IN (...) lookup (SQLite caps bound parameters per statement)


def _chunks(rows: list, size: int = CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert_ignore_many(model, rows: list[dict], conflict: list[str]) -> None:
    """One compiled statement, executed for all rows (executemany), duplicates skipped. Into
    the table, not the ORM entity: the ORM's bulk insert re-checks every row's keys in Python,
    which cost more than the rows' SQL."""
    if rows:
        db.session.execute(insert_ignoring(model.__table__, conflict), rows)


def _select_in(columns, column, values: list, *where):
    out = []
    for chunk in _chunks(sorted(set(values))):
        out.extend(db.session.execute(select(*columns).where(column.in_(chunk), *where)).all())
    return out


def record_many(store: Store, deliveries: list[Delivery], source: str = "api") -> list[tuple[dict, bool]]:
    """Record deliveries; return (result, created) for each, in input order."""
    now = utcnow()
    customers = _customers(store, deliveries, now)
    products = _products(store, deliveries)
    first = {}
    for d in deliveries:
        first.setdefault(d.order_id, d)
    refs = list(first)
    known = {r.order_ref for r in _select_in([Order.order_ref], Order.order_ref, refs, in_store(Order, store))}
    fresh = [first[ref] for ref in refs if ref not in known]
    created = _insert_orders(store, fresh, customers, source, now)
    new_orders = [(first[ref], order_id) for ref, order_id in created.items()]
    items = [
        {"order_id": oid, "product_id": products[i.sku], "name": item_name(i)} for d, oid in new_orders for i in d.items
    ]
    _insert_ignore_many(OrderItem, items, ["order_id", "product_id"])
    _insert_invitations(store, new_orders, customers, now)
    _keep_statistics_fresh(len(created))
    results = _results(store, refs)
    return [(results[d.order_id], d.order_id in created and first[d.order_id] is d) for d in deliveries]


_GROWTH = {"analysed": 0, "since": 0}


def _keep_statistics_fresh(new_rows: int) -> None:
    """Postgres plans the IN-list lookups above from table statistics. During a bulk load
    they go stale within seconds (autovacuum lags, or is off), and index lookups turn into
    scans of the whole store. Re-analyse whenever the rows added since the last ANALYZE
    reach the number it saw: a handful of runs for any load size."""
    if db.session.get_bind().dialect.name != "postgresql" or not new_rows:
        return
    _GROWTH["since"] += new_rows
    if _GROWTH["since"] >= max(1000, _GROWTH["analysed"]):
        db.session.execute(text("ANALYZE customers, products, orders, order_items, invitations"))
        _GROWTH["analysed"] += _GROWTH["since"]
        _GROWTH["since"] = 0


def _customers(store: Store, deliveries, now) -> dict:
    """email -> customer row (erased customers are matched by their hash and left untouched)."""
    latest = {d.email: d for d in deliveries}  # the newest name/locale wins
    markers = {privacy.erased_marker(store, e): e for e in latest}
    erased = {markers[c.email]: c for c in _rows(store, list(markers))}
    rows = [
        {
            "store_id": store.id,
            "email": e,
            "name": d.name,
            "locale": d.locale,
            "phone": d.phone,
            "whatsapp_opt_in": bool(d.whatsapp_opt_in),
            "created_at": now,
        }
        for e, d in latest.items()
        if e not in erased
    ]
    _insert_ignore_many(Customer, rows, ["store_id", "email"])
    found = {c.email: c for c in _rows(store, [r["email"] for r in rows])}
    for email, customer in found.items():
        changes = _customer_changes(latest[email], customer)
        if changes:
            db.session.execute(update(Customer).where(Customer.id == customer.id).values(**changes))
    return {**found, **erased}


def _customer_changes(d: Delivery, customer) -> dict:
    """What a newer delivery changes on a known customer; an absent field keeps the old value."""
    changes = {}
    if d.name and d.name != customer.name:
        changes["name"] = d.name
    if d.locale and d.locale != customer.locale:
        changes["locale"] = d.locale
    if d.phone and d.phone != customer.phone:
        changes["phone"] = d.phone
    if d.whatsapp_opt_in is not None and d.whatsapp_opt_in != customer.whatsapp_opt_in:
        changes["whatsapp_opt_in"] = d.whatsapp_opt_in
    return changes


_CUSTOMER_COLUMNS = [
    Customer.id,
    Customer.email,
    Customer.name,
    Customer.locale,
    Customer.unsubscribed_at,
    Customer.bounced_at,
    Customer.phone,
    Customer.whatsapp_opt_in,
]


def _rows(store: Store, emails: list[str]):
    """Customer rows (plain rows, not ORM objects: a batch needs no identity map)."""
    return _select_in(_CUSTOMER_COLUMNS, Customer.email, emails, in_store(Customer, store))


def _products(store: Store, deliveries) -> dict[str, int]:
    items = {i.sku: i for d in deliveries for i in d.items}
    if not items:
        return {}
    rows = [
        {"store_id": store.id, "sku": i.sku, "name": i.name, **{f: getattr(i, f) for f in PRODUCT_FIELDS}}
        for i in items.values()
    ]
    _insert_ignore_many(Product, rows, ["store_id", "sku"])
    out = {}
    for pid, sku, name, *known in _select_in(
        [Product.id, Product.sku, Product.name, *(getattr(Product, f) for f in PRODUCT_FIELDS)],
        Product.sku,
        list(items),
        in_store(Product, store),
    ):
        item = items[sku]
        # optional fields (url, image, GTIN, MPN, brand): a new value replaces the old, a missing one keeps it
        given = {
            f: getattr(item, f)
            for f, old in zip(PRODUCT_FIELDS, known, strict=True)
            if getattr(item, f) not in (None, old)
        }
        # The catalogue name is the one the product first arrived with: a delivery in another
        # language ("Talavera jug") must not rename it for every customer, page and report.
        if (item.name and not name) or given:
            db.session.execute(update(Product).where(Product.id == pid).values(name=name or item.name, **given))
        out[sku] = pid
    return out


def _insert_orders(store, fresh, customers, source, now) -> dict[str, int]:
    """Insert new orders; returns order_ref -> id for the rows this call created."""
    created: dict[str, int] = {}
    rows = [
        {
            "store_id": store.id,
            "order_ref": d.order_id,
            "customer_id": customers[d.email].id,
            "delivered_at": d.delivered_at,
            "status": "delivered",
            "source": source,
            "created_at": now,
        }
        for d in fresh
    ]
    if rows:
        stmt = insert_ignoring(Order.__table__, ["store_id", "order_ref"]).returning(Order.id, Order.order_ref)
        created.update({ref: oid for oid, ref in db.session.execute(stmt, rows).all()})
    return created


def _insert_invitations(store: Store, new_orders, customers: dict, now: datetime) -> None:
    window = timedelta(days=store.throttle_days)
    ids = [customers[d.email].id for d, _ in new_orders]
    asked: dict[int, list[datetime]] = {}
    stamp = func.coalesce(Invitation.sent_at, Invitation.send_at)
    # Only customer_id goes to SQL (a customer belongs to one store, and has few invitations):
    # with store_id or status in the WHERE clause too, SQLite's planner may walk a whole shop
    # or a whole status through their indexes instead of (customer_id, send_at).
    for cid, at, status in _select_in([Invitation.customer_id, stamp, Invitation.status], Invitation.customer_id, ids):
        if at is not None and status in ACTIVE_STATES:
            asked.setdefault(cid, []).append(at if at.tzinfo else at.replace(tzinfo=now.tzinfo))
    rows, clock = [], ShopClock.of(store)
    for d, order_id in new_orders:
        customer = customers[d.email]
        send_at = compute_send_at(store, d.delivered_at, clock)
        reason = _reason(store, customer, d, send_at, asked.get(customer.id, []), window, now)
        if reason is None:
            asked.setdefault(customer.id, []).append(send_at)
        rows.append(
            {
                "public_id": new_public_id(),
                "store_id": store.id,
                "order_id": order_id,
                "customer_id": customer.id,
                "locale": d.locale or customer.locale or store.locale,
                "status": "suppressed" if reason else "scheduled",
                "suppressed_reason": reason,
                "send_at": None if reason else send_at,
                "created_at": now,
            }
        )
    _insert_ignore_many(Invitation, rows, ["order_id"])


def _reason(store, customer, d, send_at, asked, window, now) -> str | None:
    if customer.email.startswith(privacy.ERASED_PREFIX):
        return "erased"
    if customer.unsubscribed_at:
        return "unsubscribed"
    if customer.bounced_at:
        return "bounced"
    if d.delivered_at < now - window:
        return "stale"  # a late or replayed event: recorded, never mailed
    if any(abs(send_at - at) < window for at in asked):
        return "throttled"
    return None


def _results(store: Store, refs: list[str]) -> dict[str, dict]:
    columns = [Order.id, Order.order_ref, Invitation.status, Invitation.send_at, Invitation.suppressed_reason]
    rows = _select_in(columns, Order.order_ref, refs, in_store(Order, store), Invitation.order_id == Order.id)
    return {row.order_ref: result_body(*row) for row in rows}
