"""Product reviews: collected on the survey form, moderated the same way whatever the rating,
published with the shop's reply, and served to the storefront widget.

Every review belongs to a survey response, so it is a verified purchase by construction:
only the invitation's order items can be reviewed, once each (edits update the row).

Status: ``private`` (no consent to publish: never public), ``pending`` (flagged by the
content policy, or the store moderates by hand), ``published``, ``rejected`` (with a
reason code). ``product_ratings`` keeps each product's published count, sum and
distribution, updated in the same transaction as any change, so the widget reads one row.
"""

from __future__ import annotations

import hashlib
import math
import zlib
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, func, select, text

from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..microcache import widget_cache
from ..models import (
    REJECT_REASONS,
    REVIEW_STATES,
    Product,
    ProductRating,
    Review,
    ReviewTombstone,
    StaffUser,
    Store,
    utcnow,
)
from ..parsing import integer, lenient
from ..reading import content_policy
from ..reading.analysis import analyze_text
from ..reading.scoring import is_unhappy
from . import audit, photos
from .db_util import insert_ignore
from .scope import in_store, scoped

MAX_TITLE, MAX_BODY, MAX_AUTHOR, MAX_REPLY = 120, 5000, 40, 2000
MAX_PER_PAGE = 50
JSONLD_REVIEWS = 5


@dataclass(frozen=True)
class ReviewInput:
    rating: int
    title: str | None
    body: str | None
    consent: bool
    photos: photos.PhotoChanges | None = None  # new files and removals; None: the form sent neither


def default_author(name: str | None) -> str:
    """First name and the initial of the last: "Ana López" -> "Ana L."."""
    parts = (name or "").split()
    if not parts:
        return str(_l("Verified buyer"))
    return parts[0][:30] + (f" {parts[-1][0]}." if len(parts) > 1 else "")


def _clean(value: str | None) -> str:
    text = (value or "").replace("\x00", "").replace("\r\n", "\n")
    return "".join(ch for ch in text if ch.isprintable() or ch == "\n").strip()


def parse_fields(
    products: list[Product], form, errors: dict, uploads: dict | None = None, refused: dict | None = None
) -> tuple[dict[int, ReviewInput], str | None]:
    """Read ``review-<sku>-*`` and ``display_name``; only the order's products count.

    ``uploads`` are the decoded ``review-<sku>-photos`` files (photos.read_uploads); refused
    files are listed in ``refused`` under their field name, the rest of the answer goes on."""
    found: dict[int, ReviewInput] = {}
    uploads, refused = uploads or {}, refused if refused is not None else {}
    for product in products:
        prefix = f"review-{product.sku}-"
        raw = (form.get(prefix + "rating") or "").strip()
        title, body = _clean(form.get(prefix + "title")), _clean(form.get(prefix + "body"))
        changes = photos.PhotoChanges(
            uploads=uploads.get(product.sku, []), remove=[v[:32] for v in form.getlist(prefix + "photos-remove")][:9]
        )
        if changes.refused:
            refused[prefix + "photos"] = changes.refused
        if not raw:
            if title or body or changes.new:
                errors[prefix + "rating"] = "required"
            continue
        rating = lenient(integer, raw, 1, 5)
        if rating is None:
            errors[prefix + "rating"] = "out_of_range"
            continue
        if len(title) > MAX_TITLE:
            errors[prefix + "title"] = "too_long"
        if len(body) > MAX_BODY:
            errors[prefix + "body"] = "too_long"
        consent = (form.get(prefix + "publish") or "").lower() in ("1", "on", "yes", "true")
        given = changes if changes.uploads or changes.remove else None
        found[product.id] = ReviewInput(rating, title or None, body or None, consent, given)
    name = _clean(form.get("display_name")).replace("\n", " ")
    if len(name) > MAX_AUTHOR:
        errors["display_name"] = "too_long"
    return found, name or None


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


def has_negative_review(response_id: int) -> bool:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Review)
            .where(
                Review.response_id == response_id, is_unhappy(Review.rating) | (Review.sentiment_label == "negative")
            )
        )
        > 0
    )


# --- moderation ------------------------------------------------------------------------


