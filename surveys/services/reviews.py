"""Product reviews: collected on the survey form, moderated the same way whatever the rating,
published with the shop's reply. What the storefront widget reads is services/widget_read.py.

Every review belongs to a survey response, so it is a verified purchase by construction:
only the invitation's order items can be reviewed, once each (edits update the row).

Status: ``private`` (no consent to publish: never public), ``pending`` (flagged by the
content policy, or the store moderates by hand), ``published``, ``rejected`` (with a
reason code). ``product_ratings`` keeps each product's published count, sum and
distribution, updated in the same transaction as any change, so the widget reads one row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..microcache import widget_cache
from ..models import (
    REJECT_REASONS,
    REVIEW_STATES,
    ProductRating,
    Review,
    ReviewTombstone,
    StaffUser,
    Store,
    utcnow,
)
from ..reading import content_policy
from ..reading.analysis import analyze_text
from ..reading.scoring import is_unhappy
from . import audit, photos
from .db_util import insert_ignore
from .scope import in_store, scoped

MAX_TITLE, MAX_BODY, MAX_AUTHOR, MAX_REPLY = 120, 5000, 40, 2000


@dataclass(frozen=True)
class ReviewInput:
    rating: int
    title: str | None
    body: str | None
    consent: bool
    photos: photos.PhotoChanges | None = None  # new files and removals; None: the form sent neither


# A review without a name stores "" and each viewer reads ANONYMOUS in their own language
# (shown_author). Forms shown before that prefilled these words: they are no name either.
ANONYMOUS = _l("Customer")
OLD_FALLBACKS = frozenset({"verified buyer", "comprador verificado"})


def default_author(name: str | None) -> str:
    """First name and the initial of the last: "Ana López" -> "Ana L."; no name -> ""."""
    parts = (name or "").split()
    if not parts:
        return ""
    return parts[0][:30] + (f" {parts[-1][0]}." if len(parts) > 1 else "")


def shown_author(author: str | None) -> str:
    """The name to show with a review, in the current locale when the buyer gave none."""
    return author or str(ANONYMOUS)


def clean_text(value: str | None) -> str:
    """Text as typed, without NULs, control characters and surrounding blanks."""
    text = (value or "").replace("\x00", "").replace("\r\n", "\n")
    return "".join(ch for ch in text if ch.isprintable() or ch == "\n").strip()


def decide(store: Store, consent: bool, flags: list[str]) -> str:
    """The status a new or edited review gets. Never looks at the rating."""
    if not consent:
        return "private"
    if flags or not store.reviews_auto_publish:
        return "pending"
    return "published"


def policy_flags(title: str | None, body: str | None, author: str) -> list[str]:
    text_flags = set(content_policy.check("\n".join(p for p in (title, body) if p)))
    name_flags = set(content_policy.check(author)) - {"off_topic"}
    return sorted(text_flags | name_flags)


def save_from_survey(
    response, invitation, inputs: dict[int, ReviewInput], display_name: str | None, now=None, refused=None
):
    """Create or update the response's reviews. Unchanged reviews are left as they are.

    Photos beyond the limit are listed in ``refused`` (by field name) and not kept."""
    now = now or utcnow()
    store = invitation.store
    if display_name and display_name.casefold() in OLD_FALLBACKS:
        display_name = None
    author = display_name or default_author(invitation.customer.name)
    touched = set()
    for product_id, given in inputs.items():
        insert_ignore(
            Review,
            {
                "store_id": store.id,
                "product_id": product_id,
                "response_id": response.id,
                "rating": given.rating,
                "author": author,
                "status": "new",
                "created_at": now,
                "updated_at": now,
            },
            ["response_id", "product_id"],
        )
        review = db.session.scalar(
            select(Review)
            .where(Review.response_id == response.id, Review.product_id == product_id)
            .with_for_update(of=Review)
            .execution_options(populate_existing=True)
        )
        before = (review.rating, review.title, review.body, review.author, review.consent)
        photos_changed = False
        if given.photos is not None:
            photos_changed, over = photos.apply_changes(review, given.photos)
            if over and refused is not None:
                refused.setdefault(f"review-{review.product.sku}-photos", []).extend(over)
        unchanged = before == (given.rating, given.title, given.body, author, given.consent)
        if review.status != "new" and unchanged and not photos_changed:
            continue
        old_status = review.status
        review.rating, review.title, review.body = given.rating, given.title, given.body
        review.author, review.consent, review.updated_at = author, given.consent, now
        text = "\n".join(p for p in (given.title, given.body) if p)
        reading = analyze_text(text, hint=invitation.locale) if text else None
        review.language = reading.language if reading else None
        review.sentiment_label = reading.label if reading else None
        review.polarity = reading.polarity if reading else None
        review.topics = reading.topics if reading else []
        review.flags = policy_flags(given.title, given.body, author)
        status = decide(store, given.consent, review.flags)
        if old_status == "rejected" and status == "published":
            status = "pending"  # a person turned the earlier text down: a person looks at the new one
        _set_status(review, status, now)
        audit.record(
            store.id,
            None,
            "submitted" if old_status == "new" else "edited",
            "review",
            review.id,
            details={
                "status": status,
                "flags": ",".join(review.flags),
                "rating": given.rating,
                **({"photos": review.photo_count} if photos_changed else {}),
            },
        )
        if "published" in (old_status, status):
            touched.add(product_id)
    for product_id in touched:
        refresh_rating(product_id)


def _set_status(review: Review, status: str, now: datetime) -> None:
    review.status = status
    if status == "published":
        review.published_at = review.published_at or now
    if status != "rejected":
        review.reject_reason = None


def for_response(response_id: int) -> list[Review]:
    return db.session.scalars(select(Review).where(Review.response_id == response_id).order_by(Review.id)).all()


def negative_review_filter(response_id: int) -> tuple:
    """The response's reviews that open a task: few stars or a negative reading."""
    return (Review.response_id == response_id, is_unhappy(Review.rating) | (Review.sentiment_label == "negative"))


