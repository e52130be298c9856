"""Shopify and WooCommerce webhooks: verify, reduce to a milestone, persist, apply later.

The tenant is the store whose secret verifies the raw body; the order's state
comes from the signed body, never from the unsigned topic header. Only what the
product needs is kept (order id, email, first name, locale, phone and WhatsApp
consent, items): no addresses or prices.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime, timedelta

from sqlalchemy import select

from .. import parsing
from ..errors import ValidationFailed
from ..extensions import db
from ..models import Invitation, Order, Store, WebhookEvent, utcnow
from ..schemas import GTIN, HTTP_URL
from . import failures, intake
from .db_util import insert_ignore
from .invitations import compute_send_at
from .scope import scoped

MILESTONES = ("delivered", "fulfilled", "cancelled")


def signature_valid(store: Store, raw: bytes, header: str | None) -> bool:
    """Base64 HMAC-SHA256 of the raw body with the store's current or previous secret."""
    if not header:
        return False
    for secret in (store.webhook_secret, store.webhook_secret_previous):
        if secret:
            expected = base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()
            if hmac.compare_digest(expected, header.strip()):
                return True
    return False


def _when(value, fallback: datetime | None = None) -> datetime:
    """Platform timestamps: ISO 8601 from 2000 to a day ahead; WooCommerce *_gmt values come
    without an offset (UTC). A missing one is "now"; a malformed one refuses the whole body."""
    if value is None or value == "":
        return fallback or utcnow()
    try:
        return parsing.timestamp(value, latest=utcnow() + timedelta(days=1), naive_is_utc=True)
    except parsing.Invalid as exc:
        raise ValidationFailed(str(exc), {"timestamp": str(exc)}) from None


def _product_details(line: dict) -> dict:
    """Optional product details a platform sends (Shopify ``vendor``; WooCommerce ``image.src``
    and ``global_unique_id``). A value that would not pass intake is left out, never the delivery."""
    image = line.get("image") if isinstance(line.get("image"), dict) else {}
    found = {"brand": line.get("vendor"), "image_url": image.get("src"), "gtin": line.get("global_unique_id")}
    details = {}
    for name, value in found.items():
        value = value.strip() if isinstance(value, str) else ""
        if not value or len(value) > (2048 if name == "image_url" else 70) or "\n" in value or "\r" in value:
            continue
        if name == "image_url" and not re.match(HTTP_URL, value):
            continue
        if name == "gtin" and not (re.match(GTIN, value) and intake.gtin_check_digit_ok(value)):
            continue
        details[name] = value
    return details


def _items(lines) -> list[dict]:
    items = []
    for line in lines if isinstance(lines, list) else []:
        if not isinstance(line, dict):
            continue
        sku = str(line.get("sku") or line.get("variant_id") or line.get("product_id") or "").strip()[:64]
        name = str(line.get("title") or line.get("name") or sku).strip()[:200]
        if sku and name:
            items.append({"sku": sku, "name": name, **_product_details(line)})
    return items


def _customer(email, first, last, locale, phone=None, opt_in=None) -> dict:
    name = " ".join(p for p in (first, last) if isinstance(p, str) and p.strip()).strip() or None
    out = {
        "email": email if isinstance(email, str) else None,
        "name": name,
        "locale": locale if isinstance(locale, str) else None,
    }
    if isinstance(phone, str) and phone.strip():
        out["phone"] = phone.strip()[:40]
    if opt_in is not None:
        out["whatsapp_opt_in"] = opt_in
    return out


def _first_phone(*candidates) -> str | None:
    return next((p for p in candidates if isinstance(p, str) and p.strip()), None)


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _truthy(value) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "si", "sí", "on"))


def _whatsapp_attribute(pairs, name_key: str) -> bool | None:
    """An explicit WhatsApp consent in a list of name/value pairs (Shopify note attributes,
    WooCommerce meta data), as a checkout opt-in field stores it."""
    for pair in pairs if isinstance(pairs, list) else []:
        name = str(_dict(pair).get(name_key) or "").lower()
        if "whatsapp" in name and ("opt" in name or "consent" in name):
            return _truthy(_dict(pair).get("value"))
    return None


