"""One delivery takes its own short path (a statement per table); a batch takes the set-based
one. The same deliveries through both must leave the same rows and give the same answers:
new and known customers, details that update or keep, opt-outs, bounces, erasure, stale
events, the throttle, replays and a product's first name."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from surveys.extensions import db
from surveys.models import Customer, Invitation, Order, OrderItem, Product, utcnow
from surveys.services import intake, privacy
from surveys.services.ingest import record_many
from surveys.services.ingest_one import record_one
from surveys.services.invitations import compute_send_at

from ..factories import make_store


def _script(now):
    """(order_id, email, extra payload) in order; delivered 2 hours ago unless said otherwise."""
    old = (now - timedelta(days=60)).isoformat()
    taza = {"sku": "TAZA-01", "name": "Taza de barro"}
    return [
        ("A1", "ana@example.com", {"items": [taza]}),
        ("A1", "ana@example.com", {"items": [taza]}),  # the same order again
        ("A2", "Ana@Example.com", {"items": [{"sku": "TAZA-01", "name": "Talavera jug", "brand": "Barro"}]}),
        ("B1", "beto@example.com", {"customer_extra": {"phone": "+52 55 1234 5678", "whatsapp_opt_in": True}}),
        ("B2", "beto@example.com", {"customer_extra": {"name": None, "locale": "en"}, "delivered_at": old}),
        ("B3", "beto@example.com", {"customer_extra": {"whatsapp_opt_in": False}}),
        ("C1", "carla@example.com", {"items": [taza, {"sku": "PLATO-02", "name": "Plato", "gtin": "7501234567893"}]}),
        ("D1", "dora@example.com", {}),  # unsubscribed before
        ("E1", "eli@example.com", {}),  # bounced before
        ("F1", "fer@example.com", {}),  # erased before
        ("G1", "gil@example.com", {"items": [{"sku": "VASO-03", "name": "Vaso", "url": "https://t.example/v"}]}),
        ("G2", "gil@example.com", {"items": [{"sku": "VASO-03", "name": "Glass"}]}),
    ]


def _payload(order_id, email, extra, now):
    customer = {"email": email, "name": "Ana López", "locale": "es-MX", **extra.get("customer_extra", {})}
    payload = {
        "order_id": order_id,
        "delivered_at": extra.get("delivered_at", (now - timedelta(hours=2)).isoformat()),
        "customer": customer,
    }
    if "items" in extra:
        payload["items"] = extra["items"]
    return payload


def _prepare(store):
    """Customers known before the script: one unsubscribed, one bounced, one erased."""
    now = utcnow()
    for email, column in (("dora@example.com", "unsubscribed_at"), ("eli@example.com", "bounced_at")):
        db.session.add(Customer(store_id=store.id, email=email, name="X", locale="es", **{column: now}))
    db.session.add(Customer(store_id=store.id, email=privacy.erased_marker(store, "fer@example.com")))
    db.session.commit()


def _run(store, record, now) -> list:
    answers = []
    for order_id, email, extra in _script(now):
        delivery = intake.validate_delivery(_payload(order_id, email, extra, now))
        result, created = record(store, delivery)
        db.session.commit()
        answers.append(({k: v for k, v in result.items() if k != "id"}, created))
    return answers


def _rows(store) -> dict:
    """Every row the intake writes, without ids, keys or creation times."""
    customers = db.session.execute(
        select(Customer.email, Customer.name, Customer.locale, Customer.phone, Customer.whatsapp_opt_in)
        .where(Customer.store_id == store.id)
        .order_by(Customer.email)
    ).all()
    marker = privacy.erased_marker(store, "fer@example.com")
    customers = [tuple("erased" if v == marker else v for v in row) for row in customers]
    products = db.session.execute(
        select(Product.sku, Product.name, Product.url, Product.gtin, Product.brand)
        .where(Product.store_id == store.id)
        .order_by(Product.sku)
    ).all()
    orders = db.session.execute(
        select(Order.order_ref, Order.status, Order.source, Order.delivered_at, Customer.email)
        .join(Customer, Customer.id == Order.customer_id)
        .where(Order.store_id == store.id)
        .order_by(Order.order_ref)
    ).all()
    orders = [(*row[:-1], row[-1].startswith("erased:")) for row in orders]
    items = db.session.execute(
        select(Order.order_ref, Product.sku)
        .select_from(OrderItem)
        .join(Order, Order.id == OrderItem.order_id)
        .join(Product, Product.id == OrderItem.product_id)
        .where(Order.store_id == store.id)
        .order_by(Order.order_ref, OrderItem.id)  # the items in the shop's order, as the survey shows them
    ).all()
    invitations = db.session.execute(
        select(Order.order_ref, Invitation.status, Invitation.suppressed_reason, Invitation.send_at, Invitation.locale)
        .join(Order, Order.id == Invitation.order_id)
        .where(Invitation.store_id == store.id)
        .order_by(Order.order_ref)
    ).all()
    return {"customers": customers, "products": products, "orders": orders, "items": items, "invitations": invitations}


def test_one_delivery_and_a_batch_of_one_leave_the_same_rows_and_answers(app):
    single, batch = make_store()[0], make_store()[0]
    for store in (single, batch):
        _prepare(store)
    now = utcnow()
    one = _run(single, record_one, now)
    many = _run(batch, lambda store, d: record_many(store, [d])[0], now)
    assert one == many
    assert _rows(single) == _rows(batch)
    statuses = [(answer["order_id"], answer["status"], answer["suppressed_reason"], created) for answer, created in one]
    assert statuses == [
        ("A1", "scheduled", None, True),
        ("A1", "scheduled", None, False),
        ("A2", "suppressed", "throttled", True),
        ("B1", "scheduled", None, True),
        ("B2", "suppressed", "stale", True),
        ("B3", "suppressed", "throttled", True),
        ("C1", "scheduled", None, True),
        ("D1", "suppressed", "unsubscribed", True),
        ("E1", "suppressed", "bounced", True),
        ("F1", "suppressed", "erased", True),
        ("G1", "scheduled", None, True),
        ("G2", "suppressed", "throttled", True),
    ]
    rows = _rows(single)
    assert ("TAZA-01", "Taza de barro", None, None, "Barro") in rows["products"]  # named once, detail added
    assert ("VASO-03", "Vaso", "https://t.example/v", None, None) in rows["products"]
    assert ("beto@example.com", "Ana López", "es", "+525512345678", False) in rows["customers"]  # B3 said es-MX


def test_the_throttle_counts_an_invitation_just_inside_the_window_and_not_one_just_outside(app):
    store = make_store(throttle_days=7)[0]
    now, window = utcnow(), timedelta(days=7)
    send_at = compute_send_at(store, now - timedelta(hours=2))  # where the next invitation will go
    outcomes = []
    for n, earlier in enumerate((send_at - window + timedelta(seconds=1), send_at - window - timedelta(seconds=1))):
        email = f"tina{n}@example.com"
        record_one(store, intake.validate_delivery(_payload(f"T{n}", email, {}, now)))
        db.session.execute(update(Invitation).where(Invitation.order_id == _order(f"T{n}")).values(send_at=earlier))
        result, _ = record_one(store, intake.validate_delivery(_payload(f"T{n}-2", email, {}, now)))
        outcomes.append((result["status"], result["suppressed_reason"]))
    assert outcomes == [("suppressed", "throttled"), ("scheduled", None)]


def _order(ref: str) -> int:
    return db.session.scalar(select(Order.id).where(Order.order_ref == ref))
