"""The OpenAPI 3 document for /api/v1, kept beside the validators it describes."""

from __future__ import annotations

from flask import current_app

from .models import REVIEW_STATES, TASK_STATES
from .schemas import CANCEL_RESULT, DELIVERY, DELIVERY_RESULT, ERROR, INVITATION, MODERATION, REVIEW, TASK

_RESULT = DELIVERY_RESULT
_DELIVERY = DELIVERY
_ERROR = ERROR


def _errors(*codes: int) -> dict:
    return {str(c): {"description": "error", "content": {"application/json": {"schema": _ERROR}}} for c in codes}


def _page_of(item: dict) -> dict:
    """A page of a list endpoint: the items and the cursor of the next page."""
    return {
        "type": "object",
        "required": ["data", "next_cursor"],
        "properties": {"data": {"type": "array", "items": item}, "next_cursor": {"type": ["string", "null"]}},
    }


def _status_param(states) -> dict:
    return {"name": "status", "in": "query", "required": False, "schema": {"type": "string", "enum": list(states)}}


def _json(schema: dict, description: str = "ok", example: dict | None = None) -> dict:
    media = {"schema": schema}
    if example is not None:
        media["example"] = example
    return {"description": description, "content": {"application/json": media}}


_RESULT_EXAMPLE = {
    "id": 42,
    "order_id": "1001",
    "status": "scheduled",
    "send_at": "2026-11-22T21:04:00+00:00",
    "suppressed_reason": None,
}
_REVIEW_EXAMPLE = {
    "id": 7,
    "sku": "TAZA-01",
    "rating": 2,
    "title": "Llegó rota",
    "body": "Una de las asas venía despegada.",
    "author": "Ana L.",
    "status": "pending",
    "flags": [],
    "consent": True,
    "reject_reason": None,
    "language": "es",
    "sentiment": "negative",
    "reply": None,
    "created_at": "2026-11-20T18:02:11+00:00",
    "updated_at": "2026-11-20T18:02:11+00:00",
}
_BATCH_EXAMPLE = {
    "results": [
        {"index": 0, "status_code": 201, **_RESULT_EXAMPLE},
        {
            "index": 1,
            "status_code": 422,
            "order_id": "1002",
            "error": "validation_failed",
            "fields": {"customer.email": "not a valid email address"},
        },
    ],
    "created": 1,
    "duplicate": 0,
    "rejected": 1,
}
_RESPONSES_EXAMPLE = {
    "data": [
        {
            "id": 7,
            "order_id": "1001",
            "nps": 9,
            "nps_category": "promoter",
            "csat": None,
            "comment": "Llegó rapidísimo",
            "language": "es",
            "sentiment": {"label": "positive", "polarity": 0.61, "confidence": 0.7},
            "topics": ["delivery"],
            "hidden_detractor": False,
            "task_status": None,
            "channel": "whatsapp",
        }
    ],
    "next_cursor": None,
}
_INVITATION_EXAMPLE = {
    "order_id": "1001",
    "status": "sent",
    "suppressed_reason": None,
    "channel": "whatsapp",
    "send_at": "2026-11-22T21:04:00+00:00",
    "sent_at": "2026-11-22T21:04:10+00:00",
    "reminder_sent_at": None,
    "answered_at": None,
    "email": {"state": None},
    "whatsapp": {"state": "read", "error": None, "updated_at": "2026-11-22T21:30:00+00:00"},
    "fell_back_to_email_at": None,
    "replies": [
        {"kind": "reply", "body": "¿Cuándo llega el otro paquete?", "received_at": "2026-11-22T21:31:00+00:00"}
    ],
}
_TASKS_EXAMPLE = {
    "data": [
        {
            "id": 3,
            "response_id": 7,
            "order_id": "1001",
            "reason": "detractor",
            "status": "open",
            "assignee": None,
            "first_contact_due_at": "2026-11-23T18:00:00+00:00",
            "first_contact_at": None,
            "resolution_due_at": "2026-11-25T18:00:00+00:00",
            "resolved_at": None,
            "resolution": None,
            "overdue": False,
            "escalated": False,
        }
    ],
    "next_cursor": None,
}
_METRICS_EXAMPLE = {
    "nps": {
        "score": 50.0,
        "moe95": 13.1,
        "n": 100,
        "promoters": 60,
        "passives": 30,
        "detractors": 10,
        "small_sample": False,
    },
    "csat": {"score": None, "moe95": None, "n": 0, "ci95": None, "small_sample": True},
    "invitations_sent": 160,
    "response_rate": 0.625,
    "response_rate_by_channel": {
        "email": {"sent": 60, "answered": 27, "response_rate": 0.45},
        "whatsapp": {"sent": 100, "answered": 73, "response_rate": 0.73},
    },
    "recovery": {
        "open": 2,
        "overdue": 0,
        "sla_met_pct": 92.3,
        "median_first_contact_minutes": 74.0,
        "median_resolution_minutes": 410.0,
        "recovery_rate": 0.71,
        "followups_answered": 7,
    },
}


