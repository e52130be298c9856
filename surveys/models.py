"""Typed SQLAlchemy 2 models. Every row that belongs to a shop carries ``store_id``."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from .extensions import db

MAX_ROW_ID = 2**31 - 1  # keys are INTEGER: 32-bit on PostgreSQL; larger ids cannot exist


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_public_id() -> str:
    return secrets.token_urlsafe(12)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# Invitation states (see docs/architecture in README):
# scheduled -> sent -> answered; or suppressed / withdrawn / bounced / expired.
INVITATION_STATES = ("scheduled", "sent", "answered", "suppressed", "withdrawn", "bounced", "expired")
SURVEY_KINDS = ("nps", "csat", "both")


class Store(db.Model):
    __tablename__ = "stores"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    locale: Mapped[str] = mapped_column(String(8), default="es")
    timezone: Mapped[str] = mapped_column(String(64), default="America/Mexico_City")
    sender: Mapped[str | None] = mapped_column(String(200))
    brand_color: Mapped[str] = mapped_column(String(7), default="#0f766e")
    survey_kind: Mapped[str] = mapped_column(String(8), default="nps")
    send_delay_minutes: Mapped[int] = mapped_column(Integer, default=2 * 24 * 60)
    reminder_delay_minutes: Mapped[int] = mapped_column(Integer, default=3 * 24 * 60)
    throttle_days: Mapped[int] = mapped_column(Integer, default=30)
    edit_window_hours: Mapped[int] = mapped_column(Integer, default=72)
    token_lifetime_days: Mapped[int] = mapped_column(Integer, default=30)
    send_window_start: Mapped[int | None] = mapped_column(Integer)
    send_window_end: Mapped[int | None] = mapped_column(Integer)
    fallback_transit_days: Mapped[int] = mapped_column(Integer, default=4)
    webhook_secret: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(24))
    webhook_secret_previous: Mapped[str | None] = mapped_column(String(64))
    retention_days: Mapped[int] = mapped_column(Integer, default=730)
    sla_first_contact_minutes: Mapped[int] = mapped_column(Integer, default=180)
    sla_resolution_minutes: Mapped[int] = mapped_column(Integer, default=2 * 9 * 60)
    opening_hours: Mapped[dict | None] = mapped_column(JSON)  # {"0": [9, 18], ...}; None = Mon-Fri 9-18
    holidays: Mapped[list | None] = mapped_column(JSON)  # ["2026-12-25", ...]
    alert_emails: Mapped[list | None] = mapped_column(JSON)  # None = the store's admins
    reply_register: Mapped[str] = mapped_column(String(8), default="tu")  # tu | usted | vos
    outbound_url: Mapped[str | None] = mapped_column(String(2048))  # https endpoint for signed events
    widget_origins: Mapped[list | None] = mapped_column(JSON)  # storefront origins allowed to frame the widget
    outbound_secret: Mapped[str | None] = mapped_column(String(80))  # "whsec_" + base64 key
    reply_templates: Mapped[dict | None] = mapped_column(JSON)  # {"es-tu": {"subject", "body"}, ...}
    widget_key: Mapped[str] = mapped_column(String(40), unique=True, default=lambda: "wk_" + secrets.token_urlsafe(16))
    reviews_auto_publish: Mapped[bool] = mapped_column(Boolean, default=True)  # unflagged reviews go live at once
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def asks_nps(self) -> bool:
        return self.survey_kind in ("nps", "both")

    def asks_csat(self) -> bool:
        return self.survey_kind in ("csat", "both")


class ApiKey(db.Model):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80), default="default")
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    store: Mapped[Store] = relationship()


class StaffUser(UserMixin, db.Model):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(8), default="es")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_generation: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def get_id(self) -> str:
        """The session remembers id and generation: bumping the generation revokes sessions."""
        return f"{self.id}:{self.session_generation}"


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "store_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="agent")
    on_shift: Mapped[bool] = mapped_column(Boolean, default=True)  # takes new tasks in the round-robin
    last_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def first_name(self) -> str:
        return (self.name or "").split(" ")[0].strip()


class Product(db.Model):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("store_id", "sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(2048))
    image_url: Mapped[str | None] = mapped_column(String(2048))


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

    product: Mapped[Product] = relationship(lazy="joined")


class Invitation(db.Model):
    __tablename__ = "invitations"
    __table_args__ = (
        Index("ix_invitations_due", "status", "send_at"),
        Index("ix_invitations_reminder", "status", "reminder_due_at"),
        Index("ix_invitations_customer", "customer_id", "send_at"),
        Index("ix_invitations_store_sent", "store_id", "sent_at", "answered_at"),  # covers the response rate
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(8), default="es")
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    suppressed_reason: Mapped[str | None] = mapped_column(String(32))
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    store: Mapped[Store] = relationship()
    order: Mapped[Order] = relationship()
    customer: Mapped[Customer] = relationship()


class Response(db.Model):
    __tablename__ = "responses"
    __table_args__ = (
        Index("ix_responses_store_created", "store_id", "created_at", "nps", "csat"),  # covers NPS/CSAT counts
        Index("ix_responses_store_updated", "store_id", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), unique=True)
    nps: Mapped[int | None] = mapped_column(Integer)
    csat: Mapped[int | None] = mapped_column(Integer)
    nps_category: Mapped[str | None] = mapped_column(String(10))
    comment: Mapped[str | None] = mapped_column(Text)
    # Filled at submit time by services.analysis (language, sentiment, topics, flags).
    language: Mapped[str | None] = mapped_column(String(8))
    sentiment_label: Mapped[str | None] = mapped_column(String(10))
    polarity: Mapped[float | None] = mapped_column(Float)
    sentiment_confidence: Mapped[float | None] = mapped_column(Float)
    topics: Mapped[list | None] = mapped_column(JSON)
    topic_polarity: Mapped[dict | None] = mapped_column(JSON)
    flags: Mapped[list | None] = mapped_column(JSON)
    hidden_detractor: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    invitation: Mapped[Invitation] = relationship()


class OutboxMessage(db.Model):
    """A fully rendered email waiting for (or done with) delivery.

    Rows are written in the same transaction as the state change they announce,
    so a message exists if and only if that change was committed.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("invitation_id", "kind"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    sender: Mapped[str] = mapped_column(String(320))
    recipient: Mapped[str] = mapped_column(String(254))
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    raw: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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


class PrivacyRequest(db.Model):
    """A customer's (or a platform's) data access or erasure request, and what was done."""

    __tablename__ = "privacy_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # export | erase | shop_erase
    source: Mapped[str] = mapped_column(String(16))  # cli | shopify | retention
    email_hash: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))  # kept only while an export is pending
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


