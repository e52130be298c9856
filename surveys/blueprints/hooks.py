"""Platform webhooks (/hooks): Shopify, WooCommerce and WhatsApp. Verify, persist, answer fast.

The store is the one whose secret verifies the raw body; an unknown slug and a
bad signature get the same 401. Events are applied by the worker.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, jsonify, request
from flask_babel import lazy_gettext as _l

from ..extensions import csrf, db
from ..http import json_error
from ..parsing import Invalid, json_body
from ..services import privacy, tenancy, webhooks
from ..services.whatsapp import inbound as whatsapp

bp = Blueprint("hooks", __name__)
csrf.exempt(bp)


class _Refused(Exception):
    def __init__(self, response):
        self.response = response


def _verified(header: str):
    """(store, body) for a body signed with the URL's store secret, else a 401/422 answer."""
    store = tenancy.get_store_by_slug(request.view_args["slug"])
    raw = request.get_data(cache=True)
    if store is None or not webhooks.signature_valid(store, raw, request.headers.get(header)):
        raise _Refused(
            json_error(401, "invalid_signature", _l("the HMAC signature does not match this store's secret"))
        )
    try:
        body = json_body(raw)
    except Invalid as exc:
        raise _Refused(json_error(422, "invalid_body", str(exc))) from None
    if not isinstance(body, dict):
        raise _Refused(json_error(422, "invalid_body", _l("the body must be a JSON object")))
    return store, body


@bp.errorhandler(_Refused)
def _refused(exc: _Refused):
    return exc.response


def _queued(store, source: str, events):
    outcomes = webhooks.record_events(store, source, events)
    db.session.commit()
    return jsonify(status=outcomes[0] if outcomes else "ignored")


@bp.post("/shopify/<slug>")
def shopify(slug: str):
    store, body = _verified("X-Shopify-Hmac-Sha256")
    if privacy.is_shopify_privacy_body(body):
        result = privacy.record_shopify_request(store, body)
        db.session.commit()
        return jsonify(status=result)
    return _queued(store, "shopify", webhooks.shopify_events(body))


@bp.post("/woocommerce/<slug>")
def woocommerce(slug: str):
    if request.mimetype == "application/x-www-form-urlencoded" and "webhook_id" in request.form:
        if tenancy.get_store_by_slug(slug) is None:
            abort(404)
        return jsonify(status="ping")  # WooCommerce's unsigned creation ping: answer, do nothing
    store, body = _verified("X-WC-Webhook-Signature")
    return _queued(store, "woocommerce", webhooks.woocommerce_events(body))


@bp.get("/whatsapp/<slug>")
def whatsapp_handshake(slug: str):
    """Meta's verification: echo hub.challenge when hub.verify_token is the store's."""
    args = request.args
    if not whatsapp.handshake(tenancy.get_store_by_slug(slug), args.get("hub.mode"), args.get("hub.verify_token")):
        return json_error(403, "verification_failed", _l("the verify token does not match this store's"))
    return Response(args.get("hub.challenge", "")[:200], mimetype="text/plain")


@bp.post("/whatsapp/<slug>")
def whatsapp_events(slug: str):
    """Statuses and replies, signed with the store's app secret (X-Hub-Signature-256)."""
    store = tenancy.get_store_by_slug(slug)
    raw = request.get_data(cache=True)
    channel = whatsapp.verified_channel(store, raw, request.headers.get("X-Hub-Signature-256"))
    if channel is None:
        return json_error(401, "invalid_signature", _l("the HMAC signature does not match this store's app secret"))
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        return json_error(422, "invalid_body", _l("the body must be a JSON object"))
    counts = whatsapp.apply_webhook(store, channel, body)
    db.session.commit()
    return jsonify(status="ok", **counts)
