"""Signed, purpose-bound links: for customers (survey, unsubscribe, follow-up) and for
staff (store invitation, password reset), each checked with an explicit max_age.

itsdangerous signs but does not encrypt: the payload is only the invitation's
random public id. Each purpose has its own salt, so a token cannot be replayed
for another purpose. Rotation: the newest key signs, every key in
SECRET_KEY_FALLBACKS still verifies.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
from datetime import datetime, timezone

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..errors import TokenExpired, TokenInvalid

PURPOSES = {
    "survey": "postventa.survey.v1",
    "unsubscribe": "postventa.unsubscribe.v1",
    "followup": "postventa.followup.v1",
    "staff_invite": "postventa.staff-invite.v1",
    "password_reset": "postventa.password-reset.v1",
    "device": "postventa.staff-device.v1",
}


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    cfg = current_app.config
    return _built(purpose, (*cfg["SECRET_KEY_FALLBACKS"], cfg["SECRET_KEY"]))  # last one signs


@functools.lru_cache(maxsize=64)
def _built(purpose: str, keys: tuple) -> URLSafeTimedSerializer:
    """One serializer per purpose and set of keys (a test app with other keys gets its own)."""
    return URLSafeTimedSerializer(list(keys), salt=PURPOSES[purpose])


def issue_token(purpose: str, public_id: str) -> str:
    """Sign ``public_id`` for one purpose."""
    return _serializer(purpose).dumps(public_id)


def read_token(purpose: str, token: str, max_age: int | None = None) -> tuple[str, datetime]:
    """Return (public_id, issued_at) or raise TokenInvalid / TokenExpired.

    ``max_age`` in seconds; by default the global cap (MAX_TOKEN_AGE_DAYS), and the
    store's own, shorter lifetime is checked by the caller once the store is known.
    """
    if max_age is None:
        max_age = current_app.config["MAX_TOKEN_AGE_DAYS"] * 86400
    if not token or len(token) > 200:
        raise TokenInvalid()
    try:
        public_id, issued = _serializer(purpose).loads(token, max_age=max_age, return_timestamp=True)
    except SignatureExpired as exc:
        raise TokenExpired() from exc
    except BadSignature as exc:
        raise TokenInvalid() from exc
    if not isinstance(public_id, str):
        raise TokenInvalid()
    return public_id, issued.astimezone(timezone.utc)


FORM_PURPOSE = b"postventa.survey-form.v1"


def form_token(public_id: str) -> str:
    """The survey form's CSRF token: an HMAC of the invitation's public id with the CSRF key
    (``WTF_CSRF_SECRET_KEY``, else ``SECRET_KEY``), so the page needs no session cookie.

    Like Flask-WTF's token it is signed by the current key only: a form opened before a key
    rotation fails once and is shown again with its answers and a new token."""
    cfg = current_app.config
    key = cfg.get("WTF_CSRF_SECRET_KEY") or cfg["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    mac = hmac.new(key, FORM_PURPOSE + b"|" + public_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def form_token_valid(public_id: str, given: str | None) -> bool:
    """Whether ``given`` (as posted) is the form token of ``public_id``."""
    if not isinstance(given, str) or not given or not given.isascii():
        return False
    return hmac.compare_digest(form_token(public_id), given)


def survey_url(public_id: str, score: int | None = None) -> str:
    base = current_app.config["BASE_URL"]
    url = f"{base}/s/{issue_token('survey', public_id)}"
    return url if score is None else f"{url}?score={score}"


def unsubscribe_url(public_id: str) -> str:
    return f"{current_app.config['BASE_URL']}/u/{issue_token('unsubscribe', public_id)}"