def shopify_opt_in(body: dict, customer: dict) -> bool | None:
    """WhatsApp consent from a Shopify order: an explicit whatsapp opt-in attribute, else the
    customer's phone (SMS) marketing consent, Shopify's consent for messages to the phone."""
    explicit = _whatsapp_attribute(body.get("note_attributes"), "name")
    if explicit is not None:
        return explicit
    consent = _dict(customer.get("sms_marketing_consent") or body.get("sms_marketing_consent"))
    if consent.get("state"):
        return consent["state"] == "subscribed"
    return None


def shopify_events(body: dict) -> list[tuple[str, str, datetime, dict]]:
    """(order_ref, milestone, occurred_at, data) found in a Shopify order, fulfillment or refund body."""
    if "order_id" in body and "refund_line_items" in body:  # refunds/create: the order is not surveyed
        return [(str(body["order_id"]), "cancelled", _when(body.get("processed_at") or body.get("created_at")), {})]
    if "order_id" in body and ("shipment_status" in body or "tracking_number" in body or "status" in body):
        order_ref = str(body["order_id"])
        dest = body.get("destination") if isinstance(body.get("destination"), dict) else {}
        data = {
            "customer": _customer(
                body.get("email"), dest.get("first_name"), dest.get("last_name"), None, _first_phone(dest.get("phone"))
            ),
            "items": _items(body.get("line_items")),
        }
        if body.get("shipment_status") == "delivered":
            return [(order_ref, "delivered", _when(body.get("updated_at")), data)]
        if body.get("status") in ("success", None):
            return [(order_ref, "fulfilled", _when(body.get("created_at")), data)]
        return []
    if "line_items" in body and "id" in body:
        order_ref = str(body["id"])
        cust = body.get("customer") if isinstance(body.get("customer"), dict) else {}
        data = {
            "customer": _customer(
                body.get("email") or cust.get("email"),
                cust.get("first_name"),
                cust.get("last_name"),
                body.get("customer_locale"),
                _first_phone(cust.get("phone"), body.get("phone"), _dict(body.get("shipping_address")).get("phone")),
                shopify_opt_in(body, cust),
            ),
            "items": _items(body.get("line_items")),
        }
        if body.get("cancelled_at") or body.get("financial_status") in ("refunded", "voided"):
            return [(order_ref, "cancelled", _when(body.get("cancelled_at") or body.get("updated_at")), {})]
        if body.get("fulfillment_status") == "fulfilled":
            return [(order_ref, "fulfilled", _when(body.get("updated_at")), data)]
    return []


def woocommerce_events(body: dict) -> list[tuple[str, str, datetime, dict]]:
    """Order status completed -> delivered; cancelled/refunded -> cancelled."""
    if "id" not in body or "status" not in body:
        return []
    order_ref = str(body["id"])
    billing = body.get("billing") if isinstance(body.get("billing"), dict) else {}
    status = body.get("status")
    if status == "completed":
        data = {
            "customer": _customer(
                billing.get("email"),
                billing.get("first_name"),
                billing.get("last_name"),
                None,
                _first_phone(billing.get("phone"), _dict(body.get("shipping")).get("phone")),
                _whatsapp_attribute(body.get("meta_data"), "key"),
            ),
            "items": _items(body.get("line_items")),
        }
        return [(order_ref, "delivered", _when(body.get("date_completed_gmt") or body.get("date_modified_gmt")), data)]
    if status in ("cancelled", "refunded"):
        return [(order_ref, "cancelled", _when(body.get("date_modified_gmt")), {})]
    return []


def check_customer_emails(events) -> None:
    """Refuse, before anything is stored, an event whose customer address cannot be mailed
    (the same rule as the API and CSV); a good one is kept in its normalised ASCII form."""
    errors: dict[str, str] = {}
    for _, _, _, data in events:
        customer = data.get("customer") if isinstance(data, dict) else None
        if isinstance(customer, dict) and customer.get("email"):
            email = intake.normalize_email(customer["email"], "customer.email", errors)
            if email:
                customer["email"] = email
    if errors:
        raise ValidationFailed("the customer's email address cannot be used", errors)


