"""JSON Schemas shared by the request validators and the OpenAPI document.

One definition serves both, so what /api/openapi.json promises is what the API checks.
"""

from __future__ import annotations

import re

import fastjsonschema
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

ONE_LINE = r"^[^\r\n\x00]*$"
MAX_ITEMS = 50
MAX_BATCH = 1000

HTTP_URL = r"^https?://[^\s/?#@]+([/?#][^\s]*)?$"
GTIN = r"^([0-9]{8}|[0-9]{12,14})$"
ITEM = {
    "type": "object",
    "required": ["sku", "name"],
    "properties": {
        "sku": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": ONE_LINE},
        "name": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": ONE_LINE},
        "url": {"type": ["string", "null"], "maxLength": 2048, "pattern": HTTP_URL, "description": "product page"},
        "image_url": {"type": ["string", "null"], "maxLength": 2048, "pattern": HTTP_URL},
        "gtin": {
            "type": ["string", "null"],
            "pattern": GTIN,
            "description": "GTIN-8, UPC (12), EAN (13) or GTIN-14 digits; the check digit must match",
        },
        "mpn": {"type": ["string", "null"], "minLength": 1, "maxLength": 70, "pattern": ONE_LINE},
        "brand": {"type": ["string", "null"], "minLength": 1, "maxLength": 70, "pattern": ONE_LINE},
    },
}

CUSTOMER = {
    "type": "object",
    "required": ["email"],
    "properties": {
        "email": {"type": "string", "minLength": 3, "maxLength": 254, "format": "email"},
        "name": {"type": ["string", "null"], "maxLength": 120, "pattern": ONE_LINE},
        "locale": {"type": ["string", "null"], "maxLength": 16, "examples": ["es-MX"]},
        "phone": {
            "type": ["string", "null"],
            "maxLength": 40,
            "pattern": ONE_LINE,
            "description": "any common notation; normalised to E.164 with the store's default country",
            "examples": ["+52 55 1234 5678"],
        },
        "whatsapp_opt_in": {
            "type": ["boolean", "null"],
            "description": "the customer agreed to hear from the shop on WhatsApp (absent: false for a new"
            " customer, unchanged for a known one)",
        },
    },
}

DELIVERY = {
    "type": "object",
    "required": ["order_id", "delivered_at", "customer"],
    "properties": {
        "order_id": {"type": ["string", "integer"], "minLength": 1, "maxLength": 64, "pattern": ONE_LINE},
        "delivered_at": {
            "type": "string",
            "format": "date-time",
            "maxLength": 40,
            "description": "ISO 8601 with a timezone offset",
        },
        "customer": CUSTOMER,
        "items": {"type": "array", "maxItems": MAX_ITEMS, "items": ITEM},
    },
    "examples": [
        {
            "order_id": "1001",
            "delivered_at": "2026-11-20T15:04:00-06:00",
            "customer": {"email": "ana@example.com", "name": "Ana", "locale": "es-MX"},
            "items": [
                {
                    "sku": "TAZA-01",
                    "name": "Taza de barro",
                    "url": "https://tienda.example/taza",
                    "image_url": "https://tienda.example/img/taza.jpg",
                    "gtin": "7501234567893",
                    "mpn": "TB-350",
                    "brand": "Barro & Co",
                }
            ],
        }
    ],
}

BATCH = {
    "type": "object",
    "required": ["deliveries"],
    "properties": {"deliveries": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH, "items": {"type": "object"}}},
}

ERROR = {
    "type": "object",
    "required": ["error", "message", "fields"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}, "fields": {"type": "object"}},
}

DELIVERY_RESULT = {
    "type": "object",
    "required": ["id", "order_id", "status", "send_at"],
    "properties": {
        "id": {"type": "integer"},
        "order_id": {"type": "string"},
        "status": {"type": "string", "enum": ["scheduled", "suppressed", "withdrawn"]},
        "send_at": {"type": ["string", "null"], "format": "date-time"},
        "suppressed_reason": {"type": ["string", "null"]},
    },
}

# A cancellation's answer: the delivery's shape, with the invitation's status as it is now.
CANCEL_RESULT = {
    **DELIVERY_RESULT,
    "properties": {
        **DELIVERY_RESULT["properties"],
        "status": {
            "type": "string",
            "enum": ["scheduled", "sent", "answered", "suppressed", "withdrawn", "bounced", "expired"],
        },
    },
}

INVITATION = {
    "type": "object",
    "required": ["order_id", "status", "channel", "email", "whatsapp", "replies"],
    "properties": {
        "order_id": {"type": "string"},
        "status": {
            "type": "string",
            "enum": ["scheduled", "sent", "answered", "suppressed", "withdrawn", "bounced", "expired"],
        },
        "suppressed_reason": {"type": ["string", "null"]},
        "channel": {"type": ["string", "null"], "enum": ["email", "whatsapp", None], "description": "null until sent"},
        "send_at": {"type": ["string", "null"], "format": "date-time"},
        "sent_at": {"type": ["string", "null"], "format": "date-time"},
        "reminder_sent_at": {"type": ["string", "null"], "format": "date-time"},
        "answered_at": {"type": ["string", "null"], "format": "date-time"},
        "email": {
            "type": "object",
            "properties": {
                "state": {"type": ["string", "null"], "enum": ["queued", "sent", "bounced", "failed", None]}
            },
        },
        "whatsapp": {
            "type": "object",
            "properties": {
                "state": {"type": ["string", "null"], "enum": ["queued", "sent", "delivered", "read", "failed", None]},
                "error": {"type": ["string", "null"]},
                "updated_at": {"type": ["string", "null"], "format": "date-time"},
            },
        },
        "fell_back_to_email_at": {"type": ["string", "null"], "format": "date-time"},
        "replies": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "enum": ["reply", "unsubscribe"]},
                    "body": {"type": ["string", "null"]},
                    "received_at": {"type": "string", "format": "date-time"},
                },
            },
        },
    },
}

