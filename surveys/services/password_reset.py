"""Password reset by email: the person proves they read the account's mailbox.

The request gets the same answer whether or not the address has an account, and does
the same work either way (the mail is rendered, only its queueing differs). The link is
signed for this purpose, expires (PASSWORD_RESET_MAX_AGE_MINUTES) and carries a MAC of
the current password hash, so it sets a password once: after that the hash has changed
and the link is spent. A new password ends every session of the account.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from ..errors import TokenExpired, TokenInvalid
from ..extensions import db
from ..models import Membership, StaffUser, Store
from . import audit, mail, throttle
from .staff_invitations import check_new_password
from .tokens import issue_token, read_token


def _fingerprint(user_id: int, password_hash: str | None) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{user_id}:{password_hash or ''}".encode(), hashlib.sha256).hexdigest()[:24]


def reset_url(user: StaffUser) -> str:
    token = issue_token("password_reset", f"{user.id}.{_fingerprint(user.id, user.password_hash)}")
    return f"{current_app.config['BASE_URL']}/staff/password-reset/{token}"


def request_reset(email: str, client: str) -> None:
    """Queue a reset link for an active account with a store; for anything else, do nothing visible.

    Both cases count in the throttles, write an audit row, render and build the message;
    only an account's message is kept in the outbox (a stand-in store and recipient keep
    whatever was typed out of any header)."""
    cfg = current_app.config
    address = (email or "").strip().lower()[:254]
    buckets = [
        throttle.Bucket(cfg["PASSWORD_RESET_RATE_LIMIT_IP"], "reset-client", client),
        throttle.Bucket(cfg["PASSWORD_RESET_RATE_LIMIT"], "reset-account", address),
    ]
    allowed = throttle.count(buckets)
    row = db.session.execute(
        select(StaffUser, Store)
        .join(Membership, Membership.user_id == StaffUser.id)
        .join(Store, Store.id == Membership.store_id)
        .where(StaffUser.email == address, StaffUser.is_active.is_(True), Membership.active.is_(True))
        .order_by(Store.name)
        .limit(1)
    ).first()
    user, store = row if row is not None else (None, None)
    # Every request writes its audit row, so both answers commit a write (the timing stays alike).
    audit.record_account(user, "password_reset_request", {"ip": client})
    with force_locale(user.locale if user is not None else "es"):
        message = mail.queue_rendered(
            store=store if user is not None else Store(id=0, name="", sender=None),
            invitation_id=None,
            outbox_kind="password-reset",
            to=(user.name, user.email) if user is not None else ("", "nobody@invalid.example"),
            subject=gettext("Set a new Postventa password"),
            template="password_reset",
            url=reset_url(user) if user is not None else issue_token("password_reset", "0.0"),
            minutes=cfg["PASSWORD_RESET_MAX_AGE_MINUTES"],
        )
    if user is None or not allowed:
        db.session.expunge(message)  # rendered and built like a real one, then dropped: nothing is sent


def read_reset(token: str) -> StaffUser:
    """The account a reset link is for; TokenInvalid (404) if bad, TokenExpired (410) if old or spent."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE_MINUTES"] * 60
    payload, _issued = read_token("password_reset", token, max_age=max_age)
    user_id, _, fingerprint = payload.partition(".")
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) < 12):
        raise TokenInvalid()
    user = db.session.get(StaffUser, int(user_id))
    if user is None or not user.is_active:
        raise TokenInvalid()
    if not hmac.compare_digest(fingerprint, _fingerprint(user.id, user.password_hash)):
        raise TokenExpired()  # the password changed since: this link was used
    return user


def complete_reset(user: StaffUser, password: str, confirm: str) -> None:
    """Set the new password once (a conditional update on the old hash) and end every session."""
    check_new_password(password, confirm)
    old = user.password_hash
    new = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
    same_hash = StaffUser.password_hash.is_(None) if old is None else StaffUser.password_hash == old
    done = db.session.execute(
        update(StaffUser)
        .where(StaffUser.id == user.id, same_hash)
        .values(password_hash=new, session_generation=StaffUser.session_generation + 1)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise TokenExpired()
    db.session.expire(user)
