"""Invitations over WhatsApp through the same outbox and worker as email.

Which channel: the store's policy (email · whatsapp_first · whatsapp_only) and the
customer (a phone, the shop's record of opt-in, no "BAJA"). A WhatsApp invitation is an
outbox row holding the Cloud API request (the approved template, the survey token as the
URL button's suffix); the worker leases it like mail, retries throttling, 5xx and timeouts
with backoff, and on a permanent failure (or a later webhook status ``failed``) sends the
email instead, once, when the policy allows. The unique (invitation, kind) rows make
"once" a constraint, not a check.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from datetime import datetime

from flask_babel import force_locale, gettext
from sqlalchemy import or_, update

from ...extensions import db
from ...models import Customer, Invitation, OutboxMessage, Store, StoreWhatsApp, utcnow
from ...reading.clock import ShopClock
from .. import mail
from ..invitation_mail import queue_invitation_mail
from ..tokens import issue_token
from . import cloud
from .settings import credentials, get_channel

log = logging.getLogger("surveys.whatsapp")

KINDS = {"invitation": "wa_invitation", "reminder": "wa_reminder"}
STATE_RANK = {"queued": 0, "sent": 1, "delivered": 2, "read": 3}


class Channels:
    """The stores' WhatsApp settings, read once per dispatch pass."""

    def __init__(self):
        self._by_store: dict[int, StoreWhatsApp | None] = {}

    def of(self, store: Store) -> StoreWhatsApp | None:
        if store.id not in self._by_store:
            self._by_store[store.id] = get_channel(store)
        return self._by_store[store.id]


def reachable(customer: Customer) -> bool:
    """A number, the customer's opt-in, and no unsubscribe from WhatsApp."""
    return bool(customer.phone and customer.whatsapp_opt_in and customer.whatsapp_unsubscribed_at is None)


def choose_channel(channel: StoreWhatsApp | None, customer: Customer) -> str | None:
    """'whatsapp', 'email', or None when the store sends on WhatsApp only and cannot here."""
    policy = channel.policy if channel else "email"
    if policy == "email":
        return "email"
    if reachable(customer) and channel.template_for("es"):
        return "whatsapp"
    return "email" if policy == "whatsapp_first" else None


def _param(value: str | None, fallback: str) -> str:
    """Template parameters may not hold line breaks, tabs or runs of spaces."""
    text = re.sub(r"\s+", " ", value or "").strip()
    return (text or fallback)[:200]


def queue_template(channel: StoreWhatsApp, invitation: Invitation, kind: str) -> OutboxMessage:
    """Add the template message for the invitation (or its reminder) to the outbox."""
    store, customer = invitation.store, invitation.customer
    name, code = channel.template_for(invitation.locale)
    products = [item.display_name for item in invitation.order.items]
    with force_locale(invitation.locale):
        params = [
            _param(customer.first_name, gettext("customer")),
            _param(store.name, store.slug),
            _param(products[0] if products else None, gettext("your order")),
        ]
    body = cloud.template_body(
        customer.phone.lstrip("+"), name, code, params, issue_token("survey", invitation.public_id)
    )
    row = OutboxMessage(
        store_id=store.id,
        invitation_id=invitation.id,
        kind=KINDS[kind],
        channel="whatsapp",
        sender=channel.phone_number_id or "",
        recipient=customer.phone,
        message_id=f"<wa.{secrets.token_hex(12)}@postventa>",
        raw=json.dumps(body, ensure_ascii=False),
        next_attempt_at=utcnow(),
    )
    db.session.add(row)
    if kind == "invitation":
        invitation.wa_state, invitation.wa_updated_at = "queued", utcnow()
    return row


