"""GDPR access and erasure per customer and store, platform privacy requests, retention.

Erasure rule: the customer's email and name are replaced by a salted hash that
only serves as a suppression (a later delivery for the same address is matched
by hash, stores nothing new and is never mailed); comments and their analysis
and the staff's notes on the customer's tasks are deleted; scores and task outcomes
stay, anonymous, so the store's NPS and recovery history do not change; the customer's
open tasks are closed ("customer erased": nobody is left to contact, no alert goes out);
queued and sent mail copies are deleted, and the dispatcher drops any that slipped through;
signed links stop working.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, func, or_, select, update

from ..extensions import db
from ..models import (
    ERASED_PREFIX,
    Customer,
    Invitation,
    Order,
    OutboxMessage,
    PrivacyRequest,
    Response,
    Store,
    Task,
    TaskEvent,
    WebhookEvent,
    WhatsAppInbound,
    utcnow,
)
from . import audit, failures, mail, privacy_export, recovery, reviews
from .phones import sender_candidates
from .scope import in_store, scoped


def email_hash(store: Store, email: str) -> str:
    return email_hash_for(store.id, email)


def email_hash_for(store_id: int, email: str) -> str:
    return hashlib.sha256(f"{store_id}:{email.strip().lower()}".encode()).hexdigest()


def erased_marker(store: Store, email: str) -> str:
    return ERASED_PREFIX + email_hash(store, email)


def find_customer(store: Store, email: str) -> Customer | None:
    email = email.strip().lower()
    return db.session.scalar(scoped(select(Customer), store).where(Customer.email == email))


def export_customer(store: Store, email: str) -> dict:
    """Everything held about ``email`` in ``store`` (GDPR access; see privacy_export)."""
    customer = find_customer(store, email)
    if customer is None:
        return {"store": store.slug, "email": email.strip().lower(), "found": False}
    return privacy_export.customer_data(store, customer)


def erase_customer(store: Store, email: str, source: str = "cli") -> dict:
    """Anonymise one customer (see the module docstring); idempotent."""
    customer = find_customer(store, email)
    marker = erased_marker(store, email)
    counts = {"customer": 0, "comments": 0, "emails": 0, "tasks": 0}
    if customer is not None:
        counts["customer"] = 1
        counts["emails"] = _erase_customer_row(store, customer, marker)
        counts["comments"] = _erase_responses(customer)
        counts["tasks"] = _close_tasks(store, customer)
    db.session.add(
        PrivacyRequest(
            store_id=store.id,
            kind="erase",
            source=source,
            email_hash=email_hash(store, email),
            status="done",
            completed_at=utcnow(),
        )
    )
    db.session.flush()
    return counts


def _erase_customer_row(store: Store, customer: Customer, marker: str) -> int:
    inv_ids = select(Invitation.id).where(Invitation.customer_id == customer.id)
    # Mail and WhatsApp copies (a reply to a Mexican sender goes to the 521... form of the number;
    # mail to an internationalised domain is addressed to its ASCII form).
    recipients = [customer.email, *_ascii_forms(customer.email)]
    recipients += sender_candidates(customer.phone) if customer.phone else []
    emails = db.session.execute(
        delete(OutboxMessage).where(
            in_store(OutboxMessage, store),
            OutboxMessage.recipient.in_(recipients) | OutboxMessage.invitation_id.in_(inv_ids),
        )
    ).rowcount
    emails += _erase_task_alerts(store, customer)
    db.session.execute(delete(WhatsAppInbound).where(WhatsAppInbound.customer_id == customer.id))
    for invitation in db.session.scalars(select(Invitation).where(Invitation.customer_id == customer.id)):
        invitation.public_id = secrets.token_urlsafe(12)  # every signed link stops resolving
        invitation.reminder_due_at = None
        if invitation.status == "scheduled":
            invitation.status, invitation.suppressed_reason, invitation.send_at = "suppressed", "erased", None
    db.session.execute(
        update(WebhookEvent)
        .where(
            in_store(WebhookEvent, store),
            WebhookEvent.status == "pending",
            WebhookEvent.order_ref.in_(select(Order.order_ref).where(Order.customer_id == customer.id)),
        )
        .values(data={})
    )
    customer.email, customer.name = marker, None
    customer.phone, customer.whatsapp_opt_in = None, False
    customer.unsubscribed_at = customer.unsubscribed_at or utcnow()
    return emails


def _erase_responses(customer: Customer) -> int:
    """Comments, their analysis and what staff wrote about the customer go; scores stay."""
    response_ids = select(Response.id).where(
        Response.invitation_id.in_(select(Invitation.id).where(Invitation.customer_id == customer.id))
    )
    task_ids = select(Task.id).where(Task.response_id.in_(response_ids))
    reviews.delete_for_responses(response_ids)
    db.session.execute(update(TaskEvent).where(TaskEvent.task_id.in_(task_ids)).values(body=None))
    db.session.execute(update(Task).where(Task.id.in_(task_ids)).values(dismiss_reason=None, coupon_code=None))
    return db.session.execute(
        update(Response)
        .where(Response.invitation_id.in_(select(Invitation.id).where(Invitation.customer_id == customer.id)))
        .values(
            comment=None,
            language=None,
            sentiment_label=None,
            polarity=None,
            sentiment_confidence=None,
            topics=[],
            topic_polarity={},
            flags=[],
            updated_at=utcnow(),
        )
    ).rowcount


def _erase_task_alerts(store: Store, customer: Customer) -> int:
    """The team's alerts about the customer's tasks carry their name and address: deleted,
    queued or sent, like every other copy."""
    task_ids = db.session.scalars(
        select(Task.id)
        .join(Response, Response.id == Task.response_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .where(in_store(Task, store), Invitation.customer_id == customer.id)
    ).all()
    if not task_ids:
        return 0
    about = or_(*(OutboxMessage.raw.contains(mail.task_header_line(i), autoescape=True) for i in task_ids))
    return db.session.execute(
        delete(OutboxMessage).where(in_store(OutboxMessage, store), OutboxMessage.kind.startswith("alert-"), about)
    ).rowcount


def _ascii_forms(email: str) -> list[str]:
    try:
        return [mail.ascii_address(email)]
    except ValueError:
        return []


def _close_tasks(store: Store, customer: Customer) -> int:
    """Open work on an erased customer cannot be done (nobody is left to write to): each open or
    contacted task is dismissed as "customer erased", on its timeline and in the audit log."""
    tasks = db.session.scalars(
        select(Task)
        .join(Response, Response.id == Task.response_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .where(in_store(Task, store), Invitation.customer_id == customer.id)
        .order_by(Task.id)
    ).all()
    closed = [task for task in tasks if recovery.close_for_erasure(task)]
    for task in closed:
        audit.record(store.id, None, "task_closed_erased", "task", task.id)
    return len(closed)


def drop_mail_to_erased(batch: list[OutboxMessage]) -> list[OutboxMessage]:
    """The claimed messages that may go out; an email queued for an erased customer (a race with
    the erasure, an address written another way) is deleted under our claim, never sent."""
    emails = [m for m in batch if m.channel == "email"]
    if not emails:
        return batch
    markers = {m.id: ERASED_PREFIX + email_hash_for(m.store_id, m.recipient) for m in emails}
    erased = set(
        db.session.execute(
            select(Customer.store_id, Customer.email).where(
                Customer.store_id.in_({m.store_id for m in emails}), Customer.email.in_(set(markers.values()))
            )
        ).all()
    )
    dropped = [m for m in emails if (m.store_id, markers[m.id]) in erased]
    for msg in dropped:
        db.session.execute(
            delete(OutboxMessage).where(OutboxMessage.id == msg.id, OutboxMessage.claim_token == msg.claim_token)
        )
    return [m for m in batch if m not in dropped]


def erase_store_customers(store: Store, source: str) -> int:
    """Erase every customer of a store (Shopify shop/redact)."""
    customers = db.session.scalars(
        scoped(select(Customer), store).where(~Customer.email.startswith(ERASED_PREFIX))
    ).all()
    for customer in customers:
        erase_customer(store, customer.email, source)
    return len(customers)


def apply_retention(now=None, limit: int = 200) -> int:
    """Erase customers whose newest order is older than their store's retention period.

    Each store and each customer is handled on its own: one that fails is rolled back
    alone, retried later and parked as dead, and the others are still erased."""
    now = now or utcnow()
    erased = {"count": 0}
    stores = failures.RowGuard("retention_store")
    customers = failures.RowGuard("retention")
    for store in db.session.scalars(select(Store).where(~failures.blocked("retention_store", Store.id, now))):
        stores.run(
            store.id,
            store.id,
            lambda store=store: _retain_store(store, now, limit, customers, erased),
            lambda store=store: store.slug,
        )
    return erased["count"]


def _retain_store(store: Store, now, limit: int, guard, erased: dict) -> None:
    cutoff = now - timedelta(days=store.retention_days)
    newest = (
        select(Order.customer_id, func.max(Order.created_at).label("last"))
        .where(in_store(Order, store))
        .group_by(Order.customer_id)
        .subquery()
    )
    stale = db.session.scalars(
        select(Customer)
        .join(newest, newest.c.customer_id == Customer.id)
        .where(
            newest.c.last < cutoff,
            ~Customer.email.startswith(ERASED_PREFIX),
            ~failures.blocked("retention", Customer.id, now),
        )
        .limit(limit)
    ).all()
    for customer in stale:
        if guard.run(
            customer.id,
            store.id,
            lambda customer=customer: erase_customer(store, customer.email, "retention"),
            lambda customer=customer: f"#{customer.id}",
        ):
            erased["count"] += 1


# -- Shopify's mandatory privacy webhooks ---------------------------------------------------


def is_shopify_privacy_body(body: dict) -> bool:
    keys = set(body)
    return "data_request" in keys or "orders_to_redact" in keys or (keys and keys <= {"shop_id", "shop_domain"})


def record_shopify_request(store: Store, body: dict) -> str:
    """customers/data_request -> an open export request; customers/redact, shop/redact -> erased now."""
    customer = body.get("customer") if isinstance(body.get("customer"), dict) else {}
    email = customer.get("email") if isinstance(customer.get("email"), str) else None
    if "data_request" in body:
        if email:
            db.session.add(
                PrivacyRequest(
                    store_id=store.id,
                    kind="export",
                    source="shopify",
                    email=email.lower(),
                    email_hash=email_hash(store, email),
                )
            )
        return "export_requested"
    if "orders_to_redact" in body:
        if email:
            erase_customer(store, email, "shopify")
        return "erased"
    erase_store_customers(store, "shopify")
    return "shop_erased"
