"""The OpenAPI 3 document for /api/v1, kept beside the validators it describes."""

from __future__ import annotations

from .schemas import DELIVERY, DELIVERY_RESULT, ERROR, TASK

_RESULT = DELIVERY_RESULT
_DELIVERY = DELIVERY
_ERROR = ERROR


def _errors(*codes: int) -> dict:
    return {str(c): {"description": "error", "content": {"application/json": {"schema": _ERROR}}} for c in codes}


def _json(schema: dict, description: str = "ok") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def document() -> dict:
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
                    "summary": "Report a delivered order",
                    "parameters": [idem],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": _DELIVERY}}},
                    "responses": {
                        "201": _json(_RESULT, "recorded"),
                        "200": _json(_RESULT, "already recorded"),
                        **_errors(401, 413, 415, 422),
                    },
                }
            },
            "/api/v1/deliveries/batch": {
                "post": {
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
                    "responses": {"200": _json({"type": "object"}, "per-item results"), **_errors(401, 413, 415, 422)},
                }
            },
            "/api/v1/deliveries/{order_id}/cancel": {
                "post": {
                    "summary": "Withdraw the invitation of a cancelled or refunded order",
                    "parameters": [{"name": "order_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": _json(_RESULT), **_errors(401, 404)},
                }
            },
            "/api/v1/responses": {
                "get": {
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
                            }
                        ),
                        **_errors(401, 422),
                    },
                }
            },
            "/api/v1/tasks": {
                "get": {
                    "summary": "Recovery tasks, oldest first",
                    "parameters": [
                        {
                            "name": "status",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": ["open", "contacted", "resolved", "dismissed"]},
                        },
                        cursor,
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["data", "next_cursor"],
                                "properties": {
                                    "data": {"type": "array", "items": TASK},
                                    "next_cursor": {"type": ["string", "null"]},
                                },
                            }
                        ),
                        **_errors(401, 422),
                    },
                }
            },
            "/api/v1/metrics": {
                "get": {
                    "summary": "NPS, CSAT (with 95% margins), invitations sent, response rate",
                    "parameters": [
                        {"name": n, "in": "query", "required": False, "schema": {"type": "string", "format": "date"}}
                        for n in ("from", "to")
                    ],
                    "responses": {"200": _json({"type": "object"}), **_errors(401, 422)},
                }
            },
        },
    }
