"""The OpenAPI 3 document for /api/v1, kept beside the validators it describes."""

from __future__ import annotations

from .services.intake import MAX_ITEMS

_ERROR = {
    "type": "object",
    "required": ["error", "message", "fields"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}, "fields": {"type": "object"}},
}

_ITEM = {
    "type": "object",
    "required": ["sku", "name"],
    "properties": {
        "sku": {"type": "string", "minLength": 1, "maxLength": 64},
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "url": {"type": "string", "format": "uri", "maxLength": 2048},
        "image_url": {"type": "string", "format": "uri", "maxLength": 2048},
    },
}

_DELIVERY = {
    "type": "object",
    "required": ["order_id", "delivered_at", "customer"],
    "properties": {
        "order_id": {"type": "string", "minLength": 1, "maxLength": 64},
        "delivered_at": {"type": "string", "format": "date-time"},
        "customer": {
            "type": "object",
            "required": ["email"],
            "properties": {
                "email": {"type": "string", "format": "email", "maxLength": 254},
                "name": {"type": "string", "maxLength": 120},
                "locale": {"type": "string", "example": "es-MX"},
            },
        },
        "items": {"type": "array", "maxItems": MAX_ITEMS, "items": _ITEM},
    },
    "example": {
        "order_id": "1001",
        "delivered_at": "2026-11-20T15:04:00-06:00",
        "customer": {"email": "ana@example.com", "name": "Ana", "locale": "es-MX"},
        "items": [{"sku": "TAZA-01", "name": "Taza de barro"}],
    },
}

_RESULT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "order_id": {"type": "string"},
        "status": {"type": "string", "enum": ["scheduled", "suppressed", "withdrawn"]},
        "send_at": {"type": ["string", "null"], "format": "date-time"},
        "suppressed_reason": {"type": ["string", "null"]},
    },
}


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
