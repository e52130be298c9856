"""The staff dashboard's numbers: every tile, chart and table under the same filters."""

from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..models import Invitation, OrderItem, Product, Store
from ..reading.topics import TOPICS
from . import metrics
from .reporting import Filters, response_conditions
from .scope import in_store


def _invitation_conditions(store: Store, f: Filters) -> list:
    """The filters that also describe an unanswered invitation: only the product."""
    if not f.product:
        return []
    bought = (
        select(OrderItem.id)
        .join(Product, Product.id == OrderItem.product_id)
        .where(OrderItem.order_id == Invitation.order_id, in_store(Product, store), Product.sku == f.product)
    )
    return [bought.exists()]


def answer_filtered(f: Filters) -> bool:
    """Whether a filter reads the answers themselves (then a response rate means nothing)."""
    return bool(f.category or f.topic or f.language or f.hidden)


def dashboard_data(store: Store, f: Filters) -> dict:
    """Tiles, weekly series, distribution, topics, sentiment and NPS by product, all filtered."""
    where = response_conditions(f)
    m = metrics.store_metrics(store, f.start, f.end, where, _invitation_conditions(store, f))
    if answer_filtered(f):
        m["response_rate"] = None  # the answer filters cannot select unanswered invitations
    return {
        "metrics": m,
        "response_rate_applies": not answer_filtered(f),
        "weekly_nps": metrics.weekly_nps(store, start=f.start, end=f.end, where=where),
        "weekly_csat": metrics.weekly_csat(store, start=f.start, end=f.end, where=where),
        "distribution": metrics.distribution(store, f.start, f.end, where),
        "topics": metrics.topic_breakdown(store, f.start, f.end, where),
        "sentiment": metrics.sentiment_breakdown(store, f.start, f.end, where),
        "products": metrics.product_nps(store, f.start, f.end, where),
    }


def filter_choices(store: Store) -> dict:
    """What the filter bar offers: the store's products (by name) and the topics."""
    products = db.session.execute(
        select(Product.sku, Product.name).where(in_store(Product, store)).order_by(Product.name)
    ).all()
    return {"products": [{"sku": sku, "name": name} for sku, name in products], "topics": TOPICS}


def first_sku(store: Store) -> str | None:
    """A product of the store to preview the reviews widget with (the one with most reviews)."""
    from ..models import ProductRating

    return db.session.scalar(
        select(Product.sku)
        .outerjoin(ProductRating, ProductRating.product_id == Product.id)
        .where(in_store(Product, store))
        .order_by(func.coalesce(ProductRating.count, 0).desc(), Product.id)
        .limit(1)
    )
