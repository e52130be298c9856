"""The Cloud API webhook: handshake, signature, delivery statuses and customers' replies.

The store is the one named in the URL whose app secret verifies the raw body (HMAC-SHA256,
constant-time compare). Statuses move an invitation's delivery state forward only; a
``failed`` invitation falls back to email like a refused send. Replies: a stop word
unsubscribes the number from WhatsApp and is confirmed; anything else is kept for staff
(never counted as an answer). The platform repeats webhooks: every message id is
recorded once.
"""

from __future__ import annotations

import hashlib
import hmac

from flask_babel import force_locale, gettext
from sqlalchemy import select

from ...extensions import db
from ...models import Customer, Invitation, OutboxMessage, Store, StoreWhatsApp, WhatsAppInbound, utcnow
from ...reading.optout import is_opt_out
from ..db_util import insert_ignore
from ..phones import sender_candidates
from ..scope import in_store, scoped
from ..secretbox import SecretUnavailable
from .sending import KINDS, advance_state, queue_text, record_failure
from .settings import credentials, get_channel


def verified_channel(store: Store | None, raw: bytes, header: str | None) -> StoreWhatsApp | None:
    """The store's channel when ``X-Hub-Signature-256`` is sha256=<hex HMAC of the raw body>."""
    channel = get_channel(store) if store is not None else None
    if channel is None or not header or not header.startswith("sha256="):
        return None
    try:
        secret = credentials(channel).app_secret
    except SecretUnavailable:
        return None
    if not secret:
        return None
    expected = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return channel if hmac.compare_digest(expected, header[7:].strip().lower()) else None


def handshake(store: Store | None, mode: str | None, token: str | None) -> bool:
    """The GET verification: subscribe mode and the store's verify token."""
    channel = get_channel(store) if store is not None else None
    if channel is None or mode != "subscribe" or not token:
        return False
    try:
        expected = credentials(channel).verify_token
    except SecretUnavailable:
        return False
    return bool(expected) and hmac.compare_digest(expected.encode(), token.encode())


def apply_webhook(store: Store, channel: StoreWhatsApp, body: dict) -> dict[str, int]:
    """Apply every status and message in a verified body; returns counts."""
    counts = {"statuses": 0, "unsubscribed": 0, "replies": 0, "duplicates": 0}
    for value in _values(body):
        metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
        number = metadata.get("phone_number_id")
        if number is not None and str(number) != channel.phone_number_id:
            continue  # another number of the same app
        for status in _dicts(value.get("statuses")):
            counts["statuses"] += _apply_status(store, channel, status)
        for message in _dicts(value.get("messages")):
            counts[_apply_message(store, message)] += 1
    db.session.flush()
    return counts


def _dicts(value) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _values(body: dict):
    for entry in _dicts(body.get("entry")):
        for change in _dicts(entry.get("changes")):
            if isinstance(change.get("value"), dict):
                yield change["value"]


def _apply_status(store: Store, channel: StoreWhatsApp, status: dict) -> int:
    wamid, state = str(status.get("id") or ""), status.get("status")
    if not wamid or state not in ("sent", "delivered", "read", "failed"):
        return 0
    msg = db.session.scalar(scoped(select(OutboxMessage), store).where(OutboxMessage.provider_id == wamid))
    if msg is None or msg.invitation_id is None or msg.kind != KINDS["invitation"]:
        return 0
    invitation = db.session.get(Invitation, msg.invitation_id)
    now = utcnow()
    if state == "failed":
        if invitation.wa_state == "failed":
            return 0
        record_failure(invitation, channel, _error_text(status), now)
        return 1
    return int(advance_state(invitation, state, now))


def _error_text(status: dict) -> str:
    errors = _dicts(status.get("errors"))
    if not errors:
        return "failed"
    first = errors[0]
    data = first.get("error_data") if isinstance(first.get("error_data"), dict) else {}
    detail = data.get("details") or first.get("message") or first.get("title") or ""
    return f"{first.get('code', '')}: {detail}"[:300]


def _text_of(message: dict) -> str:
    for key, field in (("text", "body"), ("button", "text")):
        part = message.get(key)
        if isinstance(part, dict) and isinstance(part.get(field), str):
            return part[field][:4000]
    interactive = message.get("interactive") if isinstance(message.get("interactive"), dict) else {}
    for key in ("button_reply", "list_reply"):
        part = interactive.get(key)
        if isinstance(part, dict) and isinstance(part.get("title"), str):
            return part["title"][:4000]
    return ""


def _apply_message(store: Store, message: dict) -> str:
    wamid, sender = str(message.get("id") or "")[:128], str(message.get("from") or "")
    if not wamid or not sender:
        return "duplicates"
    text = _text_of(message)
    phones = sender_candidates(sender)
    customers = db.session.scalars(scoped(select(Customer), store).where(Customer.phone.in_(phones))).all()
    invitation = _latest_invitation([c.id for c in customers])
    kind = "unsubscribe" if is_opt_out(text) else "reply"
    new = insert_ignore(
        WhatsAppInbound,
        {
            "store_id": store.id,
            "wamid": wamid,
            "customer_id": invitation.customer_id if invitation else (customers[0].id if customers else None),
            "invitation_id": invitation.id if invitation else None,
            "kind": kind,
            "body": text,
            "received_at": utcnow(),
        },
        ["wamid"],
    )
    if new is None:
        return "duplicates"
    if kind == "reply":
        return "replies"
    _unsubscribe(store, customers, phones)
    locale = (invitation.locale if invitation else None) or (customers[0].locale if customers else None)
    with force_locale(locale or store.locale):
        confirmation = gettext("Done: %(store)s will not write to you on WhatsApp again. Thank you.", store=store.name)
    queue_text(store, "+" + "".join(ch for ch in sender if "0" <= ch <= "9"), confirmation, kind="wa_confirm")
    return "unsubscribed"


def _latest_invitation(customer_ids: list[int]) -> Invitation | None:
    if not customer_ids:
        return None
    return db.session.scalar(
        select(Invitation)
        .where(Invitation.customer_id.in_(customer_ids), Invitation.channel == "whatsapp")
        .order_by(Invitation.sent_at.desc().nulls_last(), Invitation.id.desc())
        .limit(1)
    )


def _unsubscribe(store: Store, customers: list[Customer], phones: list[str]) -> None:
    """Every customer of the store with this number leaves WhatsApp. Their WhatsApp messages
    still waiting are not sent; an invitation among them goes by email when the store allows."""
    now = utcnow()
    for customer in customers:
        customer.whatsapp_unsubscribed_at = customer.whatsapp_unsubscribed_at or now
    waiting = db.session.scalars(
        select(OutboxMessage).where(
            in_store(OutboxMessage, store),
            OutboxMessage.channel == "whatsapp",
            OutboxMessage.recipient.in_(phones),
            OutboxMessage.status == "pending",
            OutboxMessage.kind.in_(tuple(KINDS.values())),
        )
    ).all()
    channel = get_channel(store)
    for msg in waiting:
        msg.status, msg.last_error = "failed", "customer unsubscribed from WhatsApp"
        if msg.invitation_id and msg.kind == KINDS["invitation"]:
            record_failure(db.session.get(Invitation, msg.invitation_id), channel, msg.last_error, now)
