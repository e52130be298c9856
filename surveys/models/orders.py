"""What the shop tells us: customers, products, orders and their items, and raw platform events."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

if TYPE_CHECKING:
    pass


# An erased customer's email is replaced by this prefix and a salted hash (see services/privacy.py).
ERASED_PREFIX = "erased:"


class Customer(db.Model):
    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("store_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str | None] = mapped_column(String(120))
    locale: Mapped[str | None] = mapped_column(String(8))
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bounced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # WhatsApp: E.164 number, the shop's record of the customer's opt-in, and a "BAJA" reply.
    phone: Mapped[str | None] = mapped_column(String(20))
    whatsapp_opt_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    whatsapp_unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def first_name(self) -> str:
        return (self.name or "").split(" ")[0].strip()

    @property
    def erased(self) -> bool:
        """Erased at the customer's request: the email is a pseudonym, nothing is ever sent to it."""
        return self.email.startswith(ERASED_PREFIX)


class Product(db.Model):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("store_id", "sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(2048))
    image_url: Mapped[str | None] = mapped_column(String(2048))
    gtin: Mapped[str | None] = mapped_column(String(14))  # GTIN-8/12/13/14, check digit verified at intake
    mpn: Mapped[str | None] = mapped_column(String(70))
    brand: Mapped[str | None] = mapped_column(String(70))


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("store_id", "order_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    order_ref: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="delivered")
    source: Mapped[str] = mapped_column(String(16), default="api")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped[Customer] = relationship()
    items: Mapped[list[OrderItem]] = relationship(order_by="OrderItem.id")


class OrderItem(db.Model):
    __tablename__ = "order_items"
    __table_args__ = (UniqueConstraint("order_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    # The name the shop sent for the item in THIS order (the customer's language, what they saw
    # when buying); the product's catalogue name is the first one ever sent. NULL on older rows.
    name: Mapped[str | None] = mapped_column(String(200))

    product: Mapped[Product] = relationship(lazy="joined")

    @property
    def display_name(self) -> str:
        """What to call the item when talking to this order's customer."""
        return self.name or self.product.name


class IdempotencyRecord(db.Model):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("store_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(128))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookEvent(db.Model):
    """A verified platform event, reduced to what the product needs, waiting to be applied.

    Unique on (store, source, order, milestone): platforms resend and use a new
    delivery id each time, so the order's milestone is what makes it the same event.
    """

    __tablename__ = "webhook_events"
    __table_args__ = (
        UniqueConstraint("store_id", "source", "order_ref", "milestone"),
        Index("ix_webhook_events_pending", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    order_ref: Mapped[str] = mapped_column(String(64))
    milestone: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    outcome: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
