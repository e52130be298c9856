"""Typed SQLAlchemy 2 models, one module per aggregate. Every row that belongs to a shop carries ``store_id``.

Import from here (``from surveys.models import Store``): the modules below are the layout,
this package is the interface.
"""

from .accounts import SURVEY_KINDS, ApiKey, Membership, StaffInvitation, StaffUser, Store, new_feed_key
from .audit import AuditEntry, PrivacyRequest
from .base import MAX_ROW_ID, UTCDateTime, new_public_id, utcnow
from .counters import InvitationDayCount, ResponseDayCount
from .orders import ERASED_PREFIX, Customer, IdempotencyRecord, Order, OrderItem, Product, WebhookEvent
from .outbox import OutboundEvent, OutboxMessage, WorkFailure
from .recovery import RESOLUTIONS, TASK_REASONS, TASK_STATES, Task, TaskEvent
from .reviews import REJECT_REASONS, REVIEW_STATES, ProductRating, Review, ReviewPhoto, ReviewTombstone
from .surveys import INVITATION_STATES, Invitation, Response
from .whatsapp import CHANNEL_POLICIES, StoreWhatsApp, WhatsAppInbound

__all__ = [
    "CHANNEL_POLICIES",
    "ERASED_PREFIX",
    "INVITATION_STATES",
    "MAX_ROW_ID",
    "REJECT_REASONS",
    "RESOLUTIONS",
    "REVIEW_STATES",
    "SURVEY_KINDS",
    "TASK_REASONS",
    "TASK_STATES",
    "ApiKey",
    "AuditEntry",
    "Customer",
    "IdempotencyRecord",
    "Invitation",
    "InvitationDayCount",
    "Membership",
    "OrderItem",
    "Order",
    "OutboundEvent",
    "OutboxMessage",
    "PrivacyRequest",
    "Product",
    "ProductRating",
    "Response",
    "ResponseDayCount",
    "Review",
    "ReviewPhoto",
    "ReviewTombstone",
    "StaffInvitation",
    "StaffUser",
    "Store",
    "StoreWhatsApp",
    "Task",
    "TaskEvent",
    "UTCDateTime",
    "WebhookEvent",
    "WorkFailure",
    "WhatsAppInbound",
    "new_feed_key",
    "new_public_id",
    "utcnow",
]