def record_events(store: Store, source: str, events) -> list[str]:
    """Persist events; returns 'queued' or 'duplicate' for each, in order. Nothing is
    stored when a customer address is refused (ValidationFailed)."""
    check_customer_emails(events)
    out = []
    for order_ref, milestone, occurred_at, data in events:
        new = insert_ignore(
            WebhookEvent,
            {
                "store_id": store.id,
                "source": source,
                "order_ref": order_ref[:64],
                "milestone": milestone,
                "occurred_at": occurred_at,
                "data": data,
                "status": "pending",
                "created_at": utcnow(),
            },
            ["store_id", "source", "order_ref", "milestone"],
        )
        out.append("queued" if new else "duplicate")
    return out


def apply_pending_events(limit: int = 200) -> int:
    """Turn queued events into deliveries, schedule moves and withdrawals (worker).

    Each event is applied on its own: one that fails (a date no calendar holds, say) is
    rolled back alone, retried later and parked as dead, and the others go through."""
    now = utcnow()
    events = db.session.scalars(
        select(WebhookEvent)
        .where(WebhookEvent.status == "pending", ~failures.blocked("platform_event", WebhookEvent.id, now))
        .order_by(WebhookEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    guard = failures.RowGuard("platform_event")
    for event in events:
        guard.run(
            event.id,
            event.store_id,
            lambda event=event: _apply_event(event),
            lambda event=event: event.order_ref,
        )
    db.session.flush()
    return len(events)


def _apply_event(event: WebhookEvent) -> None:
    store = db.session.get(Store, event.store_id)
    event.outcome = _apply(store, event)
    event.status, event.processed_at = "processed", utcnow()
    event.data = {}  # the order now holds what we keep; drop the copy
    db.session.flush()


def _apply(store: Store, event: WebhookEvent) -> str:
    order = db.session.scalar(scoped(select(Order), store).where(Order.order_ref == event.order_ref))
    if event.milestone == "cancelled":
        if order is None:
            return "cancel before delivery: nothing to withdraw"
        return "withdrawn: " + intake.cancel_delivery(store, event.order_ref)["status"]
    if order is not None:
        return _move_send_time(store, order, event)
    delivered_at = event.occurred_at
    if event.milestone == "fulfilled":  # shipped, not delivered: assume the store's transit time
        delivered_at = event.occurred_at + timedelta(days=store.fallback_transit_days)
    payload = {
        "order_id": event.order_ref,
        "delivered_at": min(delivered_at, utcnow()).isoformat(),
        "customer": event.data.get("customer") or {},
        "items": event.data.get("items") or [],
    }
    try:
        delivery, note = _validated(store, payload)
        result, _ = intake.record_delivery(store, delivery, source=event.source)
    except ValidationFailed as exc:
        return "rejected: " + ", ".join(f"{k} {v}" for k, v in exc.fields.items())[:180]
    if event.milestone == "fulfilled" and delivered_at > utcnow():
        _reschedule(store, db.session.get(Order, result["id"]), delivered_at)
    return f"{result['status']}{note}"


def _validated(store: Store, payload: dict) -> tuple[intake.Delivery, str]:
    """A platform order whose only fault is the phone is still surveyed by email: the
    phone is left out and the event's outcome says why (a shop cannot fix a resent webhook)."""
    country = intake.country_reader(store)
    try:
        return intake.validate_delivery(payload, country), ""
    except ValidationFailed as exc:
        if set(exc.fields) != {"customer.phone"}:
            raise
        payload["customer"] = {k: v for k, v in payload["customer"].items() if k != "phone"}
        return intake.validate_delivery(payload, country), f"; phone ignored: {exc.fields['customer.phone']}"


def _move_send_time(store: Store, order: Order, event: WebhookEvent) -> str:
    """A delivered event after a fulfilled one moves the pending send time to the real delivery."""
    if event.milestone != "delivered":
        return "already known"
    return "moved" if _reschedule(store, order, event.occurred_at) else "already sent"


def _reschedule(store: Store, order: Order, delivered_at: datetime) -> bool:
    invitation = db.session.scalar(select(Invitation).where(Invitation.order_id == order.id))
    order.delivered_at = delivered_at
    if invitation is None or invitation.status != "scheduled":
        return False
    invitation.send_at = compute_send_at(store, delivered_at)
    return True
