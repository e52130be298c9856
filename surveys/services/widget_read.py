"""The storefront widget's read model: the product and its rating row by the store's public
widget key, one page of published reviews (filtered, sorted, with photos), the JSON shape
of reviews.json and ratings.json, the schema.org JSON-LD, and the frame's allowed origins.
Only published reviews and only these fields ever leave here; served by blueprints/widget.py.
"""

from __future__ import annotations

import functools
import hashlib
import math
import zlib
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from ..extensions import db
from ..models import Product, ProductRating, Review, ReviewPhoto, Store
from . import photos
from .driver_reads import Reads
from .reviews import shown_author, status_counts
from .scope import in_store

MAX_PER_PAGE = 50
JSONLD_REVIEWS = 5


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


_STORES, _PRODUCTS, _RATINGS = Store.__table__, Product.__table__, ProductRating.__table__
_WIDGET_PRODUCT = (
    select(
        _STORES.c.id,
        _STORES.c.slug,
        _STORES.c.name,
        _PRODUCTS.c.id,
        _PRODUCTS.c.sku,
        _PRODUCTS.c.name,
        _PRODUCTS.c.url,
        _PRODUCTS.c.image_url,
        _PRODUCTS.c.gtin,
        _PRODUCTS.c.mpn,
        _PRODUCTS.c.brand,
        _RATINGS.c.count,
        _RATINGS.c.total,
        _RATINGS.c.distribution,
        _RATINGS.c.version,
    )
    .select_from(
        _STORES.join(_PRODUCTS, _PRODUCTS.c.store_id == _STORES.c.id).outerjoin(
            _RATINGS, _RATINGS.c.product_id == _PRODUCTS.c.id
        )
    )
    .where(_STORES.c.widget_key == bindparam("key"), _PRODUCTS.c.sku == bindparam("sku"))
)


def _product_from(row) -> WidgetProduct:
    empty = {str(n): 0 for n in range(1, 6)}
    return WidgetProduct(*row[:11], row[11] or 0, row[12] or 0, {**empty, **(row[13] or {})}, row[14] or 0)


def widget_product(widget_key: str, sku: str, reads: Reads | None = None) -> WidgetProduct | None:
    """One indexed query, the widget's hottest: the store by its public key, the product by
    SKU, its aggregate row. A Core statement built once: this runs on every widget request,
    304s included, and its compiled form is cached with it. On ``reads`` when given (the
    request's connection), else on a connection of its own."""
    if reads is None:
        with Reads() as own:
            return widget_product(widget_key, sku, own)
    row = reads.first(_WIDGET_PRODUCT, {"key": widget_key, "sku": sku})
    return None if row is None else _product_from(row)


_REVIEWS = Review.__table__.c
SORTS = {  # name -> the columns a page is ordered by
    "newest": (_REVIEWS.published_at.desc(), _REVIEWS.id.desc()),
    "highest": (_REVIEWS.rating.desc(), _REVIEWS.published_at.desc(), _REVIEWS.id.desc()),
    "lowest": (_REVIEWS.rating.asc(), _REVIEWS.published_at.desc(), _REVIEWS.id.desc()),
    "photos": (_REVIEWS.photo_count.desc(), _REVIEWS.published_at.desc(), _REVIEWS.id.desc()),  # with photos first
}


@functools.cache
def _page_statement(sort: str, by_rating: bool):
    """One page of published reviews: built once per sort and filter with bound parameters, so
    a request neither builds nor keys a statement (Core columns: no ORM entities to load)."""
    query = select(
        _REVIEWS.id,
        _REVIEWS.rating,
        _REVIEWS.title,
        _REVIEWS.body,
        _REVIEWS.author,
        _REVIEWS.created_at,
        _REVIEWS.reply_body,
        _REVIEWS.reply_at,
        _REVIEWS.photo_count,
    ).where(_REVIEWS.product_id == bindparam("product_id"), _REVIEWS.status == "published")
    if by_rating:
        query = query.where(_REVIEWS.rating == bindparam("rating"))
    return query.order_by(*SORTS[sort]).limit(bindparam("limit")).offset(bindparam("offset"))


def widget_reviews(
    product_id: int,
    page: int,
    per_page: int,
    rating: int | None = None,
    sort: str = "newest",
    photo_base: str | None = None,
    reads: Reads | None = None,
):
    """One page of a product's published reviews, optionally only those with ``rating`` stars.

    With ``photo_base`` (the absolute URL of the store's photo route) each review lists its
    visible photos; their rows are read in one more statement, only when the page has some."""
    if reads is None:
        with Reads() as own:
            return widget_reviews(product_id, page, per_page, rating, sort, photo_base, own)
    params = {"product_id": product_id, "limit": per_page, "offset": (page - 1) * per_page}
    if rating is not None:
        params["rating"] = rating
    rows = reads.rows(_page_statement(sort, rating is not None), params)
    with_photos = [row[0] for row in rows if row[8]] if photo_base else []
    shown = _visible_photos(reads, with_photos) if with_photos else {}
    return [
        {
            "id": review_id,
            "rating": stars,
            "title": title,
            "body": body,
            "author": shown_author(author),
            "verified": True,
            "created_at": created_at.isoformat(),
            "reply": {"body": reply_body, "created_at": reply_at.isoformat()} if reply_body else None,
            "photos": [_photo_json(photo, photo_base) for photo in shown.get(review_id, ())],
        }
        for review_id, stars, title, body, author, created_at, reply_body, reply_at, _ in rows
    ]


_PHOTOS = ReviewPhoto.__table__.c


@functools.cache
def _photos_statement(count: int):
    """The visible photos of ``count`` reviews in their order (one statement per page size)."""
    return (
        select(_PHOTOS.review_id, _PHOTOS.public_id, _PHOTOS.width, _PHOTOS.height)
        .where(_PHOTOS.review_id.in_([bindparam(f"review_{n}") for n in range(count)]), _PHOTOS.hidden.is_(False))
        .order_by(_PHOTOS.review_id, _PHOTOS.position, _PHOTOS.id)
    )


@dataclass(frozen=True)
class _Photo:
    public_id: str
    width: int
    height: int


def _visible_photos(reads: Reads, review_ids: list[int]) -> dict[int, list[_Photo]]:
    params = {f"review_{n}": review_id for n, review_id in enumerate(review_ids)}
    found: dict[int, list[_Photo]] = {}
    for review_id, public_id, width, height in reads.rows(_photos_statement(len(review_ids)), params):
        found.setdefault(review_id, []).append(_Photo(public_id, width, height))
    return found


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
    reads: Reads | None = None,
):
    """The reviews.json body; with ``rating`` the pages count only reviews with that many stars."""
    shown = product.distribution[str(rating)] if rating else product.count
    reviews = widget_reviews(product.product_id, page, per_page, rating, sort, photo_base, reads) if shown else []
    return {
        "product": {"sku": product.sku, "name": product.name},
        "rating": {"average": product.average, "count": product.count, "distribution": product.distribution},
        "reviews": reviews,
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


def store_locale(store_id: int) -> str | None:
    return db.session.scalar(select(Store.locale).where(Store.id == store_id))


def frame_origins(store_id: int) -> list[str]:
    """The storefront origins allowed to frame the widget (settings: widget origins)."""
    return list(db.session.scalar(select(Store.widget_origins).where(Store.id == store_id)) or [])


def public_counts(store: Store) -> dict[str, int]:
    """For the disclosure page: how many reviews were published and turned down, ever."""
    counts = status_counts(store)
    return {"published": counts["published"], "rejected": counts["rejected"]}
