"""Stores, API keys and staff accounts: who a request acts for."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from functools import cache
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import bindparam, select
from werkzeug.security import generate_password_hash

from .. import parsing
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..models import ApiKey, Membership, StaffUser, Store, utcnow
from ..reading.clock import parse_send_window as parse_window
from .db_util import columns_of, loaded
from .prepared import Prepared
from .scope import in_store, scoped
from .staff_auth import revoke_sessions


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def parse_send_window(text: str | None) -> tuple[int | None, int | None]:
    """'9-20' -> (9, 20) local hours; None -> any hour."""
    try:
        window = parse_window(text)
    except ValueError as exc:
        problem = str(exc)
        message = (
            "send window must look like 9-20"
            if problem == "format"
            else "send window hours must be 0-24, start before end"
        )
        raise ValidationFailed(message, {"send_window": problem}) from exc
    return window or (None, None)


_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def create_store(
    name: str,
    slug: str,
    locale: str = "es",
    timezone: str = "America/Mexico_City",
    sender: str | None = None,
    send_window: str | None = None,
) -> Store:
    """Create a store with the product defaults (NPS + comment, send 2 days after delivery)."""
    try:
        ZoneInfo(timezone)
    except Exception as exc:  # ZoneInfoNotFoundError, ValueError for odd strings
        raise ValidationFailed(f"unknown timezone {timezone!r}", {"timezone": "unknown"}) from exc
    if sender and ("\r" in sender or "\n" in sender):
        raise ValidationFailed("sender must be one line", {"sender": "invalid"})
    errors: dict[str, str] = {}
    parsing.field(errors, "name", parsing.one_line, name, 120)
    parsing.field(errors, "sender", parsing.one_line, sender or "", 200)
    if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
        errors["slug"] = "lower-case letters, digits and hyphens, at most 64"
    if len(timezone) > 64:
        errors["timezone"] = "unknown"
    if errors:
        raise ValidationFailed("the store has invalid fields", errors)
    if db.session.scalar(select(Store.id).where(Store.slug == slug)):
        raise Conflict(f"a store with slug {slug!r} already exists")
    start, end = parse_send_window(send_window)
    store = Store(
        name=name,
        slug=slug,
        locale=locale[:2],
        timezone=timezone,
        sender=sender,
        send_window_start=start,
        send_window_end=end,
    )
    db.session.add(store)
    db.session.flush()
    return store


def create_api_key(store: Store, name: str = "default") -> str:
    """Create a key for ``store`` and return it in clear; only its hash is kept."""
    prefix = secrets.token_hex(4)
    key = f"pv_{prefix}_{secrets.token_urlsafe(24)}"
    db.session.add(ApiKey(store_id=store.id, name=name, prefix=prefix, key_hash=_hash_key(key)))
    db.session.flush()
    return key


def revoke_api_keys(store: Store, name: str) -> None:
    for key in db.session.scalars(scoped(select(ApiKey), store).where(ApiKey.name == name)):
        key.revoked_at = key.revoked_at or utcnow()


@cache
def _key_lookup():
    """A live key's hash with its store's row, one statement built once per process and run
    on the cursor (``prepared``): the ORM's query and loading of one row cost more Python
    than the rest of the check."""
    return Prepared(
        select(*columns_of(Store), ApiKey.key_hash)
        .join(ApiKey, ApiKey.store_id == Store.id)
        .where(ApiKey.prefix == bindparam("prefix"), ApiKey.revoked_at.is_(None))
    )


def authenticate_api_key(key: str) -> Store | None:
    """Return the store a bearer key belongs to, or None (constant-time compare).

    Read on every call, never remembered: a revoked key is refused by the next request."""
    parts = key.split("_")
    if len(parts) < 3 or parts[0] != "pv":
        return None
    rows = _key_lookup().rows(db.session.connection(), {"prefix": parts[1]})
    if not rows or not hmac.compare_digest(rows[0][-1], _hash_key(key)):
        return None
    return loaded(Store, rows[0][:-1])


def create_staff_user(email: str, store: Store, role: str, password: str | None, name: str = "") -> StaffUser:
    """The operator's path (CLI, demo): create or attach a staff member to ``store`` with ``role``.

    Setting ``password`` on an existing account replaces it and ends its sessions, which
    is why no web page calls this: store admins invite (see staff_invitations)."""
    if role not in ("admin", "agent"):
        raise ValidationFailed("role must be admin or agent", {"role": "invalid"})
    email = email.strip().lower()
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
    if user is None:
        user = StaffUser(email=email, name=name or email.split("@")[0], locale=store.locale)
        db.session.add(user)
    if password:
        user.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        revoke_sessions(user)  # a new password ends every existing session
    db.session.flush()
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id, in_store(Membership, store)))
    if membership is None:
        db.session.add(Membership(user_id=user.id, store_id=store.id, role=role))
    else:
        membership.role, membership.active = role, True
    db.session.flush()
    return user


def set_account_active(email: str, active: bool) -> StaffUser:
    """The operator's account-wide switch: a disabled account signs in nowhere and its sessions end."""
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == (email or "").strip().lower()))
    if user is None:
        raise NotFound(f"no staff account {email!r}")
    leaving = user.is_active and not active
    if leaving:
        revoke_sessions(user)
    user.is_active = active
    db.session.flush()
    if leaving:  # their active tasks go to someone who can work them, in every store
        from . import recovery

        for store in db.session.scalars(
            select(Store).join(Membership, Membership.store_id == Store.id).where(Membership.user_id == user.id)
        ):
            recovery.release_tasks(store, user, None)
    return user


def get_store_by_slug(slug: str) -> Store | None:
    return db.session.scalar(select(Store).where(Store.slug == slug))