DESCRIPTION = """Postventa's API for shop systems: report deliveries (each schedules one survey), withdraw
cancelled orders, and read back responses, recovery tasks, reviews and metrics.

Authenticate every call with the store's API key: `Authorization: Bearer <api_key>`.
Errors are JSON `{"error": "<code>", "message": "...", "fields": {...}}`.

Every operation counts against the store's quota (`SURVEYS_API_RATE_LIMIT`, 600 per minute by
default; calls with a wrong or missing key count against the caller's address instead). Over it,
the answer is `429` with a `Retry-After` header giving the seconds to wait; answers to a verified
key carry `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`."""

TAGS = [
    {"name": "Deliveries", "description": "Delivered orders in, invitations withdrawn and looked up"},
    {"name": "Responses", "description": "The customers' answers, scored and read"},
    {"name": "Recovery", "description": "Tasks opened for unhappy customers"},
    {"name": "Reviews", "description": "Product reviews and their moderation"},
    {"name": "Metrics", "description": "NPS, CSAT and recovery figures"},
]

_TOO_MANY = {
    "description": "too many requests: wait the number of seconds in Retry-After",
    "headers": {
        "Retry-After": {
            "description": "seconds to wait before the next call",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        }
    },
    "content": {"application/json": {"schema": _ERROR}},
}


def document() -> dict:
    """The document, with every operation's throttled answer and the configured server."""
    doc = _document()
    doc["info"]["description"] = DESCRIPTION
    doc["servers"] = [{"url": current_app.config["BASE_URL"], "description": "this Postventa"}]
    doc["tags"] = TAGS
    for ops in doc["paths"].values():
        for op in ops.values():
            op["responses"]["429"] = _TOO_MANY  # every /api/v1 call is throttled (see DESCRIPTION)
    return doc


