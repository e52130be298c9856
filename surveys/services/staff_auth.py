"""Staff sign-in and session validity: password checks, throttling, revocation by generation, timeouts.

Sign-in is throttled by the client's address (never by anything the request merely
says), per (account, client) with stepped backoff, and per account with a looser
ceiling that a browser the account signed in from before (a signed "known device"
cookie) does not count against: a stranger guessing elsewhere throttles only
themselves, and cannot keep the owner out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import DomainError
from ..extensions import db
from ..models import Membership, StaffUser, Store
from . import throttle
from .tokens import issue_token, read_token

DEVICE_COOKIE = "postventa_device"
DEVICE_MAX_AGE = 180 * 86400

_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    """Checked against when the email is unknown, so both failures cost the same time."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash("not-a-real-password", method=method)
    return _DUMMY_HASHES[method]


def authenticate(email: str, password: str) -> StaffUser | None:
    """The active staff member with this email and password, or None (same cost either way)."""
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == (email or "").strip().lower()))
    ok = check_password_hash(user.password_hash if user and user.password_hash else _dummy_hash(), password or "")
    return user if ok and user is not None and user.is_active and user.password_hash else None


@dataclass
class SignIn:
    """The outcome of one attempt: the user, or the wait in seconds when throttled (else a wrong password)."""

    user: StaffUser | None = None
    wait: int = 0
    device_token: str | None = None
    account: StaffUser | None = None  # a wrong password's account (None for an unknown address)


def sign_in(email: str, password: str, client: str, device_token: str | None) -> SignIn:
    """Check one sign-in attempt against the throttles, then the password.

    Every attempt counts (atomically, before the password is checked, so parallel
    guesses cannot overshoot); a successful one clears its (account, client) counter."""
    cfg = current_app.config
    account = (email or "").strip().lower()[:254]
    per_client = throttle.Bucket(cfg["LOGIN_RATE_LIMIT_IP"], "login-client", client)
    per_pair = throttle.Bucket(cfg["LOGIN_RATE_LIMIT_ACCOUNT"], "login-account-client", f"{account}|{client}")
    buckets = [per_client, per_pair]
    if not _known_device(device_token, account):
        buckets.append(throttle.Bucket(cfg["LOGIN_RATE_LIMIT_ACCOUNT_CEILING"], "login-account", account))
    wait = throttle.wait_seconds(buckets)
    if not wait and not throttle.count(buckets):  # another attempt took the last place meanwhile
        wait = max(throttle.wait_seconds(buckets), 1)
    if wait:
        return SignIn(wait=wait)
    user = authenticate(account, password)
    if user is None:
        return SignIn(account=db.session.scalar(select(StaffUser).where(StaffUser.email == account)))
    throttle.clear(per_pair)
    return SignIn(user=user, device_token=issue_token("device", str(user.id)))


def _known_device(token: str | None, account: str) -> bool:
    """The browser carries a device cookie issued at an earlier sign-in of this very account."""
    if not token or not account:
        return False
    try:
        user_id, _issued = read_token("device", token, max_age=DEVICE_MAX_AGE)
    except DomainError:
        return False
    return db.session.scalar(select(StaffUser.id).where(StaffUser.email == account)) == _int(user_id)


def _int(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def load_session_user(token: str) -> StaffUser | None:
    """A session is valid while the user is active and its generation is current."""
    try:
        user_id, generation = (int(part) for part in token.split(":"))
    except (ValueError, AttributeError):
        return None
    user = db.session.get(StaffUser, user_id)
    if user is None or not user.is_active or user.session_generation != generation:
        return None
    return user


def revoke_sessions(user: StaffUser) -> None:
    """Log out every session of this user (logout, password change, disable)."""
    user.session_generation = (user.session_generation or 0) + 1


def session_expired(
    started: float | None, seen: float | None, now: datetime, idle_minutes: int, absolute_hours: int
) -> bool:
    if started is None or seen is None:
        return True
    stamp = now.timestamp()
    return stamp - seen > idle_minutes * 60 or stamp - started > absolute_hours * 3600


def memberships(user: StaffUser) -> list[tuple[Store, str]]:
    """(store, role) pairs of this user's active memberships, by store name."""
    return [(store, role) for store, role, _ in seats(user)]


def seats(user: StaffUser) -> list[tuple[Store, str, bool]]:
    """(store, role, on shift) of this user's active memberships, by store name (one query)."""
    rows = db.session.execute(
        select(Store, Membership.role, Membership.on_shift)
        .join(Membership, Membership.store_id == Store.id)
        .where(Membership.user_id == user.id, Membership.active.is_(True))
        .order_by(Store.name)
    ).all()
    return [(store, role, on_shift) for store, role, on_shift in rows]
