"""Customer answers: opening a survey link, recording scores and comments, unsubscribing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..errors import AlreadyAnswered, SurveyClosed, TokenExpired, TokenInvalid, ValidationFailed
from ..extensions import db
from ..models import Customer, Invitation, Order, OutboxMessage, Response, utcnow
from ..reading.analysis import analyze_text, score_flags
from ..reading.scoring import nps_category
from . import outbound, reviews
from .recovery import sync_task
from .tokens import read_token

MAX_COMMENT = 5000
ANSWERABLE = ("sent", "bounced", "expired")  # statuses an answer moves to "answered"
# What every customer page shows of an invitation, loaded with it in one statement: the store,
# the customer, the order and its items with their products.
INVITATION_PAGE = (
    joinedload(Invitation.store),
    joinedload(Invitation.customer),
    joinedload(Invitation.order).joinedload(Order.items),
)


def open_invitation(purpose: str, token: str, now: datetime | None = None, enforce_lifetime: bool = True) -> Invitation:
    """Resolve a customer token to its invitation, or raise a token error.

    Bad, tampered and unknown tokens are indistinguishable (TokenInvalid);
    a token older than the store's lifetime is TokenExpired. Unsubscribe links
    keep working for the global maximum age (``enforce_lifetime=False``).
    """
    now = now or utcnow()
    public_id, issued_at = read_token(purpose, token)
    invitation = (
        db.session.scalars(select(Invitation).where(Invitation.public_id == public_id).options(*INVITATION_PAGE))
        .unique()
        .one_or_none()
    )
    if invitation is None:
        raise TokenInvalid()
    if enforce_lifetime and issued_at + timedelta(days=invitation.store.token_lifetime_days) < now:
        raise TokenExpired(store=invitation.store, locale=invitation.locale)
    return invitation


def check_open(invitation: Invitation, response: Response | None, now: datetime | None = None) -> None:
    """Raise unless the invitation can take (or still edit) an answer."""
    now = now or utcnow()
    if invitation.status in ("withdrawn", "suppressed", "scheduled"):
        raise SurveyClosed()
    if invitation.status == "expired" and response is None:
        raise TokenExpired(store=invitation.store, locale=invitation.locale)
    if response is not None and response.created_at + timedelta(hours=invitation.store.edit_window_hours) < now:
        raise AlreadyAnswered()


def find_response(invitation: Invitation) -> Response | None:
    return db.session.scalar(select(Response).where(Response.invitation_id == invitation.id))


@dataclass
class Answer:
    nps: int | None = None
    csat: int | None = None
    comment: str | None = None  # None: the field was not posted (kept); "": emptied (removed)
    reviews: dict[int, reviews.ReviewInput] = field(default_factory=dict)  # by product id
    display_name: str | None = None
    photo_refusals: dict[str, list] = field(default_factory=dict)  # field name -> photos.Upload refused


def _score(raw, low: int, high: int, field: str, errors: dict) -> int | None:
    if raw is None or str(raw).strip() == "":
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        errors[field] = "invalid"
        return None
    if not low <= value <= high:
        errors[field] = "out_of_range"
        return None
    return value


def parse_answer(invitation: Invitation, form, uploads: dict | None = None, refusals: dict | None = None) -> Answer:
    """Read scores, comment and reviews from a form mapping; ValidationFailed lists bad fields.

    ``uploads``: the request's photos, already decoded (photos.read_uploads). A refused photo
    is no field error: the rest of the answer is saved and the refusal shown beside its product;
    refusals are collected in ``refusals`` (by field name), also when ValidationFailed is raised."""
    store = invitation.store
    errors: dict[str, str] = {}
    answer = Answer(photo_refusals=refusals if refusals is not None else {})
    if store.asks_nps():
        answer.nps = _score(form.get("nps"), 0, 10, "nps", errors)
    if store.asks_csat():
        answer.csat = _score(form.get("csat"), 1, 5, "csat", errors)
    comment = form.get("comment")
    if comment is not None:
        comment = comment.replace("\x00", "").strip()
        if len(comment) > MAX_COMMENT:
            errors["comment"] = "too_long"
        answer.comment = comment
    answer.reviews, answer.display_name = reviews.parse_fields(
        [item.product for item in invitation.order.items], form, errors, uploads, answer.photo_refusals
    )
    if errors:
        raise ValidationFailed(_l("The answer has invalid fields."), errors)
    return answer


def analyze_comment(response: Response, hint: str | None) -> None:
    """Store the comment's reading (language, sentiment, topics) and the score/words flags."""
    result = analyze_text(response.comment, hint=hint) if response.comment else None
    response.language = result.language if result else None
    response.sentiment_label = result.label if result else None
    response.polarity = result.polarity if result else None
    response.sentiment_confidence = result.confidence if result else None
    response.topics = result.topics if result else []
    response.topic_polarity = result.topic_polarity if result else {}
    response.flags = score_flags(response.nps, response.csat, result)
    response.hidden_detractor = "hidden_detractor" in response.flags


