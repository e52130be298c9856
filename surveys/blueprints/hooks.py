"""Platform webhooks (/hooks): Shopify and WooCommerce. Verify, persist, answer fast.

The store is the one whose secret verifies the raw body; an unknown slug and a
bad signature get the same 401. Events are applied by the worker.
"""

from __future__ import annotations

import json

from flask import Blueprint, abort, g, jsonify, request

from ..extensions import csrf, db
from ..http import json_error
from ..services import privacy, tenancy, webhooks

bp = Blueprint("hooks", __name__)
csrf.exempt(bp)


def _verified_store(header: str):
    store = tenancy.get_store_by_slug(request.view_args["slug"])
    raw = request.get_data(cache=True)
    if store is None or not webhooks.signature_valid(store, raw, request.headers.get(header)):
        return None
    return store


def _json_object():
    try:
        body = json.loads(request.get_data(cache=True) or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


@bp.post("/shopify/<slug>")
def shopify(slug: str):
    store = _verified_store("X-Shopify-Hmac-Sha256")
    if store is None:
        return json_error(401, "invalid_signature", "the HMAC signature does not match this store's secret")
    body = _json_object()
    if body is None:
        return json_error(422, "invalid_body", "the body must be a JSON object")
    g.store = store
    if privacy.is_shopify_privacy_body(body):
        result = privacy.record_shopify_request(store, body)
        db.session.commit()
        return jsonify(status=result)
    outcomes = webhooks.record_events(store, "shopify", webhooks.shopify_events(body))
    db.session.commit()
    return jsonify(status="ignored" if not outcomes else outcomes[0])


@bp.post("/woocommerce/<slug>")
def woocommerce(slug: str):
    if request.mimetype == "application/x-www-form-urlencoded" and "webhook_id" in request.form:
        if tenancy.get_store_by_slug(slug) is None:
            abort(404)
        return jsonify(status="ping")  # WooCommerce's unsigned creation ping: answer, do nothing
    store = _verified_store("X-WC-Webhook-Signature")
    if store is None:
        return json_error(401, "invalid_signature", "the HMAC signature does not match this store's secret")
    body = _json_object()
    if body is None:
        return json_error(422, "invalid_body", "the body must be a JSON object")
    outcomes = webhooks.record_events(store, "woocommerce", webhooks.woocommerce_events(body))
    db.session.commit()
    return jsonify(status="ignored" if not outcomes else outcomes[0])
