"""Store settings and staff management, validated as a whole before anything is changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from email.utils import parseaddr

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import parsing
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..models import MAX_ROW_ID, SURVEY_KINDS, Membership, StaffUser, Store
from . import mail, outbound, recovery
from .replies import REGISTERS
from .scope import in_store


@dataclass(frozen=True)
class StoreSettings:
    """The settings page's values, already read and checked field by field (see the staff forms)."""

    survey_kind: str
    send_delay_days: int
    reminder_delay_days: int
    send_window: tuple[int, int] | None
    brand_color: str
    timezone: str
    opening_hours: tuple[int, int]  # Monday to Friday (and Saturday when open_saturday), local
    open_saturday: bool
    holidays: tuple[date, ...]
    sla_first_contact_hours: int
    sla_resolution_hours: int
    followup_delay_hours: int
    reply_register: str
    alert_emails: tuple[str, ...]
    outbound_url: str | None
    widget_origins: tuple[str, ...]
    reviews_auto_publish: bool
    reply_templates: dict[str, dict[str, str]] = field(default_factory=dict)  # {"es-tu": {"subject", "body"}}
    sender_name: str | None = None  # None: the sender stays as it is
    sender_address: str | None = None  # None: the address stays as it is (or the configured one)


def _check(values: StoreSettings) -> None:
    """The rules that hold whatever the form was; ValidationFailed names the value at fault."""
    errors: dict[str, str] = {}
    if values.survey_kind not in SURVEY_KINDS:
        errors["survey_kind"] = _l("NPS, CSAT or both")
    if values.reply_register not in REGISTERS:
        errors["reply_register"] = _l("tú, usted or vos")
    opens, closes = values.opening_hours
    if not 0 <= opens < closes <= 24:
        errors["closes"] = _l("must be after opening")
    if values.sla_resolution_hours < values.sla_first_contact_hours:
        errors["sla_resolution_hours"] = _l("cannot be shorter than the first contact")
    if values.timezone not in parsing.time_zones():
        errors["timezone"] = _l("unknown time zone; choose one from the list")
    if values.sender_name is not None:
        try:
            parsing.one_line(values.sender_name, SENDER_NAME_LENGTH)
        except parsing.Invalid as exc:
            errors["sender_name"] = str(exc)
    if errors:
        raise ValidationFailed(_l("Some settings are not valid."), errors)


SENDER_NAME_LENGTH = 100


def sender_domains() -> list[str]:
    """The domains an admin may send from (MAIL_SENDER_DOMAINS); empty: the address is not theirs to set."""
    return [d.strip().lower() for d in current_app.config.get("MAIL_SENDER_DOMAINS") or []]


def _sender(store: Store, values: StoreSettings) -> str | None:
    """The store's new ``sender`` (name, and address where allowed); ValidationFailed if no
    header can carry it."""
    current = parseaddr(store.sender)[1] if store.sender else None
    address = values.sender_address if values.sender_address is not None else current
    if address and address != current and address.rpartition("@")[2] not in sender_domains():
        raise ValidationFailed(_l("Some settings are not valid."), {"sender_address": "domain"})
    try:
        return mail.compose_sender(store, values.sender_name, address)
    except ValueError:
        raise ValidationFailed(
            _l("This sender cannot be written in an email header."), {"sender_name": "header"}
        ) from None


def update_store_settings(store: Store, values: StoreSettings) -> None:
    """Apply the settings; ValidationFailed changes nothing."""
    _check(values)
    sender = _sender(store, values) if values.sender_name is not None else store.sender
    outbound.configure(store, values.outbound_url)  # checks the address again before anything is set
    store.sender = sender
    store.survey_kind, store.timezone = values.survey_kind, values.timezone
    store.brand_color, store.reply_register = values.brand_color, values.reply_register
    store.send_delay_minutes = values.send_delay_days * 1440
    store.reminder_delay_minutes = values.reminder_delay_days * 1440
    store.send_window_start, store.send_window_end = values.send_window or (None, None)
    store.sla_first_contact_minutes = values.sla_first_contact_hours * 60
    store.sla_resolution_minutes = values.sla_resolution_hours * 60
    store.followup_delay_minutes = values.followup_delay_hours * 60
    opens, closes = values.opening_hours
    store.opening_hours = {str(d): [opens, closes] for d in range(6 if values.open_saturday else 5)}
    store.holidays = [d.isoformat() for d in values.holidays]
    store.alert_emails = list(values.alert_emails) or None
    store.widget_origins = list(values.widget_origins) or None
    store.reply_templates = dict(values.reply_templates) or None
    store.reviews_auto_publish = values.reviews_auto_publish
    db.session.flush()


def members(store: Store, active_only: bool = False) -> list[tuple[StaffUser, Membership]]:
    """The store's members (with switched-off memberships unless ``active_only``), by email."""
    query = (
        select(StaffUser, Membership)
        .join(Membership, Membership.user_id == StaffUser.id)
        .where(in_store(Membership, store))
        .order_by(StaffUser.email)
    )
    if active_only:
        query = query.where(Membership.active.is_(True), StaffUser.is_active.is_(True))
    return db.session.execute(query).all()


def update_member(
    store: Store, actor: StaffUser, user_id: int, role: str, active: bool, on_shift: bool | None = None
) -> tuple[tuple[int, int], dict]:
    """Change a member's role, shift or access in THIS store; not yourself.

    Only the membership changes: the account (its password, its sessions, its other
    stores) belongs to the person, and account-wide disabling to the operator. A member
    switched off hands their active tasks here on (``recovery.release_tasks``); returns how
    many went (to agents on shift, back to the queue) and the audit details: the member's
    address and what changed ([field, old, new])."""
    if not 0 < user_id <= MAX_ROW_ID:
        raise NotFound("no such member")
    row = db.session.execute(
        select(StaffUser, Membership)
        .join(Membership, Membership.user_id == StaffUser.id)
        .where(in_store(Membership, store), StaffUser.id == user_id)
    ).first()
    if row is None:
        raise NotFound("no such member")
    user, membership = row
    if user.id == actor.id:
        raise ValidationFailed(_l("You cannot change your own access."), {"user": "self"})
    if role not in ("admin", "agent"):
        raise ValidationFailed(_l("The role must be admin or agent."), {"role": "invalid"})
    before = {"role": membership.role, "active": membership.active, "on_shift": membership.on_shift}
    leaving = membership.active and not active
    membership.role, membership.active = role, active
    if on_shift is not None:
        membership.on_shift = on_shift
    after = {"role": membership.role, "active": membership.active, "on_shift": membership.on_shift}
    changed = [[name, before[name], after[name]] for name in before if before[name] != after[name]]
    moved = recovery.release_tasks(store, user, actor) if leaving else (0, 0)
    return moved, {"member": user.email, "changes": changed}
