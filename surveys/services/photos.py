"""Photos on reviews: reading the survey form's uploads, keeping up to three per review, the
shop hiding some, and finding the bytes to serve (storefront, staff, the customer's own form).

A photo is public only while its review is published and the shop has not hidden it; the widget
reads ``reviews.photo_count`` (visible photos) to know whether to ask for photo rows at all.
Bytes live in ``review_photos`` (no shared disk between web instances) and are loaded only by
the routes that send them.

Edits: the customer's earlier photos stay; new ones are added up to three in all (the rest are
refused with a message); a photo the customer ticks "remove" is deleted, before new ones count.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select, update

from ..extensions import db
from ..models import Invitation, Response, Review, ReviewPhoto, Store, utcnow
from . import audit
from .images import EXTENSION, MAX_BYTES, CleanPhoto, PhotoRefused, clean_photo
from .scope import in_store

PER_REVIEW = 3
MAX_FIELDS = 10  # photo fields read per request (an order rarely has more products); more are ignored
FIELD_SUFFIX = "-photos"


@dataclass
class Upload:
    """One file from the form: its cleaned image, or the reason it was refused."""

    name: str
    photo: CleanPhoto | None = None
    refused: str | None = None


@dataclass
class PhotoChanges:
    """What the form asks for one product's photos."""

    uploads: list[Upload] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)  # public ids

    @property
    def new(self) -> list[Upload]:
        return [u for u in self.uploads if u.photo is not None]

    @property
    def refused(self) -> list[Upload]:
        return [u for u in self.uploads if u.refused]


def _display_name(filename: str | None) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:60] or "?"


def read_uploads(files) -> dict[str, list[Upload]]:
    """Decode every ``review-<sku>-photos`` file of a request, by SKU, before any database work.

    At most PER_REVIEW files per field are decoded; later ones are refused as ``too_many``
    without being read. Empty file inputs (nothing chosen) are skipped.
    """
    found: dict[str, list[Upload]] = {}
    for key in list(files.keys()):
        if not (key.startswith("review-") and key.endswith(FIELD_SUFFIX)) or len(found) >= MAX_FIELDS:
            continue
        sku = key[len("review-") : -len(FIELD_SUFFIX)]
        uploads = found.setdefault(sku, [])
        for storage in files.getlist(key):
            if not storage or (not storage.filename and not storage.content_length):
                continue
            upload = Upload(_display_name(storage.filename))
            if len(uploads) >= PER_REVIEW:
                upload.refused = "too_many"
            else:
                raw = storage.stream.read(MAX_BYTES + 1)
                if not raw and not storage.filename:
                    continue
                try:
                    upload.photo = clean_photo(raw)
                except PhotoRefused as exc:
                    upload.refused = exc.code
            uploads.append(upload)
        if not uploads:
            del found[sku]
    return found


def not_saved(uploads: dict[str, list[Upload]], refused: dict) -> None:
    """The answer was not saved (a field to fix): a file input cannot be filled in again, so
    each product whose photos were good says "attach them again"."""
    for sku, found in uploads.items():
        if any(u.photo is not None for u in found):
            refused.setdefault(f"review-{sku}{FIELD_SUFFIX}", []).append(Upload("", refused="again"))


def for_reviews(review_ids: list[int], visible_only: bool = False) -> dict[int, list[ReviewPhoto]]:
    """Photo metadata (never the bytes) of some reviews, in their order, by review id."""
    if not review_ids:
        return {}
    query = select(ReviewPhoto).where(ReviewPhoto.review_id.in_(review_ids))
    if visible_only:
        query = query.where(ReviewPhoto.hidden.is_(False))
    found: dict[int, list[ReviewPhoto]] = {}
    for photo in db.session.scalars(query.order_by(ReviewPhoto.review_id, ReviewPhoto.position, ReviewPhoto.id)):
        found.setdefault(photo.review_id, []).append(photo)
    return found


def _recount(review: Review) -> None:
    review.photo_count = db.session.scalar(
        select(func.count()).where(ReviewPhoto.review_id == review.id, ReviewPhoto.hidden.is_(False))
    )


def apply_changes(review: Review, changes: PhotoChanges) -> tuple[bool, list[Upload]]:
    """Remove the photos the customer ticked, then add the new ones up to PER_REVIEW in all.

    Returns whether anything changed and the uploads refused for the limit (``too_many``)."""
    changed, over = False, []
    if changes.remove:
        gone = db.session.execute(
            delete(ReviewPhoto).where(ReviewPhoto.review_id == review.id, ReviewPhoto.public_id.in_(changes.remove))
        ).rowcount
        changed = gone > 0
    if changes.new:
        kept = db.session.execute(
            select(func.count(), func.max(ReviewPhoto.position)).where(ReviewPhoto.review_id == review.id)
        ).one()
        count, position = kept[0], kept[1] or 0
        for upload in changes.new:
            if count >= PER_REVIEW:
                upload.photo, upload.refused = None, "too_many"
                over.append(upload)
                continue
            count, position = count + 1, position + 1
            db.session.add(_row(review, upload.photo, position))
            changed = True
    if changed:
        db.session.flush()
        _recount(review)
    return changed, over


