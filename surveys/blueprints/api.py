"""Shop systems' JSON API (/api/v1): deliveries in, responses and metrics out.

Access is checked once for the whole blueprint: a bearer API key names the store.
Only a verified key's calls count against the store's quota (API_RATE_LIMIT); failed
authentication counts against the client's address (API_AUTH_FAILURE_LIMIT).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, current_app, g, jsonify, render_template, request, send_from_directory
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..errors import DomainError, IdempotencyKeyReused, ValidationFailed
from ..extensions import csrf, db, limiter
from ..http import json_error
from ..models import REVIEW_STATES, TASK_STATES, IdempotencyRecord, utcnow
from ..parsing import Invalid, arg, choice, day, integer, json_body, timestamp
from ..schemas import BATCH_VALIDATOR, MODERATION_VALIDATOR, field_errors
from ..services import api_read, intake, metrics, reviews, tenancy, throttle
from ..services.db_util import insert_ignore
from ..services.scope import scoped

bp = Blueprint("api", __name__)
csrf.exempt(bp)
limiter.exempt(bp)  # counted below, once the key is verified (a decorator would count before)

SWAGGER_UI_FILES = Path(flask_swagger_ui.__file__).parent / "dist"
PUBLIC_ENDPOINTS = {"api.openapi", "api.docs", "api.docs_asset"}


@bp.before_request
def _authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    cfg = current_app.config
    failures = throttle.Bucket(cfg["API_AUTH_FAILURE_LIMIT"], "api-auth-failure", request.remote_addr or "unknown")
    header = request.headers.get("Authorization", "")
    store = tenancy.authenticate_api_key(header[7:].strip()) if header.startswith("Bearer ") else None
    if store is None:
        if not throttle.count([failures]):
            return _too_many(throttle.wait_seconds([failures]))
        resp = json_error(401, "unauthorized", _l("A valid API key is required: Authorization: Bearer <api_key>"))
        resp.headers["WWW-Authenticate"] = 'Bearer realm="postventa"'
        return resp
    g.store, g.api_key_prefix = store, header[7:].strip().split("_")[1]
    g.api_quota = throttle.Bucket(cfg["API_RATE_LIMIT"], "api-store", str(store.id))
    if not throttle.count([g.api_quota]):
        return _too_many(throttle.wait_seconds([g.api_quota]))
    if request.method == "POST" and (request.content_length or 0) > 0 and not request.is_json:
        return json_error(415, "unsupported_media_type", _l("Send JSON with Content-Type: application/json."))
    return None


def _too_many(wait: int):
    resp = json_error(429, "too_many_requests", gettext("Too many requests; please slow down."))
    resp.headers["Retry-After"] = str(max(wait, 1))
    return resp


@bp.after_request
def _quota_headers(resp):
    """The store's quota, on every answer to a verified key."""
    quota = g.get("api_quota")
    if quota is not None and current_app.config["RATELIMIT_HEADERS_ENABLED"]:
        limit, left, reset = throttle.remaining(quota)
        resp.headers["X-RateLimit-Limit"], resp.headers["X-RateLimit-Remaining"] = str(limit), str(left)
        resp.headers["X-RateLimit-Reset"] = str(reset)
    return resp


def _json_body():
    try:
        return json_body(request.get_data())
    except Invalid as exc:
        raise ValidationFailed(str(exc), {"": str(exc)}) from None


