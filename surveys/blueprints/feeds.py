"""Feeds for shopping engines: Google's product reviews feed, behind the store's secret feed key."""

from __future__ import annotations

from flask import Blueprint, Response, abort

from ..services import feeds

bp = Blueprint("feeds", __name__)


@bp.after_request
def _headers(resp):
    resp.headers.pop("Set-Cookie", None)
    resp.headers["Cache-Control"] = "no-store"  # the URL is a secret: no shared cache keeps it
    resp.headers["X-Robots-Tag"] = "noindex"
    return resp


@bp.get("/v1/<feed_key>/google-product-reviews.xml")
def google_product_reviews(feed_key: str):
    store = feeds.store_by_feed_key(feed_key)
    if store is None:
        abort(404)
    return Response(feeds.stream_feed(store), mimetype="application/xml")
