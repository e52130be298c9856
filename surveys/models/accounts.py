"""Shops and the people who work them: stores, API keys, staff accounts, memberships."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, new_public_id, utcnow

SURVEY_KINDS = ("nps", "csat", "both")


def new_feed_key() -> str:
    """The secret in the Google Shopping feed's URL (not the public widget key)."""
    return "fk_" + secrets.token_urlsafe(24)


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
    # business minutes between resolving a task and asking the customer "did we solve it?"
    followup_delay_minutes: Mapped[int] = mapped_column(Integer, default=24 * 60, server_default="1440")
    opening_hours: Mapped[dict | None] = mapped_column(JSON)  # {"0": [9, 18], ...}; None = Mon-Fri 9-18
    holidays: Mapped[list | None] = mapped_column(JSON)  # ["2026-12-25", ...]
    alert_emails: Mapped[list | None] = mapped_column(JSON)  # None = the store's admins
    reply_register: Mapped[str] = mapped_column(String(8), default="tu")  # tu | usted | vos
    outbound_url: Mapped[str | None] = mapped_column(String(2048))  # https endpoint for signed events
    widget_origins: Mapped[list | None] = mapped_column(JSON)  # storefront origins allowed to frame the widget
    outbound_secret: Mapped[str | None] = mapped_column(String(80))  # "whsec_" + base64 key
    reply_templates: Mapped[dict | None] = mapped_column(JSON)  # {"es-tu": {"subject", "body"}, ...}
    widget_key: Mapped[str] = mapped_column(String(40), unique=True, default=lambda: "wk_" + secrets.token_urlsafe(16))
    feed_key: Mapped[str] = mapped_column(String(40), unique=True, default=lambda: new_feed_key())  # secret
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
    # Switched off by this store's admin: no access to this store, no tasks, no alerts. The
    # account itself (password, sessions, other stores) is not the store's to touch.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class StaffInvitation(db.Model):
    """An admin's offer of a membership in their store, accepted by the person through an emailed link.

    Nothing about the account changes until the person accepts; a brand-new person sets
    their own password then. Used once: ``accepted_at`` is set by a conditional update."""

    __tablename__ = "staff_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    store: Mapped[Store] = relationship()
    invited_by: Mapped[StaffUser | None] = relationship()