TASK_REASONS = ("detractor", "low_csat", "hidden_detractor", "negative_review")
TASK_STATES = ("open", "contacted", "resolved", "dismissed")
RESOLUTIONS = ("replacement", "refund", "coupon", "apology", "other")


class Task(db.Model):
    """A recovery task: an unhappy customer to contact within the first-contact SLA."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_queue", "store_id", "status", "first_contact_due_at"),
        Index("ix_tasks_store_created", "store_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), unique=True)
    reason: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default="open")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    first_contact_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(String(16))
    coupon_code: Mapped[str | None] = mapped_column(String(64))
    dismiss_reason: Mapped[str | None] = mapped_column(String(200))
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    followup_score: Mapped[int | None] = mapped_column(Integer)
    followup_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    response: Mapped[Response] = relationship()
    assignee: Mapped[StaffUser | None] = relationship()
    events: Mapped[list[TaskEvent]] = relationship(order_by="TaskEvent.id", cascade="all, delete-orphan")


class TaskEvent(db.Model):
    """The task's timeline: opened, notes, status changes, assignment, escalation."""

    __tablename__ = "task_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[StaffUser | None] = relationship()


class OutboundEvent(db.Model):
    """A signed event for the shop's own systems (Standard Webhooks), delivered by the worker."""

    __tablename__ = "outbound_events"
    __table_args__ = (Index("ix_outbound_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[str] = mapped_column(String(40), unique=True)
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


REVIEW_STATES = ("pending", "published", "rejected", "private")  # private: the customer did not consent
REJECT_REASONS = ("abuse", "personal_data", "link", "off_topic", "not_about_product", "duplicate", "other")


class Review(db.Model):
    """A product review from the survey form: a verified purchase by construction (order item)."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("response_id", "product_id"),
        Index("ix_reviews_widget", "product_id", "status", "published_at", "id"),
        Index("ix_reviews_queue", "store_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(120))
    body: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(60))
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    flags: Mapped[list | None] = mapped_column(JSON)  # content-policy findings: abuse, personal_data, link, off_topic
    reject_reason: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str | None] = mapped_column(String(8))
    sentiment_label: Mapped[str | None] = mapped_column(String(10))
    polarity: Mapped[float | None] = mapped_column(Float)
    topics: Mapped[list | None] = mapped_column(JSON)
    reply_body: Mapped[str | None] = mapped_column(Text)
    reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    product: Mapped[Product] = relationship(lazy="joined")
    response: Mapped[Response] = relationship()


class ProductRating(db.Model):
    """Published-review aggregate per product, kept on every change so the widget never recounts.

    ``version`` grows on every change that the widget could show (a review, a reply), and is
    part of the widget's ETag.
    """

    __tablename__ = "product_ratings"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    distribution: Mapped[dict] = mapped_column(JSON, default=dict)  # {"1": n, ..., "5": n}
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEntry(db.Model):
    """Append-only log of staff (and automatic) actions: who, when, what, why.

    Rows are never updated or deleted by the application (see the listener below); the
    moderation log is this table's ``review`` entries.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_store_kind", "store_id", "object_type", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(254))  # email at the time, "system" or "api:<key prefix>"
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(500))
    details: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _audit_is_append_only(_mapper, _conn, target):
    raise RuntimeError("the audit log is append-only")