def has_negative_review(response_id: int) -> bool:
    return db.session.scalar(select(func.count()).select_from(Review).where(*negative_review_filter(response_id))) > 0


# --- moderation ------------------------------------------------------------------------


def get_review(store: Store, review_id: int) -> Review:
    review = db.session.get(Review, review_id)
    if review is None or review.store_id != store.id:
        raise NotFound(_l("No such review."))
    return review


def moderate(review: Review, actor: StaffUser | str, action: str, reason: str | None = None, note: str = "") -> None:
    """Publish or reject, by a person (console or API). Logged whatever the outcome.

    ``publish_without_photos`` publishes the text and hides every photo of the review."""
    now = utcnow()
    note = clean_text(note)[:500]
    hidden_photos = 0
    if action in ("publish", "publish_without_photos"):
        if not review.consent:
            raise ValidationFailed(_l("The customer did not agree to publish this review."), {"action": "no_consent"})
        new_status = "published"
        if action == "publish_without_photos":  # the text is fine, the photos are not (or not wanted)
            hidden_photos = photos.hide_all(review)
    elif action == "reject":
        if reason not in REJECT_REASONS:
            raise ValidationFailed(_l("Choose why the review is rejected."), {"reason": "invalid"})
        new_status = "rejected"
    else:
        raise ValidationFailed(_l("The action must be publish or reject."), {"action": "invalid"})
    old_status = review.status
    _set_status(review, new_status, now)
    if new_status == "rejected":
        review.reject_reason = reason
    review.moderated_at = review.updated_at = now
    details = {"from": old_status, "flags": ",".join(review.flags or []), "rating": review.rating}
    if action == "publish_without_photos":
        details["photos"] = hidden_photos
    audit.record(
        review.store_id,
        actor,
        {"publish": "published", "reject": "rejected"}.get(action, action),
        "review",
        review.id,
        reason=" — ".join(p for p in (reason if new_status == "rejected" else None, note) if p) or None,
        details=details,
    )
    if "published" in (old_status, new_status):
        refresh_rating(review.product_id)


def set_reply(review: Review, actor: StaffUser | str, body: str) -> None:
    """The shop's public answer under the review; an empty body removes it."""
    body = clean_text(body)
    if len(body) > MAX_REPLY:
        raise ValidationFailed(_l("A reply has 2,000 characters at most."), {"reply": "too_long"})
    if (body or None) == review.reply_body:
        return
    review.reply_body, review.reply_at = body or None, (utcnow() if body else None)
    audit.record(review.store_id, actor, "reply_set" if body else "reply_removed", "review", review.id, reason=body)
    if review.status == "published":
        refresh_rating(review.product_id)


def refresh_rating(product_id: int) -> None:
    """Recount one product's published reviews under a row lock and bump the widget version."""
    insert_ignore(
        ProductRating,
        {"product_id": product_id, "count": 0, "total": 0, "distribution": {}, "version": 0, "updated_at": utcnow()},
        ["product_id"],
    )
    rating = db.session.scalar(
        select(ProductRating)
        .where(ProductRating.product_id == product_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    rows = db.session.execute(
        select(Review.rating, func.count())
        .where(Review.product_id == product_id, Review.status == "published")
        .group_by(Review.rating)
    ).all()
    distribution = {str(n): 0 for n in range(1, 6)}
    for value, count in rows:
        distribution[str(value)] = count
    rating.distribution = distribution
    rating.count = sum(distribution.values())
    rating.total = sum(int(k) * v for k, v in distribution.items())
    rating.version += 1
    rating.updated_at = utcnow()
    widget_cache.clear()  # this process answers with the new numbers at once


def delete_for_responses(response_ids) -> int:
    """Erasure: the reviews go entirely (name, text, photos); the products' numbers are recounted."""
    reviews = db.session.scalars(select(Review).where(Review.response_id.in_(response_ids))).all()
    products = {r.product_id for r in reviews if r.status == "published"}
    if reviews:  # said, not left to the foreign key's cascade: the bytes are the most personal part
        photos.delete_for_reviews([r.id for r in reviews])
    for review in reviews:
        audit.record(review.store_id, None, "erased", "review", review.id)
        db.session.add(ReviewTombstone(store_id=review.store_id, review_id=review.id))  # the feed says "deleted"
        db.session.delete(review)
    db.session.flush()
    for product_id in products:
        refresh_rating(product_id)
    return len(reviews)


def status_counts(store: Store) -> dict[str, int]:
    rows = db.session.execute(
        select(Review.status, func.count()).where(in_store(Review, store)).group_by(Review.status)
    ).all()
    counts = dict.fromkeys(REVIEW_STATES, 0)
    counts.update({status: n for status, n in rows if status in counts})
    return counts


def queue_page(store: Store, status: str, page: int, per_page: int = 25):
    """The console's moderation list: oldest first while waiting, newest first once decided."""
    query = scoped(select(Review), store).where(Review.status == status)
    query = query.order_by(Review.id if status == "pending" else Review.id.desc())
    return db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