def _idempotent(handler):
    """Replay the stored answer for a repeated Idempotency-Key; refuse it with another body."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return handler()
    if not 1 <= len(key) <= 128:
        raise ValidationFailed(_l("Idempotency-Key must be 1 to 128 characters."), {"Idempotency-Key": "length"})
    digest = hashlib.sha256(request.get_data()).hexdigest()
    found = db.session.scalar(scoped(select(IdempotencyRecord), g.store).where(IdempotencyRecord.key == key))
    if found is not None:
        if found.request_hash != digest:
            raise IdempotencyKeyReused(_l("this Idempotency-Key was used with another body"))
        return found.body, found.status_code
    body, status = handler()
    insert_ignore(
        IdempotencyRecord,
        {"store_id": g.store.id, "key": key, "request_hash": digest, "status_code": status, "body": body},
        ["store_id", "key"],
    )
    return body, status


@bp.post("/v1/deliveries")
def create_delivery():
    def handle():
        delivery = intake.validate_delivery(_json_body(), intake.country_reader(g.store))
        result, created = intake.record_delivery(g.store, delivery)
        return result, 201 if created else 200

    body, status = _idempotent(handle)
    db.session.commit()
    return jsonify(body), status


@bp.post("/v1/deliveries/batch")
def create_deliveries_batch():
    def handle():
        payload = _json_body()
        errors = field_errors(BATCH_VALIDATOR, payload)
        if errors:
            raise ValidationFailed(_l("The batch is not valid."), errors)
        items, limit = payload["deliveries"], current_app.config["MAX_BATCH_SIZE"]
        if len(items) > limit:
            raise ValidationFailed(
                _l("At most %(limit)d deliveries per batch.", limit=limit), {"deliveries": f"max {limit}"}
            )
        return intake.record_batch(g.store, items), 200

    body, status = _idempotent(handle)
    db.session.commit()
    return jsonify(body), status


@bp.post("/v1/deliveries/<order_id>/cancel")
def cancel_delivery(order_id: str):
    result = intake.cancel_delivery(g.store, order_id)
    db.session.commit()
    return jsonify(result)


@bp.get("/v1/invitations/<order_id>")
def get_invitation(order_id: str):
    """The invitation of one order: status, channel and delivery states, WhatsApp replies."""
    from ..services.whatsapp import reporting as whatsapp_reporting

    return jsonify(whatsapp_reporting.invitation_json(g.store, order_id))


@bp.get("/v1/responses")
def list_responses():
    since_at = arg(request.args, "updated_since", timestamp, latest=utcnow() + timedelta(days=1))
    limit = arg(request.args, "limit", integer, 1, 500, default=100)
    data, cursor = api_read.list_responses(g.store, since_at, request.args.get("cursor"), limit)
    return jsonify(data=data, next_cursor=cursor)


def _status_arg(states) -> str | None:
    return arg(request.args, "status", choice, states)


@bp.get("/v1/tasks")
def list_tasks():
    data, cursor = api_read.list_tasks(g.store, _status_arg(TASK_STATES), request.args.get("cursor"))
    return jsonify(data=data, next_cursor=cursor)


@bp.get("/v1/reviews")
def list_reviews():
    data, cursor = api_read.list_reviews(g.store, _status_arg(REVIEW_STATES), request.args.get("cursor"))
    return jsonify(data=data, next_cursor=cursor)


@bp.post("/v1/reviews/<id:review_id>/moderation")
def moderate_review(review_id: int):
    payload = _json_body()
    errors = field_errors(MODERATION_VALIDATOR, payload)
    if errors:
        raise ValidationFailed(_l("The moderation request is not valid."), errors)
    review = reviews.get_review(g.store, review_id)
    actor = f"api:{g.api_key_prefix}"
    reviews.moderate(review, actor, payload["action"], payload.get("reason"), payload.get("note", ""))
    if "reply" in payload:
        reviews.set_reply(review, actor, payload["reply"])
    db.session.commit()
    return jsonify(api_read.review_json(review))


@bp.get("/v1/metrics")
def get_metrics():
    start, end = arg(request.args, "from", day), arg(request.args, "to", day)
    if start and end and start > end:
        raise ValidationFailed(_l("from must not be after to."), {"from": "after to"})
    return jsonify(metrics.store_metrics(g.store, start, end))


@bp.get("/openapi.json")
def openapi():
    from ..openapi import document

    return jsonify(document())


@bp.get("/docs")
def docs():
    """The document as a page: Swagger UI, its files served from the installed package."""
    resp = current_app.make_response(render_template("api/docs.html"))
    # Swagger UI styles elements from script (CSSOM) and its CSS carries data: icons; no other origin.
    resp.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
    )
    return resp


@bp.get("/docs/assets/<path:filename>")
def docs_asset(filename: str):
    return send_from_directory(SWAGGER_UI_FILES, filename, max_age=86400)


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    db.session.rollback()
    return json_error(exc.status, exc.code, exc.message, exc.fields)
