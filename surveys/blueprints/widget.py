"""The storefront's public side: reviews JSON, JSON-LD, the iframe page, the embed script and
the disclosure page. No cookies, no sessions, readable from any origin.

``reviews.json`` is the hottest route: it reads one aggregate row, answers ``304`` when the
browser's ETag still matches, and only then loads one page of reviews.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os

from flask import Blueprint, Response, abort, current_app, g, render_template, request
from flask_babel import lazy_gettext as _l

from ..extensions import limiter
from ..http import image_response, json_error, script_safe
from ..i18n import use_locale
from ..microcache import etag_matches, widget_cache
from ..parsing import choice, field, integer
from ..services import photos, widget_read
from ..widget_strings import widget_strings

bp = Blueprint("widget", __name__)
limiter.exempt(bp)  # public and cacheable; a CDN or the proxy absorbs floods


@limiter.request_filter
def _not_counted() -> bool:
    """Exempt, so Flask-Limiter need not resolve the widget's limits on every request (about a
    tenth of an uncached 304); tests/blueprints/test_widget.py fails if a widget route declares one."""
    return request.blueprint == "widget"


@bp.before_request
def _read_only():
    g.db_reads_only = True  # nothing here writes: SQLite readers take no write lock


CACHE = "public, max-age=60"
# Product routes take <path:sku>: shops use "/" in SKUs (CAMISA/M), intake accepts it, and the
# embed script's %2F reaches the app decoded. The route's fixed last segment keeps them apart.
LANGS = ("es", "en")


@bp.after_request
def _public(resp):
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers.pop("Set-Cookie", None)
    resp.headers.setdefault("Cache-Control", CACHE)
    return resp


def _lang(args=None) -> str:
    raw = ((request.args if args is None else args).get("lang") or "").lower()[:2]
    return raw if raw in LANGS else "es"


def _page_lang(store_locale: str | None) -> str:
    """A page a person opens (the iframe, the policy): ``?lang=``, else the store's language, else
    the browser's (as every other public page), else Spanish. JSON keeps ``_lang``: the script sends it."""
    for raw in (request.args.get("lang"), store_locale):
        raw = (raw or "").lower()[:2]
        if raw in LANGS:
            return raw
    return request.accept_languages.best_match(LANGS) or "es"


def _product(widget_key: str, sku: str, reads: widget_read.Reads | None = None) -> widget_read.WidgetProduct:
    product = None
    if len(widget_key) <= 40 and len(sku) <= 64:
        product = widget_read.widget_product(widget_key, sku, reads)
    if product is None:
        abort(404)
    return product


def _paging(args) -> tuple[int, int]:
    errors: dict = {}
    page = field(errors, "page", integer, args.get("page", "1"), 1, 100_000)
    per_page = field(errors, "per_page", integer, args.get("per_page", "10"), 1, widget_read.MAX_PER_PAGE)
    if errors:
        raise _Invalid(errors)
    return page, per_page


class _Invalid(Exception):
    """Any bad query value (paging, filter, sort, SKU list): one 422 naming the fields."""

    def __init__(self, fields: dict):
        self.fields = fields


@bp.errorhandler(_Invalid)
def _invalid(exc: _Invalid):
    resp = json_error(422, "validation_failed", _l("The query has invalid values."), exc.fields)
    resp.headers["Cache-Control"] = "no-store"
    return resp


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # one encoder, not one per answer


def _json(body: dict, etag: str, mimetype: str = "application/json") -> Response:
    resp = Response(script_safe(_ENCODE(body)), mimetype=mimetype)
    resp.set_etag(etag)
    return resp


def _filters(args) -> tuple[int | None, str]:
    """``rating=1..5`` (only reviews with that many stars) and ``sort``; anything else is a 422."""
    errors = {}
    raw = args.get("rating", "")
    rating = field(errors, "rating", integer, raw, 1, 5) if raw else None
    sort = field(errors, "sort", choice, args.get("sort", "newest"), widget_read.SORTS)
    if errors:
        raise _Invalid(errors)
    return rating, sort