def queue_text(store: Store, phone: str, text: str, kind: str = "wa_reply") -> OutboxMessage | None:
    """A plain text answer to a customer who just wrote (inside the 24-hour window)."""
    channel = get_channel(store)
    if channel is None or not channel.phone_number_id:
        return None
    row = OutboxMessage(
        store_id=store.id,
        invitation_id=None,
        kind=kind,
        channel="whatsapp",
        sender=channel.phone_number_id,
        recipient=phone,
        message_id=f"<wa.{secrets.token_hex(12)}@postventa>",
        raw=json.dumps(cloud.text_body(phone.lstrip("+"), text), ensure_ascii=False),
        next_attempt_at=utcnow(),
    )
    db.session.add(row)
    return row


# -- delivery (worker) --------------------------------------------------------------------


def deliver(msg: OutboxMessage, now: datetime | None = None) -> str:
    """Send one leased WhatsApp row; return 'delivered', 'retry' or 'failed'.

    The caller commits. A permanent failure of an invitation falls back to email (once,
    when the store's policy allows) in the same transaction.
    """
    now = now or utcnow()
    channel = get_channel(db.session.get(Store, msg.store_id))
    try:
        if channel is None or channel.access_token_enc is None or channel.phone_number_id is None:
            raise cloud.CloudError(None, "the store's WhatsApp channel is not set up", transient=False)
        wamid = cloud.send(credentials(channel), json.loads(msg.raw))
    except cloud.CloudError as exc:
        return _failed(channel, msg, exc, now)
    if mail.mark_sent(msg, now) is False:  # our claim was taken over meanwhile: record nothing
        return "lost"
    msg.provider_id = wamid
    if msg.invitation_id and msg.kind == KINDS["invitation"]:
        _set_state(msg.invitation_id, "sent", None, now)
    return "delivered"


def _failed(channel, msg: OutboxMessage, exc: cloud.CloudError, now: datetime) -> str:
    failure = mail.TransientFailure(str(exc)) if exc.transient else mail.PermanentFailure(str(exc), bounce=False)
    status = mail.mark_failed(msg, failure, now)
    if status is None:
        return "lost"
    log.warning("whatsapp %s for outbox #%s: %s", status, msg.id, exc)
    if status == "pending":
        return "retry"
    if msg.invitation_id and msg.kind == KINDS["invitation"]:
        record_failure(db.session.get(Invitation, msg.invitation_id), channel, str(exc), now)
    return "failed"


def _set_state(invitation_id: int, state: str, error: str | None, now: datetime) -> None:
    db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id, or_(Invitation.wa_state == "queued", Invitation.wa_state.is_(None)))
        .values(wa_state=state, wa_error=error, wa_updated_at=now)
        .execution_options(synchronize_session=False)
    )


def record_failure(invitation: Invitation, channel: StoreWhatsApp | None, error: str, now: datetime) -> str:
    """The WhatsApp invitation will not arrive: email it instead when the policy allows
    (once), else mark the invitation undeliverable. Returns 'fallback', 'bounced' or 'noop'."""
    invitation.wa_state, invitation.wa_error, invitation.wa_updated_at = "failed", error[:300], now
    if invitation.fell_back_at is not None or invitation.status != "sent":
        return "noop"
    policy = channel.policy if channel else "email"
    customer = invitation.customer
    if policy == "whatsapp_only" or customer.unsubscribed_at or customer.bounced_at:
        moved = db.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.status == "sent", Invitation.fell_back_at.is_(None))
            .values(status="bounced", reminder_due_at=None)
            .execution_options(synchronize_session="fetch")
        ).rowcount
        return "bounced" if moved else "noop"
    moved = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.fell_back_at.is_(None))
        .values(fell_back_at=now, channel="email")
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if not moved:
        return "noop"
    row = queue_invitation_mail(invitation, "invitation")
    row.next_attempt_at = ShopClock.of(invitation.store).next_send_time(now)  # the store's hours hold for both channels
    return "fallback"


def advance_state(invitation: Invitation, state: str, now: datetime) -> bool:
    """Move the delivery state forward only (webhooks arrive late and out of order)."""
    current = invitation.wa_state
    if current == "failed" or STATE_RANK.get(state, -1) <= STATE_RANK.get(current or "queued", 0):
        return False
    invitation.wa_state, invitation.wa_updated_at = state, now
    return True
