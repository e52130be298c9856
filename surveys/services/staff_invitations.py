"""Joining a store: an admin invites an email address, the person accepts by an emailed link.

An admin never creates or changes an account: the invitation only offers a membership
in the admin's own store. An existing account accepts while signed in as itself; a
brand-new person chooses their own password when accepting. Links are signed for this
purpose only, expire (STAFF_INVITE_MAX_AGE_HOURS) and work once.
"""

from __future__ import annotations

from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from ..errors import Conflict, NotFound, TokenExpired, TokenInvalid, ValidationFailed
from ..extensions import db
from ..limits import PASSWORD
from ..models import MAX_ROW_ID, Membership, StaffInvitation, StaffUser, Store, utcnow
from . import mail
from .scope import in_store, scoped
from .tokens import issue_token, read_token

ROLES = ("admin", "agent")
MIN_PASSWORD, MAX_PASSWORD = PASSWORD


def normalise_email(raw: str) -> str:
    """An existing account's address as stored, or a valid ASCII address (mail goes out without SMTPUTF8)."""
    text = (raw or "").strip().lower()
    if text and db.session.scalar(select(StaffUser.id).where(StaffUser.email == text)):
        return text
    try:  # test_environment: also *.test addresses, which no real mailbox has but staging uses
        return validate_email(text, check_deliverability=False, test_environment=True, allow_smtputf8=False).normalized
    except EmailNotValidError as exc:
        raise ValidationFailed(_l("That is not a valid email address."), {"email": "invalid"}) from exc


def check_new_password(password: str, confirm: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed(_l("The password needs at least 10 characters."), {"password": "short"})
    if len(password) > MAX_PASSWORD:
        raise ValidationFailed(_l("The password is too long."), {"password": "long"})
    if password != confirm:
        raise ValidationFailed(_l("The two passwords are not the same."), {"confirm": "mismatch"})


def invite_member(store: Store, actor: StaffUser, email: str, role: str) -> StaffInvitation:
    """Offer ``email`` a membership of ``store`` with ``role`` and mail the link.

    An earlier pending invitation for the same address is replaced. A current member is
    refused (change their role in the list instead)."""
    email = normalise_email(email)
    if role not in ROLES:
        raise ValidationFailed(_l("The role must be admin or agent."), {"role": "invalid"})
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
    if user is not None:
        member = _membership(store, user)
        if member is not None and member.active:
            raise ValidationFailed(_l("This person is already a member of this store."), {"email": "member"})
    now = utcnow()
    db.session.execute(
        update(StaffInvitation)
        .where(
            in_store(StaffInvitation, store),
            StaffInvitation.email == email,
            StaffInvitation.accepted_at.is_(None),
            StaffInvitation.cancelled_at.is_(None),
        )
        .values(cancelled_at=now)
    )
    hours = current_app.config["STAFF_INVITE_MAX_AGE_HOURS"]
    invitation = StaffInvitation(
        store_id=store.id,
        email=email,
        role=role,
        invited_by_id=actor.id,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    db.session.add(invitation)
    db.session.flush()
    url = f"{current_app.config['BASE_URL']}/staff/join/{issue_token('staff_invite', invitation.public_id)}"
    with force_locale(user.locale if user is not None else store.locale):
        mail.queue_rendered(
            store=store,
            invitation_id=None,
            outbox_kind="staff-invite",
            to=(user.name if user is not None else "", email),
            subject=gettext("%(name)s invites you to %(store)s on Postventa", name=actor.name, store=store.name),
            template="staff_invite",
            url=url,
            inviter=actor,
            role=role,
            hours=hours,
            existing=user is not None,
        )
    return invitation


def pending_invitations(store: Store) -> list[StaffInvitation]:
    now = utcnow()
    return list(
        db.session.scalars(
            select(StaffInvitation)
            .where(
                in_store(StaffInvitation, store),
                StaffInvitation.accepted_at.is_(None),
                StaffInvitation.cancelled_at.is_(None),
                StaffInvitation.expires_at > now,
            )
            .order_by(StaffInvitation.created_at.desc())
        )
    )


def cancel_invitation(store: Store, invitation_id: int) -> StaffInvitation:
    """Withdraw a pending invitation (an accepted one stays as it is); the invitation."""
    if not 0 < invitation_id <= MAX_ROW_ID:
        raise NotFound("no such invitation")
    invitation = db.session.scalar(
        select(StaffInvitation).where(StaffInvitation.id == invitation_id, in_store(StaffInvitation, store))
    )
    if invitation is None:
        raise NotFound("no such invitation")
    if invitation.accepted_at is None:
        invitation.cancelled_at = invitation.cancelled_at or utcnow()
    return invitation


def read_invitation(token: str) -> tuple[StaffInvitation, StaffUser | None]:
    """The pending invitation a link names and the existing account for its address, if any.

    TokenInvalid (404) for a bad, foreign or cancelled link; TokenExpired (410) once used or old."""
    max_age = current_app.config["STAFF_INVITE_MAX_AGE_HOURS"] * 3600
    public_id, _issued = read_token("staff_invite", token, max_age=max_age)
    invitation = db.session.scalar(select(StaffInvitation).where(StaffInvitation.public_id == public_id))
    if invitation is None or invitation.cancelled_at is not None:
        raise TokenInvalid()
    if invitation.accepted_at is not None or invitation.expires_at <= utcnow():
        raise TokenExpired()
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == invitation.email))
    return invitation, user


def accept_invitation(
    invitation: StaffInvitation,
    current: StaffUser | None,
    password: str = "",
    confirm: str = "",
    name: str = "",
) -> StaffUser:
    """Turn the invitation into a membership, once.

    An existing account must be the one signed in (``current``): nobody sets its password
    here. A new person's account is created with the password they chose."""
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == invitation.email))
    if user is not None:
        if current is None or current.id != user.id:
            raise ValidationFailed(_l("Sign in as %(email)s to accept.", email=invitation.email), {"email": "sign_in"})
    else:
        check_new_password(password, confirm)
        store = db.session.get(Store, invitation.store_id)
        user = StaffUser(
            email=invitation.email,
            name=(name or "").strip()[:120] or invitation.email.split("@")[0],
            locale=store.locale if store is not None else "es",
            password_hash=generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"]),
        )
        db.session.add(user)
        try:
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError as exc:  # the same address accepted another store's invitation just now
            raise Conflict(_l("This address already has an account: sign in and open the link again.")) from exc
    claimed = db.session.execute(
        update(StaffInvitation)
        .where(StaffInvitation.id == invitation.id, StaffInvitation.accepted_at.is_(None))
        .where(StaffInvitation.cancelled_at.is_(None))
        .values(accepted_at=utcnow())
    )
    if claimed.rowcount != 1:
        raise TokenExpired()
    member = _membership(db.session.get(Store, invitation.store_id), user)
    if member is None:
        db.session.add(Membership(user_id=user.id, store_id=invitation.store_id, role=invitation.role))
    else:
        member.role, member.active = invitation.role, True
    db.session.flush()
    return user


def _membership(store: Store, user: StaffUser) -> Membership | None:
    return db.session.scalar(scoped(select(Membership), store).where(Membership.user_id == user.id))