def _row(review: Review, photo: CleanPhoto, position: int) -> ReviewPhoto:
    return ReviewPhoto(
        public_id=secrets.token_urlsafe(16),
        review_id=review.id,
        store_id=review.store_id,
        position=position,
        content_type=photo.content_type,
        width=photo.width,
        height=photo.height,
        thumb_width=photo.thumb_width,
        thumb_height=photo.thumb_height,
        size=len(photo.data),
        sha256=photo.sha256,
        thumb_sha256=photo.thumb_sha256,
        hidden=False,
        data=photo.data,
        thumb_data=photo.thumb,
        created_at=utcnow(),
    )


# --- the shop's choices ------------------------------------------------------------------------


def get_photo(store: Store, public_id: str) -> ReviewPhoto | None:
    photo = db.session.scalar(select(ReviewPhoto).where(ReviewPhoto.public_id == public_id[:32]))
    return photo if photo is not None and photo.store_id == store.id else None


def set_hidden(review: Review, photo: ReviewPhoto, hidden: bool, actor) -> bool:
    """Hide a photo from the public (or show it again); logged. Returns whether it changed."""
    if photo.review_id != review.id or photo.hidden == hidden:
        return False
    photo.hidden = hidden
    db.session.flush()
    _recount(review)
    audit.record(
        review.store_id,
        actor,
        "photo_hidden" if hidden else "photo_shown",
        "review",
        review.id,
        details={"photo": photo.position},
    )
    return True


def hide_all(review: Review) -> int:
    """Every photo of the review hidden (publish without photos); returns how many were visible."""
    hidden = db.session.execute(
        update(ReviewPhoto).where(ReviewPhoto.review_id == review.id, ReviewPhoto.hidden.is_(False)).values(hidden=True)
    ).rowcount
    review.photo_count = 0
    return hidden


def delete_for_reviews(review_ids: list[int]) -> int:
    """Erasure: the photos of these reviews, bytes and all."""
    return db.session.execute(delete(ReviewPhoto).where(ReviewPhoto.review_id.in_(review_ids))).rowcount


# --- finding bytes to send -----------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    id: int
    sha256: str
    content_type: str


def _served(query, thumb: bool) -> Found | None:
    digest = ReviewPhoto.thumb_sha256 if thumb else ReviewPhoto.sha256
    row = db.session.execute(query.with_only_columns(ReviewPhoto.id, digest, ReviewPhoto.content_type)).first()
    return Found(*row) if row else None


def public_photo(widget_key: str, public_id: str, thumb: bool) -> Found | None:
    """A photo the storefront may show: its store's widget key, a published review, not hidden."""
    query = (
        select(ReviewPhoto.id)
        .join(Review, Review.id == ReviewPhoto.review_id)
        .join(Store, Store.id == ReviewPhoto.store_id)
        .where(
            ReviewPhoto.public_id == public_id,
            Store.widget_key == widget_key,
            Review.status == "published",
            ReviewPhoto.hidden.is_(False),
        )
    )
    return _served(query, thumb)


def staff_photo(store: Store, public_id: str, thumb: bool) -> Found | None:
    """Any photo of the staff member's current store (pending, hidden, rejected included)."""
    query = select(ReviewPhoto.id).where(ReviewPhoto.public_id == public_id, in_store(ReviewPhoto, store))
    return _served(query, thumb)


def customer_photo(invitation: Invitation, public_id: str, thumb: bool) -> Found | None:
    """A photo of this invitation's own answer (the customer's form shows what they sent)."""
    query = (
        select(ReviewPhoto.id)
        .join(Review, Review.id == ReviewPhoto.review_id)
        .join(Response, Response.id == Review.response_id)
        .where(ReviewPhoto.public_id == public_id, Response.invitation_id == invitation.id)
    )
    return _served(query, thumb)


def photo_bytes(found: Found, thumb: bool) -> bytes:
    column = ReviewPhoto.thumb_data if thumb else ReviewPhoto.data
    return db.session.scalar(select(column).where(ReviewPhoto.id == found.id))


def file_name(photo: ReviewPhoto) -> str:
    return f"{photo.public_id}.{EXTENSION}"