def get_review(store: Store, review_id: int) -> Review:
    review = db.session.get(Review, review_id)
    if review is None or review.store_id != store.id:
        raise NotFound("no such review")
    return review


def moderate(review: Review, actor: StaffUser | str, action: str, reason: str | None = None, note: str = "") -> None:
    """Publish or reject, by a person (console or API). Logged whatever the outcome.

    ``publish_without_photos`` publishes the text and hides every photo of the review."""
    now = utcnow()
    note = _clean(note)[:500]
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
    body = _clean(body)
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


# --- the storefront widget -----------------------------------------------------------------


@dataclass(frozen=True)
class WidgetProduct:
    store_id: int
    store_slug: str
    store_name: str
    product_id: int
    sku: str
    name: str
    url: str | None
    image_url: str | None
    gtin: str | None
    mpn: str | None
    brand: str | None
    count: int
    total: int
    distribution: dict
    version: int

    @property
    def average(self) -> float | None:
        return round(self.total / self.count, 1) if self.count else None

    def etag(self, *parts) -> str:
        """Unquoted entity tag: changes with any review, reply or product detail change."""
        details = "\0".join(p or "" for p in (self.name, self.url, self.image_url, self.gtin, self.mpn, self.brand))
        return "-".join(str(p) for p in (self.product_id, self.version, zlib.crc32(details.encode()), *parts))


_WIDGET_PRODUCT = text(
    "SELECT s.id, s.slug, s.name, p.id, p.sku, p.name, p.url, p.image_url, p.gtin, p.mpn, p.brand, "
    "r.count, r.total, r.distribution, r.version "
    "FROM stores s JOIN products p ON p.store_id = s.id LEFT JOIN product_ratings r ON r.product_id = p.id "
    "WHERE s.widget_key = :key AND p.sku = :sku"
).columns(distribution=JSON)


def widget_product(widget_key: str, sku: str) -> WidgetProduct | None:
    """One indexed query, the widget's hottest: the store by its public key, the product by
    SKU, its aggregate row. Plain SQL: this runs on every widget request, 304s included."""
    row = db.session.execute(_WIDGET_PRODUCT, {"key": widget_key, "sku": sku}).first()
    if row is None:
        return None
    empty = {str(n): 0 for n in range(1, 6)}
    return WidgetProduct(*row[:11], row[11] or 0, row[12] or 0, {**empty, **(row[13] or {})}, row[14] or 0)


SORTS = {
    "newest": (Review.published_at.desc(), Review.id.desc()),
    "highest": (Review.rating.desc(), Review.published_at.desc(), Review.id.desc()),
    "lowest": (Review.rating.asc(), Review.published_at.desc(), Review.id.desc()),
    "photos": (Review.photo_count.desc(), Review.published_at.desc(), Review.id.desc()),  # with photos first
}


def widget_reviews(
    product_id: int,
    page: int,
    per_page: int,
    rating: int | None = None,
    sort: str = "newest",
    photo_base: str | None = None,
):
    """One page of a product's published reviews, optionally only those with ``rating`` stars.

    With ``photo_base`` (the absolute URL of the store's photo route) each review lists its
    visible photos; their rows are read in one more statement, only when the page has some."""
    query = select(
        Review.id,
        Review.rating,
        Review.title,
        Review.body,
        Review.author,
        Review.created_at,
        Review.reply_body,
        Review.reply_at,
        Review.photo_count,
    ).where(Review.product_id == product_id, Review.status == "published")
    if rating is not None:
        query = query.where(Review.rating == rating)
    rows = db.session.execute(query.order_by(*SORTS[sort]).limit(per_page).offset((page - 1) * per_page)).all()
    with_photos = [r.id for r in rows if r.photo_count] if photo_base else []
    shown = photos.for_reviews(with_photos, visible_only=True) if with_photos else {}
    return [
        {
            "id": r.id,
            "rating": r.rating,
            "title": r.title,
            "body": r.body,
            "author": r.author,
            "verified": True,
            "created_at": r.created_at.isoformat(),
            "reply": {"body": r.reply_body, "created_at": r.reply_at.isoformat()} if r.reply_body else None,
            "photos": [_photo_json(photo, photo_base) for photo in shown.get(r.id, [])],
        }
        for r in rows
    ]


