"""Signed outbound events for the shop's systems (Standard Webhooks: webhook-id,
webhook-timestamp, webhook-signature "v1,<base64 HMAC-SHA256>").

Events are rows written with the change they announce and delivered by the
worker with retries. Only https to public addresses; the address is checked when
connecting (the socket goes to the vetted IP, so DNS cannot be swapped in
between), and redirects are never followed. Hand-written on http.client because
the usual HTTP clients resolve and follow on their own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import random
import secrets
import socket
import ssl
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l

from .. import parsing
from ..errors import ValidationFailed
from ..extensions import db
from ..models import OutboundEvent, Store, utcnow
from . import failures
from .db_util import claim_leased, finish_claim, renew_claim

EVENT_TYPES = ("task.created", "task.overdue", "task.resolved", "response.created")


class DeliveryRefused(Exception):
    """The endpoint is not allowed (scheme, address) or answered with a non-2xx status."""


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def check_url(url: str) -> str:
    """An endpoint a store may save: https to a public host (see parsing.public_https_url)."""
    return parsing.public_https_url(url, allow_loopback=current_app.config["OUTBOUND_ALLOW_LOOPBACK"])


def configure(store: Store, url: str | None) -> str | None:
    """Set (or clear) the store's endpoint; returns the signing secret shown to the admin.
    Refused when saved (loopback, private, link-local, odd IP spellings, credentials in the
    URL) and checked again when connecting, since a public name may later resolve elsewhere."""
    if not url:
        store.outbound_url = None
        return None
    try:
        url = check_url(url)
    except parsing.Invalid as exc:
        raise ValidationFailed(
            _l("The events address is not allowed: %(reason)s", reason=str(exc)), {"url": str(exc)}
        ) from None
    store.outbound_url = url
    store.outbound_secret = store.outbound_secret or new_secret()
    return store.outbound_secret


def emit(store: Store, event_type: str, data: dict) -> None:
    """Queue an event for the store's endpoint (nothing when none is configured)."""
    if not store.outbound_url:
        return
    db.session.add(
        OutboundEvent(
            store_id=store.id,
            message_id="msg_" + secrets.token_hex(12),
            event_type=event_type,
            payload={"type": event_type, "timestamp": utcnow().isoformat(), "data": data},
        )
    )


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def _vetted_address(host: str, port: int, allow_loopback: bool) -> str:
    for *_, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        ip = ipaddress.ip_address(sockaddr[0])
        if ip.is_global or (allow_loopback and ip.is_loopback):
            return str(ip)
        raise DeliveryRefused(f"{host} resolves to a non-public address ({ip})")
    raise DeliveryRefused(f"{host} does not resolve")


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a vetted IP, with certificate and SNI checked against the real host name."""

    def __init__(self, ip: str, host: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip

    def connect(self):
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float = 5.0, allow_loopback: bool = False) -> int:
    """POST once; returns the status. Redirects are answers, never followed."""
    parts = urlsplit(url)
    plain_ok = allow_loopback and parts.scheme == "http"
    if parts.scheme != "https" and not plain_ok:
        raise DeliveryRefused("only https endpoints are allowed")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    ip = _vetted_address(parts.hostname or "", port, allow_loopback)
    conn = (
        http.client.HTTPConnection(ip, port, timeout=timeout)
        if parts.scheme == "http"
        else _PinnedHTTPS(ip, parts.hostname, port, timeout)
    )
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request("POST", path, body=body, headers={**headers, "Host": parts.netloc})
        return conn.getresponse().status
    finally:
        conn.close()


LEASE = timedelta(minutes=2)


def claim(limit: int, now: datetime | None = None) -> list[OutboundEvent]:
    return claim_leased(OutboundEvent, limit, LEASE, now or utcnow())


def renew(event: OutboundEvent, now: datetime | None = None) -> bool:
    """A full lease right before this event is posted; False if another worker now holds it."""
    return renew_claim(OutboundEvent, event, LEASE, now or utcnow())


def deliver(event: OutboundEvent) -> str | None:
    """Send one event; returns its new status (sent, pending for a retry, failed), or None
    when our claim is no longer the current one (nothing recorded)."""
    store = db.session.get(Store, event.store_id)
    cfg = current_app.config
    body = json.dumps(event.payload, separators=(",", ":"), ensure_ascii=False).encode()
    stamp = int(utcnow().timestamp())
    headers = {
        "Content-Type": "application/json",
        "webhook-id": event.message_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign(store.outbound_secret, event.message_id, stamp, body),
    }
    attempts = event.attempts + 1
    try:
        if not store.outbound_url:
            raise DeliveryRefused("no endpoint configured")
        status = post(store.outbound_url, body, headers, allow_loopback=cfg["OUTBOUND_ALLOW_LOOPBACK"])
        if not 200 <= status < 300:
            raise DeliveryRefused(f"endpoint answered {status}")
    except (DeliveryRefused, OSError, http.client.HTTPException) as exc:
        values = {"attempts": attempts, "last_error": str(exc)[:300], "status": "failed"}
        if attempts < cfg["OUTBOUND_MAX_ATTEMPTS"]:
            delay = min(30 * 2 ** (attempts - 1), 6 * 3600) * random.uniform(0.8, 1.2)  # noqa: S311
            values.update(status="pending", next_attempt_at=utcnow() + timedelta(seconds=delay))
        return values["status"] if finish_claim(OutboundEvent, event, values) else None
    values = {"attempts": attempts, "status": "sent", "sent_at": utcnow(), "last_error": None}
    return "sent" if finish_claim(OutboundEvent, event, values) else None


def mark_broken(event: OutboundEvent, exc: Exception) -> str | None:
    """An event that failed in an unexpected way: retried with backoff, then ``dead``."""
    attempts = event.attempts + 1
    dead = attempts >= current_app.config["WORK_MAX_ATTEMPTS"]
    values = {"attempts": attempts, "last_error": f"{type(exc).__name__}: {exc}"[:300]}
    values["status"] = "dead" if dead else "pending"
    if not dead:
        values["next_attempt_at"] = utcnow() + failures.backoff(attempts)
    if not finish_claim(OutboundEvent, event, values):
        return None
    failures.record("outbound", event.id, event.store_id, exc, event.message_id, dead=dead)
    return values["status"]
