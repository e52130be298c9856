"""Invitations and the answers to them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, new_public_id, utcnow

if TYPE_CHECKING:
    from .accounts import Store
    from .orders import Customer, Order


# Invitation states (see docs/architecture in README):
# scheduled -> sent -> answered; or suppressed / withdrawn / bounced / expired.
INVITATION_STATES = ("scheduled", "sent", "answered", "suppressed", "withdrawn", "bounced", "expired")


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
    # The channel the invitation went out on (email | whatsapp; None until sent) and, for
    # WhatsApp, the delivery state the Cloud API reported (queued, sent, delivered, read,
    # failed) with its error; ``fell_back_at``: a failed WhatsApp invitation went by email.
    channel: Mapped[str | None] = mapped_column(String(10))
    wa_state: Mapped[str | None] = mapped_column(String(10))
    wa_error: Mapped[str | None] = mapped_column(String(300))
    wa_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fell_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    store: Mapped[Store] = relationship()
    order: Mapped[Order] = relationship()
    customer: Mapped[Customer] = relationship()


class Response(db.Model):
    __tablename__ = "responses"
    __table_args__ = (
        Index("ix_responses_store_created", "store_id", "created_at", "nps", "csat"),  # covers NPS/CSAT counts
        # A store's NPS/CSAT over all time: one in-order pass grouped by (nps, csat), no sort
        Index("ix_responses_store_scores", "store_id", "nps", "csat"),
        Index("ix_responses_store_updated", "store_id", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), unique=True)
    nps: Mapped[int | None] = mapped_column(Integer)
    csat: Mapped[int | None] = mapped_column(Integer)
    nps_category: Mapped[str | None] = mapped_column(String(10))
    comment: Mapped[str | None] = mapped_column(Text)
    # Filled at submit time by reading.analysis (language, sentiment, topics, flags).
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