def _photo_json(photo, base: str) -> dict:
    return {
        "url": f"{base}/{photo.public_id}.{photos.EXTENSION}",
        "thumb_url": f"{base}/{photo.public_id}/thumb.{photos.EXTENSION}",
        "width": photo.width,
        "height": photo.height,
    }


def widget_payload(
    product: WidgetProduct,
    page: int,
    per_page: int,
    rating: int | None = None,
    sort="newest",
    photo_base: str | None = None,
):
    """The reviews.json body; with ``rating`` the pages count only reviews with that many stars."""
    shown = product.distribution[str(rating)] if rating else product.count
    return {
        "product": {"sku": product.sku, "name": product.name},
        "rating": {"average": product.average, "count": product.count, "distribution": product.distribution},
        "reviews": widget_reviews(product.product_id, page, per_page, rating, sort, photo_base) if shown else [],
        "page": page,
        "pages": max(1, math.ceil(shown / per_page)),
    }


def jsonld(product: WidgetProduct) -> dict:
    """schema.org Product with the same numbers as the widget JSON (never a self-rating of the shop)."""
    doc: dict = {"@context": "https://schema.org", "@type": "Product", "name": product.name, "sku": product.sku}
    if product.url:
        doc["url"] = product.url
    if product.image_url:
        doc["image"] = product.image_url
    if product.gtin:  # schema.org names the 8/12/13/14-digit forms apart
        doc[f"gtin{len(product.gtin)}"] = product.gtin
    if product.mpn:
        doc["mpn"] = product.mpn
    if product.brand:
        doc["brand"] = {"@type": "Brand", "name": product.brand}
    if product.count:
        doc["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": product.average,
            "reviewCount": product.count,
            "bestRating": 5,
            "worstRating": 1,
        }
        doc["review"] = [
            {
                "@type": "Review",
                "author": {"@type": "Person", "name": r["author"]},
                "datePublished": r["created_at"][:10],
                "name": r["title"] or "",
                "reviewBody": r["body"] or "",
                "reviewRating": {"@type": "Rating", "ratingValue": r["rating"], "bestRating": 5, "worstRating": 1},
            }
            for r in widget_reviews(product.product_id, 1, JSONLD_REVIEWS)
        ]
    return doc


MAX_RATING_SKUS = 100


@dataclass(frozen=True)
class Ratings:
    """Badge numbers for many SKUs of one store, and a tag that changes when any of them does."""

    found: dict[str, dict]
    etag: str


def widget_ratings(widget_key: str, skus: list[str]) -> Ratings | None:
    """One query for every badge on a page: the store by its public key, the products by SKU.

    Unknown SKUs are absent; a known product without published reviews has count 0. ``None``
    when the key names no store.
    """
    store_id = db.session.scalar(select(Store.id).where(Store.widget_key == widget_key))
    if store_id is None:
        return None
    rows = db.session.execute(
        select(Product.id, Product.sku, ProductRating.count, ProductRating.total, ProductRating.version)
        .outerjoin(ProductRating, ProductRating.product_id == Product.id)
        .where(in_store(Product, store_id), Product.sku.in_(skus))
        .order_by(Product.id)
    ).all()
    found, parts = {}, []
    for product_id, sku, count, total, version in rows:
        count = count or 0
        found[sku] = {"average": round(total / count, 1) if count else None, "count": count}
        parts.append(f"{product_id}.{version or 0}")
    digest = hashlib.blake2b(digest_size=10)
    digest.update("\n".join(sorted(set(skus))).encode() + b"\0" + ",".join(parts).encode())
    return Ratings(found, f"r-{store_id}-{digest.hexdigest()}")


def store_by_widget_key(widget_key: str) -> Store | None:
    return db.session.scalar(select(Store).where(Store.widget_key == widget_key)) if len(widget_key) <= 40 else None


def frame_origins(store_id: int) -> list[str]:
    """The storefront origins allowed to frame the widget (settings: widget origins)."""
    return list(db.session.scalar(select(Store.widget_origins).where(Store.id == store_id)) or [])


def public_counts(store: Store) -> dict[str, int]:
    """For the disclosure page: how many reviews were published and turned down, ever."""
    counts = status_counts(store)
    return {"published": counts["published"], "rejected": counts["rejected"]}
