"""Google's Product Reviews feed (schema 2.3) of one store's published reviews, streamed.

The body is produced by a generator that runs after the view returned: it opens its own
connection, reads plain rows in keyset-paged batches and writes XML text as it goes, so
memory stays flat however many reviews a shop has. Reviews once published and later
rejected, taken down or erased are listed under ``deleted_reviews``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from flask import current_app, g
from sqlalchemy import or_, select

from ..extensions import db
from ..models import Product, Review, ReviewTombstone, StaffUser, Store, new_feed_key
from . import audit
from .scope import in_store

BATCH = 500
SCHEMA = "http://www.google.com/shopping/reviews/schema/product/2.3/product_reviews.xsd"
# Characters XML 1.0 cannot carry at all (control characters, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class FeedStore:
    id: int
    name: str
    widget_key: str


def store_by_feed_key(feed_key: str) -> FeedStore | None:
    if not 0 < len(feed_key) <= 40:
        return None
    row = db.session.execute(select(Store.id, Store.name, Store.widget_key).where(Store.feed_key == feed_key)).first()
    return FeedStore(*row) if row else None


def regenerate_feed_key(store: Store, actor: StaffUser) -> str:
    """A new secret feed URL; the old one stops working at once. Logged."""
    store.feed_key = new_feed_key()
    audit.record(store.id, actor, "feed_key_regenerated", "store", store.id)
    return store.feed_key


def _text(value: str | None) -> str:
    return escape(_NOT_XML.sub("", value or ""))


def _el(name: str, value: str | None, attrs: str = "") -> str:
    return f"<{name}{attrs}>{_text(value)}</{name}>"


def _reviewer(author: str | None) -> str:
    """Google's feed wants a name: a buyer who gave none is its "Anonymous" reviewer."""
    return _el("name", author) if author else _el("name", "Anonymous", ' is_anonymous="true"')


def _product_page(base_url: str, widget_key: str, sku: str, url: str | None) -> str:
    """The product's own page when the shop told us; otherwise our page that shows its reviews."""
    if url:
        return url
    return f"{base_url}/widget/v1/{quote(widget_key, safe='')}/products/{quote(sku, safe='')}/frame"


def _review_xml(row, base_url: str, widget_key: str) -> str:
    content = row.body or row.title
    page = _product_page(base_url, widget_key, row.sku, row.url)
    ids = "".join(
        f"<{plural}>{_el(single, value)}</{plural}>"
        for plural, single, value in (
            ("gtins", "gtin", row.gtin),
            ("mpns", "mpn", row.mpn),
            ("skus", "sku", row.sku),
            ("brands", "brand", row.brand),
        )
        if value
    )
    return (
        "<review>"
        + _el("review_id", str(row.id))
        + f"<reviewer>{_reviewer(row.author)}</reviewer>"
        + _el("review_timestamp", row.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"))
        + (_el("title", row.title) if row.title and row.body else "")
        + _el("content", content)
        + _el("review_url", page, ' type="group"')
        + f'<ratings><overall min="1" max="5">{int(row.rating)}</overall></ratings>'
        + "<products><product>"
        + f"<product_ids>{ids}</product_ids>"
        + _el("product_name", row.name)
        + _el("product_url", page)
        + "</product></products>"
        + "<is_spam>false</is_spam>"
        + "<collection_method>post_fulfillment</collection_method>"
        + "</review>\n"
    )


def _batches(conn, query, key_column):
    """Keyset paging: each batch is one short query; only one batch is ever held."""
    last = 0
    while True:
        rows = conn.execute(query.where(key_column > last).order_by(key_column).limit(BATCH)).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def stream_feed(store: FeedStore) -> Iterator[str]:
    """Yield the feed's XML in pieces. Runs outside the request: its own app context and connection."""
    app = current_app._get_current_object()
    base_url = app.config["BASE_URL"].rstrip("/")

    def generate() -> Iterator[str]:
        with app.app_context():
            g.db_reads_only = True  # SQLite: a reader takes no write lock for the whole stream
            with db.engine.connect() as conn:
                yield '<?xml version="1.0" encoding="UTF-8"?>\n'
                yield (
                    '<feed xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                    f"xsi:noNamespaceSchemaLocation={quoteattr(SCHEMA)}>\n"
                    f"<version>2.3</version><publisher>{_el('name', store.name)}</publisher>\n"
                )
                published = (
                    select(
                        Review.id,
                        Review.rating,
                        Review.title,
                        Review.body,
                        Review.author,
                        Review.created_at,
                        Product.sku,
                        Product.name,
                        Product.url,
                        Product.gtin,
                        Product.mpn,
                        Product.brand,
                    )
                    .join(Product, Product.id == Review.product_id)
                    .where(in_store(Review, store), Review.status == "published")
                    .where(or_(Review.body.is_not(None), Review.title.is_not(None)))
                )
                opened = False
                for rows in _batches(conn, published, Review.id):
                    if not opened:
                        yield "<reviews>\n"
                        opened = True
                    yield "".join(_review_xml(r, base_url, store.widget_key) for r in rows)
                if opened:
                    yield "</reviews>\n"
                yield from _deleted(conn, store.id)
                yield "</feed>\n"

    return generate()


def _deleted(conn, store_id: int) -> Iterator[str]:
    """Reviews Google may hold that are no longer shown: taken down after publication, rejected,
    or erased (their ids only, from the tombstones)."""
    withdrawn = select(Review.id).where(
        in_store(Review, store_id),
        or_(Review.status == "rejected", (Review.published_at.is_not(None)) & (Review.status != "published")),
    )
    erased = select(ReviewTombstone.id, ReviewTombstone.review_id).where(in_store(ReviewTombstone, store_id))
    opened = False
    for rows in _batches(conn, withdrawn, Review.id):
        if not opened:
            yield "<deleted_reviews>\n"
            opened = True
        yield "".join(_el("review_id", str(r.id)) + "\n" for r in rows)
    for rows in _batches(conn, erased, ReviewTombstone.id):
        if not opened:
            yield "<deleted_reviews>\n"
            opened = True
        yield "".join(_el("review_id", str(r.review_id)) + "\n" for r in rows)
    if opened:
        yield "</deleted_reviews>\n"
