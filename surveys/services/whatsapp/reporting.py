"""What staff and the read API see of the WhatsApp channel: each invitation's channel and
delivery state, failures and replies, response rate by channel, and the admin's test send."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from ...errors import NotFound, ValidationFailed
from ...extensions import db
from ...models import Customer, Invitation, Order, OutboxMessage, Store, WhatsAppInbound
from ..phones import InvalidPhone, normalize_phone, wa_digits
from ..scope import in_store
from . import cloud
from .settings import credentials, get_channel

CHANNELS = ("email", "whatsapp")


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def email_state(invitation_id: int) -> str | None:
    """The invitation email's outbox state (queued, sent, bounced, failed), if one was queued."""
    status = db.session.scalar(
        select(OutboxMessage.status).where(
            OutboxMessage.invitation_id == invitation_id, OutboxMessage.kind == "invitation"
        )
    )
    return {"pending": "queued", "sending": "queued"}.get(status, status)


def invitation_json(store: Store, order_ref: str) -> dict:
    """One invitation, by the shop's order id: status, channel and delivery states, replies."""
    row = db.session.execute(
        select(Invitation, Order.order_ref)
        .join(Order, Invitation.order_id == Order.id)
        .where(in_store(Order, store), Order.order_ref == order_ref)
    ).first()
    if row is None:
        raise NotFound(_l("No delivery with this order_id."))
    invitation = row[0]
    replies = db.session.scalars(
        select(WhatsAppInbound)
        .where(WhatsAppInbound.invitation_id == invitation.id, in_store(WhatsAppInbound, store))
        .order_by(WhatsAppInbound.id)
    ).all()
    return {
        "order_id": row[1],
        "status": invitation.status,
        "suppressed_reason": invitation.suppressed_reason,
        "channel": invitation.channel,
        "send_at": _when(invitation.send_at),
        "sent_at": _when(invitation.sent_at),
        "reminder_sent_at": _when(invitation.reminder_sent_at),
        "answered_at": _when(invitation.answered_at),
        "email": {"state": email_state(invitation.id)},
        "whatsapp": {
            "state": invitation.wa_state,
            "error": invitation.wa_error,
            "updated_at": _when(invitation.wa_updated_at),
        },
        "fell_back_to_email_at": _when(invitation.fell_back_at),
        "replies": [{"kind": r.kind, "body": r.body, "received_at": _when(r.received_at)} for r in replies],
    }


def recent_invitations(store: Store, limit: int = 50) -> list:
    """The store's latest sent invitations with channel and delivery state (console)."""
    return db.session.execute(
        select(Invitation, Order.order_ref, Customer.name)
        .join(Order, Invitation.order_id == Order.id)
        .join(Customer, Invitation.customer_id == Customer.id)
        .where(in_store(Invitation, store), Invitation.sent_at.is_not(None))
        .order_by(Invitation.sent_at.desc(), Invitation.id.desc())
        .limit(limit)
    ).all()


def delivery_problems(store: Store, limit: int = 50) -> list:
    """WhatsApp invitations that failed, newest first, with whether email took over."""
    return db.session.execute(
        select(Invitation, Order.order_ref)
        .join(Order, Invitation.order_id == Order.id)
        .where(in_store(Invitation, store), Invitation.wa_state == "failed")
        .order_by(Invitation.wa_updated_at.desc(), Invitation.id.desc())
        .limit(limit)
    ).all()


def recent_replies(store: Store, limit: int = 50) -> list:
    """What customers wrote back on WhatsApp (replies and unsubscribes), newest first."""
    return db.session.execute(
        select(WhatsAppInbound, Order.order_ref, Customer.name)
        .outerjoin(Invitation, WhatsAppInbound.invitation_id == Invitation.id)
        .outerjoin(Order, Invitation.order_id == Order.id)
        .outerjoin(Customer, WhatsAppInbound.customer_id == Customer.id)
        .where(in_store(WhatsAppInbound, store))
        .order_by(WhatsAppInbound.id.desc())
        .limit(limit)
    ).all()


def rate_by_channel(store: Store, lo: datetime | None, hi: datetime | None) -> dict[str, dict]:
    """Invitations sent, answered and the response rate per channel (email includes older rows
    sent before channels existed)."""
    channel = func.coalesce(Invitation.channel, "email")
    conds = [in_store(Invitation, store), Invitation.sent_at.is_not(None)]
    if lo:
        conds.append(Invitation.sent_at >= lo)
    if hi:
        conds.append(Invitation.sent_at < hi)
    rows = db.session.execute(
        select(channel, func.count(), func.count(Invitation.answered_at)).where(*conds).group_by(channel)
    ).all()
    found = {name: (sent, answered) for name, sent, answered in rows}
    out = {}
    for name in CHANNELS:
        sent, answered = found.get(name, (0, 0))
        out[name] = {"sent": sent, "answered": answered, "response_rate": round(answered / sent, 4) if sent else None}
    return out


def fallback_count(store: Store) -> int:
    return db.session.scalar(
        select(func.count(case((Invitation.fell_back_at.is_not(None), 1)))).where(in_store(Invitation, store))
    )


def send_test(store: Store, phone: str, first_name: str) -> list[tuple[str, str, str]]:
    """Send the store's template in each configured language to ``phone`` now; returns
    (language, 'ok' | 'error', message id or error) for each. Nothing is stored."""
    channel = get_channel(store)
    if channel is None or channel.access_token_enc is None or not channel.phone_number_id:
        raise ValidationFailed(_l("Set up the WhatsApp channel first."), {"phone_number_id": "required"})
    try:
        e164 = normalize_phone(phone, channel.default_country)
    except InvalidPhone as exc:
        reason = _l("Not a phone number we can send to: write it with its country code, e.g. +52 55 1234 5678.")
        raise ValidationFailed(reason, {"test_phone": "invalid"}) from exc
    creds, results = credentials(channel), []
    for lang in ("es", "en"):
        name = getattr(channel, f"template_{lang}")
        if not name:
            continue
        code = getattr(channel, f"template_{lang}_code") or lang
        params = [first_name or "Ana", store.name, "Test" if lang == "en" else "Prueba"]
        body = cloud.template_body(wa_digits(e164), name, code, params, "test")
        try:
            results.append((lang, "ok", cloud.send(creds, body)))
        except cloud.CloudError as exc:
            results.append((lang, "error", str(exc)))
    return results