def _document() -> dict:
    idem = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "maxLength": 128},
    }
    cursor = {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"}}
    limit = {
        "name": "limit",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Postventa API", "version": "1.0.0"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/deliveries": {
                "post": {
                    "operationId": "reportDelivery",
                    "tags": ["Deliveries"],
                    "summary": "Report a delivered order",
                    "parameters": [idem],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": _DELIVERY}}},
                    "responses": {
                        "201": _json(_RESULT, "recorded", _RESULT_EXAMPLE),
                        "200": _json(_RESULT, "already recorded", _RESULT_EXAMPLE),
                        **_errors(401, 413, 415, 422),
                    },
                }
            },
            "/api/v1/deliveries/batch": {
                "post": {
                    "operationId": "reportDeliveries",
                    "tags": ["Deliveries"],
                    "summary": "Report up to 1000 deliveries",
                    "parameters": [idem],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["deliveries"],
                                    "properties": {
                                        "deliveries": {"type": "array", "maxItems": 1000, "items": _DELIVERY}
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json({"type": "object"}, "per-item results", _BATCH_EXAMPLE),
                        **_errors(401, 413, 415, 422),
                    },
                }
            },
            "/api/v1/deliveries/{order_id}/cancel": {
                "post": {
                    "operationId": "cancelDelivery",
                    "tags": ["Deliveries"],
                    "summary": "Withdraw the invitation of a cancelled or refunded order",
                    "description": "A scheduled invitation is withdrawn; one already sent or answered keeps its "
                    "status (no reminder follows) and the answer says which.",
                    "parameters": [{"name": "order_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {
                        "200": _json(
                            CANCEL_RESULT, "withdrawn", {**_RESULT_EXAMPLE, "status": "withdrawn", "send_at": None}
                        ),
                        **_errors(401, 404),
                    },
                }
            },
            "/api/v1/invitations/{order_id}": {
                "get": {
                    "operationId": "getInvitation",
                    "tags": ["Deliveries"],
                    "summary": "An order's invitation: status, channel (email or WhatsApp), delivery states, replies",
                    "parameters": [{"name": "order_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": _json(INVITATION, "ok", _INVITATION_EXAMPLE), **_errors(401, 404)},
                }
            },
            "/api/v1/responses": {
                "get": {
                    "operationId": "listResponses",
                    "tags": ["Responses"],
                    "summary": "Responses, oldest update first",
                    "parameters": [
                        {
                            "name": "updated_since",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "format": "date-time"},
                        },
                        cursor,
                        limit,
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "data": {"type": "array", "items": {"type": "object"}},
                                    "next_cursor": {"type": ["string", "null"]},
                                },
                            },
                            "ok",
                            _RESPONSES_EXAMPLE,
                        ),
                        **_errors(401, 422),
                    },
                }
            },
            "/api/v1/tasks": {
                "get": {
                    "operationId": "listTasks",
                    "tags": ["Recovery"],
                    "summary": "Recovery tasks, oldest first",
                    "parameters": [
                        _status_param(TASK_STATES),
                        cursor,
                    ],
                    "responses": {
                        "200": _json(
                            _page_of(TASK),
                            "ok",
                            _TASKS_EXAMPLE,
                        ),
                        **_errors(401, 422),
                    },
                }
            },
            "/api/v1/reviews": {
                "get": {
                    "operationId": "listReviews",
                    "tags": ["Reviews"],
                    "summary": "Product reviews by moderation status, oldest first",
                    "parameters": [
                        _status_param(REVIEW_STATES),
                        cursor,
                    ],
                    "responses": {
                        "200": _json(
                            _page_of(REVIEW),
                            "ok",
                            {"data": [_REVIEW_EXAMPLE], "next_cursor": None},
                        ),
                        **_errors(401, 422),
                    },
                }
            },
            "/api/v1/reviews/{review_id}/moderation": {
                "post": {
                    "operationId": "moderateReview",
                    "tags": ["Reviews"],
                    "summary": "Publish or reject a review (same rules and log as the console); optional public reply",
                    "parameters": [
                        {
                            "name": "review_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": MODERATION,
                                "example": {"action": "reject", "reason": "personal_data", "note": "phone number"},
                            }
                        },
                    },
                    "responses": {
                        "200": _json(REVIEW, "the updated review", {**_REVIEW_EXAMPLE, "status": "published"}),
                        **_errors(401, 404, 415, 422),
                    },
                }
            },
            "/api/v1/metrics": {
                "get": {
                    "operationId": "getMetrics",
                    "tags": ["Metrics"],
                    "summary": "NPS, CSAT (with 95% margins), invitations sent, response rate",
                    "parameters": [
                        {
                            "name": n,
                            "in": "query",
                            "required": False,
                            "description": "A calendar day of the store's time zone (both days included).",
                            "schema": {"type": "string", "format": "date"},
                        }
                        for n in ("from", "to")
                    ],
                    "responses": {"200": _json({"type": "object"}, "ok", _METRICS_EXAMPLE), **_errors(401, 422)},
                }
            },
        },
    }