@bp.get("/v1/<widget_key>/products/<path:sku>/reviews.json")
def reviews_json(widget_key: str, sku: str):
    args, environ, config = request.args, request.environ, current_app.config
    lang = _lang(args)
    use_locale(lang)  # errors and a nameless buyer speak the widget's language, not the browser's
    rating, sort = _filters(args)
    page, per_page = _paging(args)
    ttl = config["WIDGET_CACHE_SECONDS"]
    with widget_read.Reads() as reads:  # one pooled connection, no ORM session
        product = _product(widget_key, sku, reads)
        etag = product.etag("p", page, per_page, rating or 0, sort, lang)
        key = (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
        if etag_matches(environ.get("HTTP_IF_NONE_MATCH", ""), etag):
            widget_cache.put(key, etag, None, ttl)
            return _not_modified(etag)
        photo_base = f"{config['BASE_URL'].rstrip('/')}/widget/v1/{widget_key}/photos"
        payload = widget_read.widget_payload(product, page, per_page, rating, sort, photo_base, reads)
    resp = _json(payload, etag)
    if ttl > 0:
        widget_cache.put(key, etag, resp.get_data(), ttl)
    return resp


def _not_modified(etag: str) -> Response:
    resp = Response(status=304)
    resp.set_etag(etag)
    return resp


def _skus() -> list[str]:
    """``skus=A,B,C``: up to 100 distinct SKUs of up to 64 characters, in the order given."""
    raw = request.args.get("skus", "")
    skus = list(dict.fromkeys(s.strip() for s in raw.split(",") if s.strip()))
    if not skus:
        raise _Invalid({"skus": _l("one or more SKUs separated by commas")})
    if len(skus) > widget_read.MAX_RATING_SKUS:
        raise _Invalid({"skus": _l("at most %(num)d SKUs per request", num=widget_read.MAX_RATING_SKUS)})
    if any(len(s) > 64 for s in skus):
        raise _Invalid({"skus": _l("a SKU has at most 64 characters")})
    return skus


@bp.get("/v1/<widget_key>/ratings.json")
def ratings_json(widget_key: str):
    """Stars for every product card on a page, in one request."""
    use_locale(_lang())
    skus = _skus()
    ratings = widget_read.widget_ratings(widget_key, skus) if len(widget_key) <= 40 else None
    if ratings is None:
        abort(404)
    key = (request.environ.get("PATH_INFO", ""), request.environ.get("QUERY_STRING", ""))
    if request.if_none_match.contains(ratings.etag):
        widget_cache.put(key, ratings.etag, None, current_app.config["WIDGET_CACHE_SECONDS"])
        return _not_modified(ratings.etag)
    resp = _json(ratings.found, ratings.etag)
    widget_cache.put(key, ratings.etag, resp.get_data(), current_app.config["WIDGET_CACHE_SECONDS"])
    return resp


PHOTO_CACHE = "public, max-age=31536000, immutable"  # a photo's URL never names other bytes


def _photo(widget_key: str, public_id: str, ext: str, thumb: bool) -> Response:
    """A published review's visible photo; anything else (pending, rejected, hidden, another
    store's key, a wrong extension) is the same 404."""
    found = None
    if ext == photos.EXTENSION and len(widget_key) <= 40 and len(public_id) <= 32:
        found = photos.public_photo(widget_key, public_id, thumb)
    if found is None:
        abort(404)
    data = None if request.if_none_match.contains(found.sha256) else photos.photo_bytes(found, thumb)
    resp = image_response(data, found.sha256, found.content_type, PHOTO_CACHE)
    resp.headers["Cross-Origin-Resource-Policy"] = "cross-origin"  # shown on the shops' own pages
    return resp


@bp.get("/v1/<widget_key>/photos/<public_id>.<ext>")
def photo(widget_key: str, public_id: str, ext: str):
    return _photo(widget_key, public_id, ext, thumb=False)


@bp.get("/v1/<widget_key>/photos/<public_id>/thumb.<ext>")
def photo_thumb(widget_key: str, public_id: str, ext: str):
    return _photo(widget_key, public_id, ext, thumb=True)


@bp.get("/v1/<widget_key>/products/<path:sku>/jsonld")
def jsonld(widget_key: str, sku: str):
    product = _product(widget_key, sku)
    lang = _lang()
    use_locale(lang)  # a nameless buyer's name
    etag = product.etag("ld", lang)
    if request.if_none_match.contains(etag):
        resp = Response(status=304)
        resp.set_etag(etag)
        return resp
    return _json(widget_read.jsonld(product), etag, "application/ld+json")


@bp.get("/v1/<widget_key>/products/<path:sku>/frame")
def frame(widget_key: str, sku: str):
    """For shops that cannot run scripts: the widget in its own page, framable by the store's origins."""
    product = _product(widget_key, sku)
    lang = _page_lang(widget_read.store_locale(product.store_id))
    use_locale(lang)
    ancestors = " ".join(widget_read.frame_origins(product.store_id)) or "'none'"
    resp = Response(
        render_template("widget/frame.html", product=product, widget_key=widget_key, lang=lang),
        mimetype="text/html",
    )
    resp.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self'; style-src 'self' 'nonce-{g.csp_nonce}'; img-src 'self' data:; "
        f"base-uri 'none'; object-src 'none'; form-action 'none'; frame-ancestors {ancestors}"
    )
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


@bp.get("/v1/<widget_key>/policy")
def policy(widget_key: str):
    """The store's public statement of how reviews are collected, verified and moderated."""
    store = widget_read.store_by_widget_key(widget_key)
    if store is None:
        abort(404)
    use_locale(_page_lang(store.locale))
    return render_template("widget/policy.html", store=store, counts=widget_read.public_counts(store))


@bp.get("/v1/embed.js")
def embed_js():
    """The script with its words filled in for every language (see surveys/widget_strings.py)."""
    path = os.path.join(current_app.static_folder, "widget", "embed.js")
    body, etag = _embed_script(path, os.stat(path).st_mtime_ns, tuple(current_app.config["LANGUAGES"]))
    resp = Response(body, mimetype="text/javascript")
    resp.set_etag(etag)
    resp.cache_control.public, resp.cache_control.max_age = True, 300
    return resp.make_conditional(request)


@functools.cache
def _embed_script(path: str, mtime_ns: int, languages: tuple[str, ...]) -> tuple[str, str]:
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    table = json.dumps({lang: widget_strings(lang) for lang in languages}, ensure_ascii=False)
    body = source.replace("{/* strings */}", table, 1)
    return body, hashlib.sha256(body.encode()).hexdigest()[:32]
