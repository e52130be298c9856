"""WhatsApp Cloud API client: template and text messages, and what its errors mean for us.

Plain ``urllib`` (one POST per message, a short timeout): the Cloud API is a small JSON
endpoint and no maintained client library covers its error semantics. The base URL is
``WHATSAPP_API_BASE`` so tests point it at a local stand-in. The access token travels
only in the Authorization header and never appears in an exception or a log line.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

from flask import current_app

from .settings import Credentials

# Error codes (Cloud API "error.code"): retry later, or give up on this number/template.
TRANSIENT_CODES = {1, 2, 4, 17, 80007, 130429, 131000, 131016, 131048, 131056, 133004}
# 131026 undeliverable (not on WhatsApp, old app), 131047 outside the 24-hour window,
# 131050 the customer stopped marketing messages, 132000/132001/132005/132007/132012/132015/132016
# template parameters, missing, paused or disabled, 190 token expired, 131031 account locked.
PERMANENT_HINTS = {
    131026: "undeliverable",
    131047: "outside the 24-hour window",
    131050: "customer stopped marketing messages",
    132001: "template missing for this language",
    132015: "template paused",
    132016: "template disabled",
    190: "access token expired or invalid",
}


class CloudError(Exception):
    """A send that did not go through; ``transient`` says whether to retry."""

    def __init__(self, code: int | None, message: str, transient: bool):
        super().__init__(f"{code or 'http'}: {message}"[:300])
        self.code, self.detail, self.transient = code, message[:200], transient


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would carry the bearer token to wherever it points: refuse to follow."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _post(creds: Credentials, body: dict) -> dict:
    base = current_app.config["WHATSAPP_API_BASE"].rstrip("/")
    request = urllib.request.Request(  # noqa: S310 - the configured https API base (loopback in tests)
        f"{base}/{creds.phone_number_id}/messages",
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Authorization": f"Bearer {creds.access_token}", "Content-Type": "application/json"},
        method="POST",
    )
    timeout = current_app.config["WHATSAPP_TIMEOUT"]
    try:
        with _OPENER.open(request, timeout=timeout) as resp:
            return _json(resp.read())
    except urllib.error.HTTPError as exc:
        raise _classify(exc.code, _json(exc.read())) from None
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CloudError(None, f"connection: {type(reason).__name__}", transient=True) from None


def _json(raw: bytes) -> dict:
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _classify(status: int, body: dict) -> CloudError:
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    message = str(error.get("message") or f"HTTP {status}")
    if code in PERMANENT_HINTS:
        message = f"{PERMANENT_HINTS[code]} ({message})"
    transient = status == 429 or status >= 500 or code in TRANSIENT_CODES
    if code in PERMANENT_HINTS:
        transient = False
    return CloudError(code, message, transient)


def send(creds: Credentials, body: dict) -> str:
    """POST one message; return its id (wamid) or raise CloudError."""
    answer = _post(creds, body)
    messages = answer.get("messages")
    if isinstance(messages, list) and messages and isinstance(messages[0], dict) and messages[0].get("id"):
        return str(messages[0]["id"])[:128]
    raise CloudError(None, "answer without a message id", transient=True)


def template_body(to: str, name: str, language: str, params: list[str], url_suffix: str) -> dict:
    """An approved template with body parameters and a URL button's dynamic suffix."""
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": language},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": p} for p in params]},
                {
                    "type": "button",
                    "sub_type": "url",
                    "index": "0",
                    "parameters": [{"type": "text", "text": url_suffix}],
                },
            ],
        },
    }


def text_body(to: str, text: str) -> dict:
    """A plain text message (only inside the 24-hour window the customer opened)."""
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"preview_url": False, "body": text},
    }