def _locked_response(invitation: Invitation) -> Response | None:
    """The invitation's response, read afresh and locked for this transaction (PostgreSQL;
    SQLite's BEGIN IMMEDIATE already holds the write lock)."""
    return db.session.scalar(
        select(Response)
        .where(Response.invitation_id == invitation.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _apply(response: Response, answer: Answer, invitation: Invitation, now: datetime) -> None:
    if answer.nps is not None:
        response.nps, response.nps_category = answer.nps, nps_category(answer.nps)
    if answer.csat is not None:
        response.csat = answer.csat
    if answer.comment is not None:
        response.comment = answer.comment or None
    response.updated_at = now
    analyze_comment(response, hint=invitation.locale)


def submit_response(invitation: Invitation, answer: Answer, now: datetime | None = None) -> Response:
    """Create the invitation's single response, or update it within the edit window.

    One row per invitation is a unique constraint: of concurrent first posts one INSERT wins,
    and the others (a unique violation, rolled back to a savepoint) update the winner's row.
    The row is read once, locked; a first answer is one INSERT with everything in it.
    """
    now = now or utcnow()
    response = _locked_response(invitation)
    check_open(invitation, response, now)
    has_score = answer.nps is not None or answer.csat is not None
    if not has_score and (response is None or (response.nps is None and response.csat is None)):
        raise ValidationFailed(_l("Choose a score."), {"nps" if invitation.store.asks_nps() else "csat": "required"})
    created = False  # only the request that inserted the row announces it
    if response is None:
        fresh = Response(
            store_id=invitation.store_id,
            invitation_id=invitation.id,
            created_at=now,
            updated_at=now,
            hidden_detractor=False,
        )
        _apply(fresh, answer, invitation, now)
        try:
            with db.session.begin_nested():
                db.session.add(fresh)
            response, created = fresh, True
        except IntegrityError:  # another request answered first: update its row
            response = _locked_response(invitation)
    if not created:
        _apply(response, answer, invitation, now)
    db.session.flush()
    if answer.reviews:
        reviews.save_from_survey(response, invitation, answer.reviews, answer.display_name, now, answer.photo_refusals)
    sync_task(response, now)
    if created:
        outbound.emit(
            invitation.store,
            "response.created",
            {
                "response_id": response.id,
                "order_id": invitation.order.order_ref,
                "nps": response.nps,
                "csat": response.csat,
                "sentiment": response.sentiment_label,
                "topics": response.topics,
                "hidden_detractor": response.hidden_detractor,
            },
        )
    if invitation.status in ANSWERABLE:  # an answered invitation stays answered: nothing to write
        db.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.status.in_(ANSWERABLE))
            .values(status="answered", answered_at=now, reminder_due_at=None)
        )
    db.session.flush()
    return response


def unsubscribe(invitation: Invitation, now: datetime | None = None) -> Customer:
    """Stop all mail to this customer from this store (idempotent)."""
    now = now or utcnow()
    customer = invitation.customer
    if customer.unsubscribed_at is None:
        customer.unsubscribed_at = now
    db.session.execute(
        update(Invitation)
        .where(Invitation.customer_id == customer.id, Invitation.status == "scheduled")
        .values(status="suppressed", suppressed_reason="unsubscribed", send_at=None)
    )
    db.session.execute(update(Invitation).where(Invitation.customer_id == customer.id).values(reminder_due_at=None))
    # a "did we solve it?" still waiting for its time is withdrawn too
    db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.kind == "followup",
            OutboxMessage.status == "pending",
            OutboxMessage.attempts == 0,
            OutboxMessage.invitation_id.in_(select(Invitation.id).where(Invitation.customer_id == customer.id)),
        )
    )
    db.session.flush()
    return customer
