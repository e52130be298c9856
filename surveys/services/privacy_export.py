"""GDPR access: everything held about one customer in one store, as plain JSON values.

It covers what erasure removes: the answers and reviews (photos as links an admin of the store
can open while signed in, with size and checksum, not inlined), the recovery task with its
outcome, coupon, follow-up answer and timeline, the mail and WhatsApp messages written to the
customer (subject and text as sent), WhatsApp messages they sent, and the team's alerts about them.
"""

from __future__ import annotations

import email
import email.policy
import json

from flask import current_app
from sqlalchemy import or_, select

from ..extensions import db
from ..models import (
    Customer,
    Invitation,
    Order,
    OutboxMessage,
    Response,
    Review,
    ReviewPhoto,
    Store,
    Task,
    TaskEvent,
    WhatsAppInbound,
)
from . import mail
from .phones import sender_candidates
from .scope import in_store

# Timeline entries whose text is not about the customer: "assigned" names a staff member.
_STAFF_TEXT = {"assigned"}


def _when(value):
    return value.isoformat() if value else None


def customer_data(store: Store, customer: Customer) -> dict:
    """The export of a customer found in ``store`` (see the module docstring)."""
    orders = db.session.scalars(select(Order).where(Order.customer_id == customer.id).order_by(Order.id)).all()
    invitations = {
        i.order_id: i for i in db.session.scalars(select(Invitation).where(Invitation.customer_id == customer.id))
    }
    responses = {
        r.invitation_id: r
        for r in db.session.scalars(
            select(Response).where(Response.invitation_id.in_([i.id for i in invitations.values()]))
        )
    }
    tasks = {
        t.response_id: t
        for t in db.session.scalars(select(Task).where(Task.response_id.in_([r.id for r in responses.values()])))
    }
    out_orders = []
    for order in orders:
        inv = invitations.get(order.id)
        resp = responses.get(inv.id) if inv else None
        out_orders.append(
            {
                "order_id": order.order_ref,
                "delivered_at": _when(order.delivered_at),
                "status": order.status,
                "items": [{"sku": i.product.sku, "name": i.display_name} for i in order.items],
                "invitation": inv
                and {
                    "status": inv.status,
                    "sent_at": _when(inv.sent_at),
                    "reminder_sent_at": _when(inv.reminder_sent_at),
                    "answered_at": _when(inv.answered_at),
                },
                "response": resp and _response(resp),
                "task": _task(tasks[resp.id]) if resp and resp.id in tasks else None,
            }
        )
    return {
        "store": store.slug,
        "found": True,
        "customer": {
            "email": customer.email,
            "name": customer.name,
            "phone": customer.phone,
            "whatsapp_opt_in": customer.whatsapp_opt_in,
            "locale": customer.locale,
            "created_at": _when(customer.created_at),
            "unsubscribed_at": _when(customer.unsubscribed_at),
            "bounced_at": _when(customer.bounced_at),
        },
        "orders": out_orders,
        "emails": [_message(m) for m in _mail_to(store, customer, list(invitations.values()))],
        "whatsapp_received": [
            {"kind": m.kind, "body": m.body, "received_at": _when(m.received_at)}
            for m in db.session.scalars(
                select(WhatsAppInbound).where(WhatsAppInbound.customer_id == customer.id).order_by(WhatsAppInbound.id)
            )
        ],
        "team_alerts": [
            {"kind": m.kind, "status": m.status, "sent_at": _when(m.sent_at), "subject": _parsed(m)[0]}
            for m in _alerts_about(store, [t.id for t in tasks.values()])
        ],
    }


