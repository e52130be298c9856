"""Product reviews and the per-product aggregate the widget reads."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .orders import Product
    from .surveys import Response


REVIEW_STATES = ("pending", "published", "rejected", "private")  # private: the customer did not consent
REJECT_REASONS = (
    "abuse",
    "personal_data",
    "link",
    "off_topic",
    "markup",
    "not_about_product",
    "duplicate",
    "other",
)


class Review(db.Model):
    """A product review from the survey form: a verified purchase by construction (order item)."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("response_id", "product_id"),
        Index("ix_reviews_widget", "product_id", "status", "published_at", "id"),
        Index("ix_reviews_widget_rating", "product_id", "status", "rating", "published_at", "id"),
        Index("ix_reviews_queue", "store_id", "status", "id"),
        Index("ix_reviews_widget_photos", "product_id", "status", "photo_count", "published_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(120))
    body: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(60))
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    flags: Mapped[list | None] = mapped_column(JSON)  # content-policy findings (reading/content_policy.FLAGS)
    reject_reason: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str | None] = mapped_column(String(8))
    sentiment_label: Mapped[str | None] = mapped_column(String(10))
    polarity: Mapped[float | None] = mapped_column(Float)
    topics: Mapped[list | None] = mapped_column(JSON)
    reply_body: Mapped[str | None] = mapped_column(Text)
    reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Photos the public may see (not hidden by the shop), kept with every photo change: the widget
    # asks for photo rows only for reviews that have some, and sort=photos reads this index.
    photo_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    product: Mapped[Product] = relationship(lazy="joined")
    response: Mapped[Response] = relationship()


class ReviewPhoto(db.Model):
    """A customer's photo on a review, re-encoded by the server (no metadata), bytes in the
    database so every web instance serves it without a shared disk.

    ``public_id`` is the unguessable name in its URLs; ``hidden`` is the shop's choice to publish
    the review without this photo. The image bytes are deferred: lists and the widget load the
    metadata only.
    """

    __tablename__ = "review_photos"
    __table_args__ = (Index("ix_review_photos_review", "review_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    thumb_width: Mapped[int] = mapped_column(Integer)
    thumb_height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)  # bytes of the stored image
    sha256: Mapped[str] = mapped_column(String(64))  # of the stored image: its ETag
    thumb_sha256: Mapped[str] = mapped_column(String(64))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    thumb_data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProductRating(db.Model):
    """Published-review aggregate per product, kept on every change so the widget never recounts.

    ``version`` grows on every change that the widget could show (a review, a reply), and is
    part of the widget's ETag.
    """

    __tablename__ = "product_ratings"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    distribution: Mapped[dict] = mapped_column(JSON, default=dict)  # {"1": n, ..., "5": n}
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReviewTombstone(db.Model):
    """An erased review's id, so the shopping feed can tell Google to delete it (nothing personal)."""

    __tablename__ = "review_tombstones"
    __table_args__ = (Index("ix_review_tombstones_store", "store_id", "review_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    review_id: Mapped[int] = mapped_column(Integer)
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
