"""Cross-cutting HTTP behaviour: request ids, security headers and error answers.

Every error a client can cause becomes a 4xx: JSON for machine routes
(``/api``, ``/hooks``, ``/healthz``), a page in the visitor's language otherwise.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets
from inspect import CO_COROUTINE
from types import FunctionType
from zoneinfo import ZoneInfo

from flask import Flask, Request, Response, current_app, g, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from flask_babel import get_locale, gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from .errors import DomainError
from .extensions import db
from .models import MAX_ROW_ID
from .reading import scoring

log = logging.getLogger("surveys.http")

MACHINE_PREFIXES = ("/api/", "/hooks/", "/healthz", "/feeds/")


# Characters that end a <script> element or an HTML comment, or a JavaScript line in old engines,
# written as the JSON escapes they equal (they only ever occur inside JSON strings). Replaced one
# by one, and only when present: str.translate with a table looks up every character of the text
# in Python (a third of a millisecond for a page of reviews), ``in`` and ``replace`` scan in C. No
# escape contains another character of the list, so the order of the replacements does not matter.
_SCRIPT_UNSAFE = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("'", "\\u0027"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def script_safe(text: str) -> str:
    """``text`` (JSON) with the characters of _SCRIPT_UNSAFE written as their escapes."""
    for unsafe, escape in _SCRIPT_UNSAFE:
        if unsafe in text:
            text = text.replace(unsafe, escape)
    return text


def script_safe_json(obj, **kwargs) -> str:
    """JSON that may be pasted inside ``<script>`` (JSON-LD) or an HTML attribute as it is:
    ``</script>`` in a review becomes ``\\u003c/script\\u003e``, the same string once parsed."""
    return script_safe(json.dumps(obj, **kwargs))


class ScriptSafeJSONProvider(DefaultJSONProvider):
    """Every JSON the app writes (``jsonify``, templates' ``tojson``) is safe in a script context."""

    def dumps(self, obj, **kwargs) -> str:
        return script_safe(super().dumps(obj, **kwargs))


def wants_json() -> bool:
    if request.path.startswith(MACHINE_PREFIXES):
        return True
    if request.path.startswith("/widget/") and request.path.endswith((".json", "/jsonld")):
        return True
    return request.headers.get("X-Requested-With") == "fetch"


def json_error(status: int, code: str, message: str, fields: dict | None = None):
    # messages may be lazily translated strings: JSON gets them rendered in the client's language
    resp = jsonify({"error": code, "message": str(message), "fields": {k: str(v) for k, v in (fields or {}).items()}})
    resp.status_code = status
    return resp


def _is_staff_page() -> bool:
    return request.path.startswith("/staff/") or request.path == "/staff"


def speak_to_member() -> None:
    """On a staff page that failed before the console's guard ran (a CSRF or method error), speak
    the signed-in member's language rather than the browser's."""
    if g.get("locale") or not _is_staff_page():
        return
    from flask_login import current_user

    from .i18n import use_locale

    try:
        lang = current_user.locale if current_user.is_authenticated else None
    except Exception:  # an error page must never fail: the browser's language then
        log.exception("member locale unavailable on an error page")
        return
    if lang:
        use_locale(lang)


def page_error(status: int, message: str | None = None, store=None):
    if _is_staff_page():
        template = "staff/error.html"  # staff errors inside the console, never the customer's pages
        message = _staff_messages().get(status, message)
    else:
        template = {404: "errors/404.html", 410: "errors/410.html"}.get(status, "errors/error.html")
    try:
        page = render_template(template, status=status, message=message, store=store)
        return Response(page, status=status, mimetype="text/html")
    except Exception:  # the error page itself must never fail: plain text as a last resort
        log.exception("error page failed to render")
        return Response(f"Error {status}", status=status, mimetype="text/plain")


def _http_messages() -> dict[int, str]:
    return {
        400: gettext("The request could not be understood."),
        401: gettext("Authentication is required."),
        403: gettext("You are not allowed to do this."),
        404: gettext("This page does not exist or the link is not valid."),
        405: gettext("This method is not allowed here."),
        409: gettext("This was already done."),
        410: gettext("This link has expired."),
        413: gettext("The request is too large."),
        415: gettext("The request must be JSON (Content-Type: application/json)."),
        422: gettext("Some fields are not valid."),
        429: gettext("Too many requests; please slow down."),
        500: gettext("Something went wrong on our side. Nothing was lost; please try again."),
        503: gettext("We are busy right now. Nothing was lost; please try again in a moment."),
    }


def _staff_messages() -> dict[int, str]:
    return {
        404: gettext("This page does not exist, or it is not part of this store."),
        410: gettext("This link has expired or was already used. Ask for a new one."),
    }


_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def brand_color(value: str | None) -> str:
    """Only a #rrggbb colour reaches CSS; anything else falls back to the default."""
    return value if value and _HEX.match(value) else "#0f766e"


def local_time(value, tz_name: str) -> str:
    """A UTC datetime shown on the shop's clock: '2026-11-24 12:00 (America/Mexico_City)'."""
    if value is None:
        return "—"
    return f"{value.astimezone(ZoneInfo(tz_name)):%Y-%m-%d %H:%M} ({tz_name})"


# What a reviews.json answer carries, also when the micro-cache answers it before Flask.
WIDGET_HEADERS = [
    ("Access-Control-Allow-Origin", "*"),
    ("Cache-Control", "public, max-age=60"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("X-Frame-Options", "DENY"),
]


class App(Flask):
    """Flask, asking whether a hook or view is a coroutine function once per plain function
    object's code flags instead of through ``inspect`` (about seven times per request)."""

    def ensure_sync(self, func):
        if type(func) is FunctionType and not func.__code__.co_flags & CO_COROUTINE:
            if not hasattr(func, "_is_coroutine_marker"):  # inspect.markcoroutinefunction (3.12)
                return func
        return super().ensure_sync(func)


class AppRequest(Request):
    """The survey form's POST carries photos: it may be as large as SURVEY_MAX_CONTENT_LENGTH;
    every other request keeps MAX_CONTENT_LENGTH. Decided by the matched route, before anything
    (the CSRF check included) reads the body."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and current_app and self.endpoint == "public.submit":
            return current_app.config["SURVEY_MAX_CONTENT_LENGTH"]
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def image_response(data: bytes | None, etag: str, content_type: str, cache_control: str) -> Response:
    """An image by its content hash: ``304`` when the client has it (``data`` is then not needed)."""
    resp = Response(data or b"", mimetype=content_type) if data is not None else Response(status=304)
    resp.set_etag(etag)
    resp.headers["Cache-Control"] = cache_control
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session with its serializer built once per set of keys, instead of
    once when the request opens the session and again when it saves it (same keys, salt, format)."""

    _cached: tuple | None = None

    def get_signing_serializer(self, app):
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = self._cached
        if cached is None or cached[0] != keys:
            cached = self._cached = (keys, super().get_signing_serializer(app))
        return cached[1]

    def open_session(self, app, request):
        """As Flask's; a request without any cookie (every widget, API and webhook call, a first
        visit) gets its new empty session without looking up the serializer or parsing cookies."""
        if "HTTP_COOKIE" not in request.environ and app.secret_key:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        """As Flask's, without working out the cookie's name, domain, path and flags when there is
        nothing to write or delete (an empty session left unmodified: every widget request, every
        API call), which is most requests."""
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


class RowIdConverter(IntegerConverter):
    """`<id:name>`: a positive integer that fits the tables' keys (32-bit INTEGER on PostgreSQL);
    anything else is a 404, never an overflow inside the database driver."""

    def __init__(self, url_map, **kwargs):
        super().__init__(url_map, min=1, max=MAX_ROW_ID)


def register(app) -> None:
    app.add_template_filter(brand_color, "brand_color")
    app.add_template_filter(local_time, "local_time")
    app.jinja_env.tests.update(scoring.jinja_tests())
    app.add_template_global(get_locale, "get_locale")

    @app.before_request
    def _request_id():
        # one read of the system's randomness for both: token_hex(8) and token_urlsafe(16) made two
        raw = secrets.token_bytes(24)
        incoming = request.environ.get("HTTP_X_REQUEST_ID", "")
        g.request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else raw[:8].hex()
        g.csp_nonce = base64.urlsafe_b64encode(raw[8:]).rstrip(b"=").decode("ascii")

    @app.before_request
    def _no_nul():
        """A NUL character is never meaningful input, and PostgreSQL cannot store one: refuse it
        in any query or form field (JSON bodies are checked by parsing.json_body). A page whose
        forms read every field (a blueprint lists it in ``app.extensions["nul_to_form"]``) gets
        the value instead and says the error beside its field, keeping what else was typed; a NUL
        in a field's name is refused everywhere."""
        # only a POST's body is read as a form (a GET's never is)
        reads_form = request.method not in ("GET", "HEAD") and not request.path.startswith(MACHINE_PREFIXES)
        query = request.environ.get("QUERY_STRING", "")
        if not reads_form and "%00" not in query and "\x00" not in query:
            return None  # a query string spells a NUL only as %00 (or as the raw byte)
        fields = [request.args, request.form] if reads_form else [request.args]
        pairs = [(k, v) for multi in fields for k, v in multi.items(multi=True)]
        if request.endpoint in current_app.extensions.get("nul_to_form", ()) and not wants_json():
            pairs = [(k, "") for k, _ in pairs]  # the form says it beside the field
        bad = next((k for k, v in pairs if "\x00" in k or "\x00" in v), None)
        if bad is not None:
            message = gettext("The request contains a NUL character, which is not allowed.")
            if wants_json():
                return json_error(422, "validation_failed", message, {bad.replace("\x00", ""): message})
            return page_error(400, message)
        return None

    @app.after_request
    def _headers(resp):
        # The names already set, read once: each lookup in Headers scans the list and lowercases
        # every name (about a twentieth of a widget 304 went into these few lines).
        headers = resp.headers
        present = {key.lower() for key in headers.keys()}
        headers["X-Request-Id"] = g.get("request_id", "")
        if "x-content-type-options" not in present:
            headers.add("X-Content-Type-Options", "nosniff")
        if "referrer-policy" not in present:
            headers.add("Referrer-Policy", "same-origin")
        csp = headers.get("Content-Security-Policy") if "content-security-policy" in present else None
        if csp is None:
            csp = (
                "default-src 'self'; img-src 'self' data: blob: https:; script-src 'self'; "
                f"style-src 'self' 'nonce-{g.get('csp_nonce', '')}'; "
                "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
            )
            headers.add("Content-Security-Policy", csp)
        if "frame-ancestors 'none'" in csp and "x-frame-options" not in present:
            headers.add("X-Frame-Options", "DENY")  # only the widget frame may be framed
        if request.is_secure and "strict-transport-security" not in present:
            headers.add("Strict-Transport-Security", "max-age=31536000")
        return resp

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        db.session.rollback()
        if wants_json():
            return json_error(exc.status, exc.code, exc.message, exc.fields)
        if getattr(exc, "locale", None):
            from .i18n import use_locale

            use_locale(exc.locale)
        return page_error(exc.status, _http_messages().get(exc.status), getattr(exc, "store", None))

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        db.session.rollback()
        speak_to_member()
        if wants_json():
            return json_error(400, "csrf_failed", exc.description)
        return page_error(400, gettext("This form has expired. Please go back, reload the page and send it again."))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        db.session.rollback()
        speak_to_member()
        status = exc.code or 500
        message = _http_messages().get(status, exc.description)
        if wants_json():
            resp = json_error(status, (exc.name or "error").lower().replace(" ", "_"), message)
            if status == 405 and exc.valid_methods:
                resp.headers["Allow"] = ", ".join(exc.valid_methods)
        else:
            resp = page_error(status, message)
        if request.path.startswith("/widget/"):  # a storefront reads the widget's errors too (no route: no hook)
            resp.headers["Access-Control-Allow-Origin"] = "*"
        return resp

    @app.errorhandler(OperationalError)
    def _database_busy(exc: OperationalError):
        db.session.rollback()
        log.error("database unavailable: %s", exc.orig)
        message = _http_messages()[503]
        resp = json_error(503, "unavailable", message) if wants_json() else page_error(503, message)
        resp.headers["Retry-After"] = "5"
        return resp

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        db.session.rollback()
        log.exception("unhandled error")
        if wants_json():
            return json_error(500, "internal_error", _http_messages()[500])
        return page_error(500, _http_messages()[500])
