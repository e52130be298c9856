"""Customer answers: opening a survey link, recording scores and comments, unsubscribing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..errors import AlreadyAnswered, SurveyClosed, TokenExpired, TokenInvalid, ValidationFailed
from ..extensions import db
from ..models import Customer, Invitation, Order, OutboxMessage, Response, utcnow
from ..reading.analysis import CommentAnalysis, analyze_text, score_flags
from ..reading.scoring import nps_category
from . import outbound, reviews
from .recovery import sync_task
from .survey_page import PageInvitation, PageResponse, load_survey_page
from .tokens import read_token

MAX_COMMENT = 5000
ANSWERABLE = ("sent", "bounced", "expired")  # statuses an answer moves to "answered"
CREATED_COLUMNS = ("nps", "csat", "sentiment_label", "topics", "hidden_detractor")  # in response.created
# What every customer page shows of an invitation, loaded with it in one statement: the store,
# the customer, the order and its items with their products.
INVITATION_PAGE = (
    joinedload(Invitation.store),
    joinedload(Invitation.customer),
    joinedload(Invitation.order).joinedload(Order.items),
)


def _statements() -> dict:
    """The hot statements, built once per process (their SQL is compiled once anyway; building
    and coercing the expressions on every request is what this saves)."""
    if not _STATEMENTS:
        by_public_id = Invitation.public_id == bindparam("public_id")
        _STATEMENTS.update(
            invitation=select(Invitation).where(by_public_id).options(*INVITATION_PAGE),
            response=select(Response).where(Response.invitation_id == bindparam("invitation_id")),
            locked_response=select(Response)
            .where(Response.invitation_id == bindparam("invitation_id"))
            .with_for_update()
            .execution_options(populate_existing=True),
        )
    return _STATEMENTS


_STATEMENTS: dict = {}


def open_invitation(
    purpose: str,
    token: str,
    now: datetime | None = None,
    enforce_lifetime: bool = True,
    read: tuple[str, datetime] | None = None,
) -> Invitation:
    """Resolve a customer token to its invitation, or raise a token error.

    Bad, tampered and unknown tokens are indistinguishable (TokenInvalid);
    a token older than the store's lifetime is TokenExpired. Unsubscribe links
    keep working for the global maximum age (``enforce_lifetime=False``).
    ``read``: what ``read_token(purpose, token)`` already returned (the token is not read twice).
    """
    public_id, issued_at = read if read is not None else read_token(purpose, token)
    found = db.session.execute(_statements()["invitation"], {"public_id": public_id}).unique().one_or_none()
    invitation = found[0] if found is not None else None
    check_link(invitation, issued_at, now, enforce_lifetime)
    return invitation


def open_survey(token: str, now: datetime | None = None) -> tuple[PageInvitation, PageResponse | None]:
    """``open_invitation("survey", token)`` and ``find_response`` in one statement, as the read-only
    values the survey page shows (``survey_page``), not as models: the page never writes."""
    public_id, issued_at = read_token("survey", token)
    invitation, response = load_survey_page(public_id)
    check_link(invitation, issued_at, now, True)
    return invitation, response


def check_link(
    invitation: Invitation | PageInvitation | None, issued_at: datetime, now: datetime | None, enforce_lifetime: bool
):
    """Raise unless the link names an invitation and (``enforce_lifetime``) is within its store's
    link lifetime."""
    if invitation is None:
        raise TokenInvalid()
    now = now or utcnow()
    if enforce_lifetime and issued_at + timedelta(days=invitation.store.token_lifetime_days) < now:
        raise TokenExpired(store=invitation.store, locale=invitation.locale)


def check_open(
    invitation: Invitation | PageInvitation, response: Response | PageResponse | None, now: datetime | None = None
) -> None:
    """Raise unless the invitation can take (or still edit) an answer."""
    now = now or utcnow()
    if invitation.status in ("withdrawn", "suppressed", "scheduled"):
        raise SurveyClosed()
    if invitation.status == "expired" and response is None:
        raise TokenExpired(store=invitation.store, locale=invitation.locale)
    if response is not None and response.created_at + timedelta(hours=invitation.store.edit_window_hours) < now:
        raise AlreadyAnswered()


def find_response(invitation: Invitation) -> Response | None:
    return db.session.scalar(_statements()["response"], {"invitation_id": invitation.id})


@dataclass
class Answer:
    nps: int | None = None
    csat: int | None = None
    comment: str | None = None  # None: the field was not posted (kept); "": emptied (removed)
    reviews: dict[int, reviews.ReviewInput] = field(default_factory=dict)  # by product id
    display_name: str | None = None
    photo_refusals: dict[str, list] = field(default_factory=dict)  # field name -> photos.Upload refused


def analyze_comment(response: Response, hint: str | None) -> None:
    """Store the comment's reading (language, sentiment, topics) and the score/words flags."""
    result = analyze_text(response.comment, hint=hint) if response.comment else None
    for name, value in reading_columns(result, response.nps, response.csat).items():
        setattr(response, name, value)


def reading_columns(result: CommentAnalysis | None, nps: int | None, csat: int | None) -> dict:
    """A response's columns from its comment's reading (None: no comment) and its scores."""
    flags = score_flags(nps, csat, result)
    return {
        "language": result.language if result else None,
        "sentiment_label": result.label if result else None,
        "polarity": result.polarity if result else None,
        "sentiment_confidence": result.confidence if result else None,
        "topics": result.topics if result else [],
        "topic_polarity": result.topic_polarity if result else {},
        "flags": flags,
        "hidden_detractor": "hidden_detractor" in flags,
    }


def announce_created(store, response_id: int, order_ref: str, columns) -> None:
    """The outbound ``response.created`` event of a first answer; ``columns`` maps the response's
    column names to what was saved."""
    outbound.emit(
        store,
        "response.created",
        {
            "response_id": response_id,
            "order_id": order_ref,
            "nps": columns["nps"],
            "csat": columns["csat"],
            "sentiment": columns["sentiment_label"],
            "topics": columns["topics"],
            "hidden_detractor": columns["hidden_detractor"],
        },
    )


def _locked_response(invitation: Invitation) -> Response | None:
    """The invitation's response, read afresh and locked for this transaction (PostgreSQL;
    SQLite's BEGIN IMMEDIATE already holds the write lock)."""
    return db.session.scalar(_statements()["locked_response"], {"invitation_id": invitation.id})


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
    """Create the invitation's single response, or update it within the edit window."""
    return record_answer(invitation, answer, now)[0]


def record_answer(invitation: Invitation, answer: Answer, now: datetime | None = None) -> tuple[Response, bool]:
    """``submit_response``, also saying whether this call created the response (True) or
    updated it (False).

    One row per invitation is a unique constraint: of concurrent first posts one INSERT wins,
    and the others (a unique violation, rolled back to a savepoint) update the winner's row.
    The row is read once, locked; a first answer is one INSERT with everything in it, and a
    response created here has no task and, unless this answer brings some, no reviews to read.
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
    sync_task(response, now, new=created and not answer.reviews)
    if created:
        columns = {name: getattr(response, name) for name in CREATED_COLUMNS}
        announce_created(invitation.store, response.id, invitation.order.order_ref, columns)
    if invitation.status in ANSWERABLE:  # an answered invitation stays answered: nothing to write
        db.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.status.in_(ANSWERABLE))
            .values(status="answered", answered_at=now, reminder_due_at=None)
        )
    db.session.flush()
    return response, created


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
