"""Domain exceptions raised by services and turned into pages or JSON by blueprints."""

from __future__ import annotations


class DomainError(Exception):
    """Base for errors a client can cause; carries an HTTP status and a code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str = "", fields: dict | None = None):
        super().__init__(message or self.code)
        self.message = message or self.code
        self.fields = fields or {}


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class TokenInvalid(DomainError):
    """Bad, tampered or foreign token: one generic answer, no detail."""

    status = 404
    code = "not_found"


class TokenExpired(DomainError):
    status = 410
    code = "expired"

    def __init__(self, message: str = "", fields: dict | None = None, store=None, locale: str | None = None):
        super().__init__(message, fields)
        self.store = store  # whose link it was: the page carries the shop's name and colour,
        self.locale = locale  # in the customer's language


class AlreadyAnswered(DomainError):
    """The edit window of an answered invitation is over."""

    status = 409
    code = "already_answered"


class SurveyClosed(DomainError):
    """The invitation was withdrawn (order cancelled) or never sent."""

    status = 410
    code = "closed"


class IdempotencyKeyReused(DomainError):
    status = 422
    code = "idempotency_key_reused"
