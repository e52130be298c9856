"""Staff sign-in and session validity: password checks, revocation by generation, timeouts."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import Membership, StaffUser, Store

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
    rows = db.session.execute(
        select(Store, Membership.role)
        .join(Membership, Membership.store_id == Store.id)
        .where(Membership.user_id == user.id, Membership.active.is_(True))
        .order_by(Store.name)
    ).all()
    return [(store, role) for store, role in rows]
