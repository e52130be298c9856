"""The WhatsApp channel: a store's Cloud API settings and what customers write back.

Secrets (access token, app secret, verify token) are stored encrypted (see
services/secretbox.py): a database dump alone does not reveal them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow

CHANNEL_POLICIES = ("email", "whatsapp_first", "whatsapp_only")


class StoreWhatsApp(db.Model):
    """One store's WhatsApp Cloud API channel (absent = email only)."""

    __tablename__ = "store_whatsapp"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), unique=True)
    policy: Mapped[str] = mapped_column(String(16), default="email")
    phone_number_id: Mapped[str | None] = mapped_column(String(32))
    access_token_enc: Mapped[str | None] = mapped_column(Text)
    app_secret_enc: Mapped[str | None] = mapped_column(Text)
    verify_token_enc: Mapped[str | None] = mapped_column(Text)
    # Approved template per customer language, with the language code it was approved in.
    template_es: Mapped[str | None] = mapped_column(String(512))
    template_es_code: Mapped[str | None] = mapped_column(String(8))
    template_en: Mapped[str | None] = mapped_column(String(512))
    template_en_code: Mapped[str | None] = mapped_column(String(8))
    default_country: Mapped[str | None] = mapped_column(String(2))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def template_for(self, language: str) -> tuple[str, str] | None:
        """(name, language code) for a customer language, else the other language's template."""
        for lang in (language, "es" if language == "en" else "en"):
            name = getattr(self, f"template_{lang}", None)
            if name:
                return name, getattr(self, f"template_{lang}_code") or lang
        return None


class WhatsAppInbound(db.Model):
    """A message a customer sent to the store's number: an unsubscribe or a reply kept for staff.

    Unique on the Cloud API message id: the platform repeats webhooks with the same ids.
    """

    __tablename__ = "whatsapp_inbound"
    __table_args__ = (Index("ix_whatsapp_inbound_invitation", "invitation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    wamid: Mapped[str] = mapped_column(String(128), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))  # unsubscribe | reply
    body: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
