"""Bulk loaders for the benchmark database: plain multi-row INSERTs inside one transaction
per table chunk, foreign keys checked by construction (ids are generated in order)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, text

from surveys.extensions import db
from surveys.models import Customer, Invitation, Order, OrderItem, Product, ProductRating, Response, Review, Store

CHUNK = 5000
NOW = datetime.now(timezone.utc)


def _insert(model, rows) -> None:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            db.session.execute(insert(model), batch)
            batch = []
    if batch:
        db.session.execute(insert(model), batch)
    db.session.commit()


def _next_id(model) -> int:
    return (db.session.scalar(text(f"SELECT COALESCE(MAX(id), 0) FROM {model.__tablename__}")) or 0) + 1


def answered_orders(store: Store, n: int, product_ids: list[int], rng: random.Random, with_items: bool = True):
    """n customers, orders, sent+answered invitations and responses; returns the response ids."""
    c0, o0, i0, r0 = (_next_id(m) for m in (Customer, Order, Invitation, Response))
    _insert(
        Customer,
        ({"id": c0 + k, "store_id": store.id, "email": f"bench{c0 + k}@example.com", "name": "Ana López",
          "locale": "es", "created_at": NOW} for k in range(n)),
    )  # fmt: skip
    _insert(
        Order,
        ({"id": o0 + k, "store_id": store.id, "order_ref": f"B{o0 + k}", "customer_id": c0 + k,
          "delivered_at": NOW - timedelta(days=3 + k % 300), "status": "delivered", "source": "bench",
          "created_at": NOW} for k in range(n)),
    )  # fmt: skip
    if with_items:
        _insert(OrderItem, ({"order_id": o0 + k, "product_id": product_ids[k % len(product_ids)]} for k in range(n)))
    _insert(
        Invitation,
        ({"id": i0 + k, "public_id": f"bench{i0 + k}", "store_id": store.id, "order_id": o0 + k,
          "customer_id": c0 + k, "locale": "es", "status": "answered",
          "sent_at": NOW - timedelta(days=1 + k % 300), "answered_at": NOW - timedelta(days=k % 300),
          "created_at": NOW} for k in range(n)),
    )  # fmt: skip

    def response(k):
        nps = rng.choices(range(11), weights=[2, 1, 1, 2, 2, 3, 4, 8, 14, 22, 30])[0]
        at = NOW - timedelta(days=k % 300, minutes=k % 1440)
        return {"id": r0 + k, "store_id": store.id, "invitation_id": i0 + k, "nps": nps,
                "nps_category": "promoter" if nps >= 9 else "passive" if nps >= 7 else "detractor",
                "csat": rng.randint(1, 5), "hidden_detractor": False, "created_at": at, "updated_at": at}  # fmt: skip

    _insert(Response, (response(k) for k in range(n)))
    return r0, n


def reviews(store: Store, product_ids: list[int], first_response: int, n: int, rng: random.Random) -> None:
    """n published reviews spread over the products, and their aggregate rows."""
    rows, agg = [], {pid: [0] * 6 for pid in product_ids}
    for k in range(n):
        pid, rating = product_ids[k % len(product_ids)], rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 2, 5, 11])[0]
        agg[pid][rating] += 1
        at = NOW - timedelta(minutes=k)
        rows.append({"store_id": store.id, "product_id": pid, "response_id": first_response + k, "rating": rating,
                     "title": "Muy buena", "body": "Llegó rápido y bien empacada, la calidad es excelente.",
                     "author": "Ana L.", "consent": True, "status": "published", "flags": [], "language": "es",
                     "sentiment_label": "positive", "polarity": 0.8, "topics": ["delivery"], "created_at": at,
                     "updated_at": at, "published_at": at})  # fmt: skip
    _insert(Review, rows)
    _insert(
        ProductRating,
        ({"product_id": pid, "count": sum(c), "total": sum(i * v for i, v in enumerate(c)),
          "distribution": {str(i): c[i] for i in range(1, 6)}, "version": 1, "updated_at": NOW}
         for pid, c in agg.items()),
    )  # fmt: skip


def products(store: Store, count: int) -> list[int]:
    _insert(Product, ({"store_id": store.id, "sku": f"SKU-{k:03d}", "name": f"Producto {k}"} for k in range(count)))
    return [p.id for p in db.session.query(Product.id).filter_by(store_id=store.id).order_by(Product.id)]


def answered_orders_server_side(store_id: int, n: int) -> None:
    """PostgreSQL: the same shape as answered_orders, generated inside the server (seconds, not minutes)."""
    statements = [
        "INSERT INTO customers (id, store_id, email, name, locale, created_at) "
        "SELECT x, :s, 'pg' || x || '@example.com', 'Ana López', 'es', now() FROM generate_series(1, :n) x",
        "INSERT INTO orders (id, store_id, order_ref, customer_id, delivered_at, status, source, created_at) "
        "SELECT x, :s, 'P' || x, x, now() - (3 + x % 300) * interval '1 day', 'delivered', 'bench', now() "
        "FROM generate_series(1, :n) x",
        "INSERT INTO invitations (id, public_id, store_id, order_id, customer_id, locale, status, sent_at, "
        "answered_at, created_at) SELECT x, 'pg' || x, :s, x, x, 'es', 'answered', "
        "now() - (1 + x % 300) * interval '1 day', now() - (x % 300) * interval '1 day', now() "
        "FROM generate_series(1, :n) x",
        "INSERT INTO responses (id, store_id, invitation_id, nps, nps_category, csat, hidden_detractor, "
        "created_at, updated_at) SELECT x, :s, x, v.nps, CASE WHEN v.nps >= 9 THEN 'promoter' WHEN v.nps >= 7 "
        "THEN 'passive' ELSE 'detractor' END, 1 + x % 5, false, now() - (x % 300) * interval '1 day', now() "
        "FROM generate_series(1, :n) x CROSS JOIN LATERAL (SELECT ((x::bigint * 7919) % 11)::int AS nps) v",
    ]
    for sql in statements:
        db.session.execute(text(sql), {"s": store_id, "n": n})
    for table in ("customers", "orders", "invitations", "responses"):  # ids were given: move the sequences on
        db.session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        )
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("customers", "orders", "invitations", "responses"):
            conn.execute(text(f"VACUUM ANALYZE {table}"))  # what autovacuum does in production