TASK = {
    "type": "object",
    "required": [
        "id",
        "response_id",
        "order_id",
        "reason",
        "status",
        "assignee",
        "first_contact_due_at",
        "first_contact_at",
        "resolved_at",
        "resolution",
        "overdue",
    ],
    "properties": {
        "id": {"type": "integer"},
        "response_id": {"type": "integer"},
        "order_id": {"type": "string"},
        "reason": {"type": "string", "enum": ["detractor", "low_csat", "hidden_detractor", "negative_review"]},
        "status": {"type": "string", "enum": ["open", "contacted", "resolved", "dismissed"]},
        "assignee": {"type": ["string", "null"]},
        "first_contact_due_at": {"type": "string", "format": "date-time"},
        "first_contact_at": {"type": ["string", "null"], "format": "date-time"},
        "resolution_due_at": {"type": "string", "format": "date-time"},
        "resolved_at": {"type": ["string", "null"], "format": "date-time"},
        "resolution": {"type": ["string", "null"]},
        "overdue": {"type": "boolean"},
        "escalated": {"type": "boolean"},
    },
}

REVIEW = {
    "type": "object",
    "required": ["id", "sku", "rating", "title", "body", "author", "status", "flags", "created_at"],
    "properties": {
        "id": {"type": "integer"},
        "sku": {"type": "string"},
        "rating": {"type": "integer", "minimum": 1, "maximum": 5},
        "title": {"type": ["string", "null"]},
        "body": {"type": ["string", "null"]},
        "author": {"type": "string"},
        "status": {"type": "string", "enum": ["pending", "published", "rejected", "private"]},
        "flags": {
            "type": "array",
            "items": {"type": "string", "enum": ["abuse", "personal_data", "link", "off_topic", "markup"]},
        },
        "consent": {"type": "boolean"},
        "reject_reason": {"type": ["string", "null"]},
        "language": {"type": ["string", "null"]},
        "sentiment": {"type": ["string", "null"]},
        "reply": {"type": ["string", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
}
MODERATION = {
    "type": "object",
    "required": ["action"],
    "additionalProperties": False,
    "properties": {
        "action": {"type": "string", "enum": ["publish", "reject"]},
        "reason": {
            "type": "string",
            "enum": ["abuse", "personal_data", "link", "off_topic", "markup"]
            + ["not_about_product", "duplicate", "other"],
        },
        "note": {"type": "string", "maxLength": 500},
        "reply": {"type": "string", "maxLength": 2000},
    },
}

_REQUIRED = re.compile(r"'(.+)' is a required property")


class Validator:
    """One schema's validators. Valid payloads (nearly all) are confirmed by a compiled
    fastjsonschema validator of the same schema; only invalid ones pay for the full error walk
    of ``jsonschema``, which is imported then (about 3 MB that most web workers never need)."""

    def __init__(self, schema: dict, fast_formats: dict | None = None, fast: bool = True):
        self.schema = schema
        self.fast = fastjsonschema.compile(schema, formats=fast_formats or {}) if fast else None
        self._full = None

    def iter_errors(self, payload):
        if self._full is None:
            from jsonschema import Draft202012Validator

            self._full = Draft202012Validator(self.schema)
        return self._full.iter_errors(payload)


def field_errors(validator: Validator, payload) -> dict[str, str]:
    """jsonschema errors as {"customer.email": "required", "items.0.sku": "at most 64 characters"}."""
    if validator.fast is not None:
        try:
            validator.fast(payload)
            return {}
        except fastjsonschema.JsonSchemaException:
            pass
    out: dict[str, str] = {}
    for error in validator.iter_errors(payload):
        path = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "required":
            missing = _REQUIRED.search(error.message)
            path = ".".join(p for p in (path, missing.group(1) if missing else "") if p)
        out.setdefault(path, _message(error.validator, error.validator_value))
    return out


def _message(kind: str, value) -> str:
    """One schema error in the request's language (the client reads it beside a translated message)."""
    if kind == "required" or (kind == "minLength" and value == 1):
        return gettext("required")
    if kind == "type":
        kinds = [str(_TYPES.get(k, k)) for k in (value if isinstance(value, list) else [value])]
        return gettext("must be %(kinds)s", kinds=gettext(" or ").join(kinds))
    if kind == "minLength":
        return gettext("at least %(n)d characters", n=value)
    if kind == "maxLength":
        return gettext("at most %(n)d characters", n=value)
    if kind == "maxItems":
        return ngettext("at most %(num)d item", "at most %(num)d items", value)
    if kind == "minItems":
        return ngettext("at least %(num)d item", "at least %(num)d items", value)
    if kind == "pattern":
        if value == HTTP_URL:
            return gettext("must be an http(s) URL")
        return gettext("must be a GTIN: 8, 12, 13 or 14 digits") if value == GTIN else gettext("must be a single line")
    return gettext("invalid")


_TYPES = {
    "object": _l("object"),
    "array": _l("array"),
    "string": _l("string"),
    "integer": _l("integer"),
    "number": _l("number"),
    "boolean": _l("boolean"),
}


DELIVERY_VALIDATOR = Validator(DELIVERY, fast_formats={"email": ".", "date-time": "."})
BATCH_VALIDATOR = Validator(BATCH)
MODERATION_VALIDATOR = Validator(MODERATION, fast=False)