def _response(resp: Response) -> dict:
    reviews = db.session.scalars(select(Review).where(Review.response_id == resp.id).order_by(Review.id)).all()
    photos: dict[int, list[ReviewPhoto]] = {}
    for photo in db.session.scalars(
        select(ReviewPhoto).where(ReviewPhoto.review_id.in_([r.id for r in reviews])).order_by(ReviewPhoto.position)
    ):
        photos.setdefault(photo.review_id, []).append(photo)
    base = current_app.config["BASE_URL"].rstrip("/")
    return {
        "nps": resp.nps,
        "csat": resp.csat,
        "comment": resp.comment,
        "language": resp.language,
        "sentiment": resp.sentiment_label,
        "topics": resp.topics,
        "created_at": _when(resp.created_at),
        "updated_at": _when(resp.updated_at),
        "reviews": [
            {
                "sku": r.product.sku,
                "rating": r.rating,
                "title": r.title,
                "body": r.body,
                "author": r.author,
                "published": r.status == "published",
                "status": r.status,
                "store_reply": r.reply_body,
                "created_at": _when(r.created_at),
                "photos": [
                    {
                        "url": f"{base}/staff/reviews/photos/{p.public_id}.jpg",
                        "content_type": p.content_type,
                        "width": p.width,
                        "height": p.height,
                        "size": p.size,
                        "sha256": p.sha256,
                        "hidden": p.hidden,
                        "created_at": _when(p.created_at),
                    }
                    for p in photos.get(r.id, [])
                ],
            }
            for r in reviews
        ],
    }


def _task(task: Task) -> dict:
    events = db.session.scalars(select(TaskEvent).where(TaskEvent.task_id == task.id).order_by(TaskEvent.id))
    return {
        "id": task.id,
        "reason": task.reason,
        "status": task.status,
        "opened_at": _when(task.created_at),
        "first_contact_at": _when(task.first_contact_at),
        "resolved_at": _when(task.resolved_at),
        "resolution": task.resolution,
        "coupon_code": task.coupon_code,
        "dismiss_reason": task.dismiss_reason,
        "followup": {"score": task.followup_score, "answered_at": _when(task.followup_at)},
        "timeline": [
            {"kind": e.kind, "at": _when(e.created_at), **({} if e.kind in _STAFF_TEXT else {"body": e.body})}
            for e in events
        ],
    }


def _mail_to(store: Store, customer: Customer, invitations: list[Invitation]) -> list[OutboxMessage]:
    """The same copies erasure deletes: to the address (or its ASCII form), the phone, or the orders."""
    recipients = [customer.email]
    try:
        recipients.append(mail.ascii_address(customer.email))
    except ValueError:
        pass
    recipients += sender_candidates(customer.phone) if customer.phone else []
    return db.session.scalars(
        select(OutboxMessage)
        .where(
            in_store(OutboxMessage, store),
            ~OutboxMessage.kind.startswith("alert-"),
            OutboxMessage.recipient.in_(recipients) | OutboxMessage.invitation_id.in_([i.id for i in invitations]),
        )
        .order_by(OutboxMessage.id)
    ).all()


def _alerts_about(store: Store, task_ids: list[int]) -> list[OutboxMessage]:
    if not task_ids:
        return []
    about = or_(*(OutboxMessage.raw.contains(mail.task_header_line(i), autoescape=True) for i in task_ids))
    return db.session.scalars(
        select(OutboxMessage)
        .where(in_store(OutboxMessage, store), OutboxMessage.kind.startswith("alert-"), about)
        .order_by(OutboxMessage.id)
    ).all()


def _parsed(msg: OutboxMessage) -> tuple[str | None, str | None]:
    """(subject, plain text) of a stored email; a WhatsApp row is its request body, as JSON text."""
    if msg.channel != "email":
        return None, msg.raw
    parsed = email.message_from_string(msg.raw, policy=email.policy.default)
    body = parsed.get_body(preferencelist=("plain",))
    text = body.get_content().replace("\r\n", "\n") if body is not None else None
    return str(parsed["Subject"] or ""), text


def _message(msg: OutboxMessage) -> dict:
    subject, text = _parsed(msg)
    if msg.channel != "email":
        try:
            text = json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return {
        "kind": msg.kind,
        "channel": msg.channel,
        "status": msg.status,
        "sent_at": _when(msg.sent_at),
        "message_id": msg.message_id,
        "subject": subject,
        "text": text,
    }
