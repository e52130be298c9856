"""Store settings and staff management, validated as a whole before anything is changed."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import parsing
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..models import MAX_ROW_ID, SURVEY_KINDS, Membership, StaffUser, Store
from . import outbound
from .replies import PLACEHOLDERS, REGISTERS, unbalanced, unknown_placeholders
from .tenancy import parse_send_window

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _int(form, name: str, low: int, high: int, errors: dict) -> int | None:
    return parsing.field(errors, name, parsing.integer, form.get(name, ""), low, high)


def update_store_settings(store: Store, form) -> None:
    """Apply the settings form; ValidationFailed lists every bad field and changes nothing."""
    errors: dict[str, str] = {}
    kind = form.get("survey_kind")
    if kind not in SURVEY_KINDS:
        errors["survey_kind"] = _l("NPS, CSAT or both")
    delay = _int(form, "send_delay_days", 0, 60, errors)
    reminder = _int(form, "reminder_delay_days", 1, 30, errors)
    sla = _int(form, "sla_first_contact_hours", 1, 72, errors)
    resolution = _int(form, "sla_resolution_hours", 1, 240, errors)
    open_h, close_h = _int(form, "opens", 0, 23, errors), _int(form, "closes", 1, 24, errors)
    if open_h is not None and close_h is not None and open_h >= close_h:
        errors["closes"] = _l("must be after opening")
    tz = form.get("timezone", "")
    try:
        ZoneInfo(tz)
    except Exception:  # unknown or malformed zone names
        errors["timezone"] = _l("unknown time zone")
    try:
        window = parse_send_window(form.get("send_window") or None)
    except ValidationFailed:
        errors["send_window"] = _l("write it like 9-20")
        window = (None, None)
    holidays = []
    for raw in (form.get("holidays") or "").replace(",", " ").split():
        try:
            holidays.append(parsing.day(raw).isoformat())
        except parsing.Invalid:
            errors["holidays"] = _l("not a date: %(value)s", value=raw[:20])
    alerts = []
    for raw in (form.get("alert_emails") or "").replace(",", " ").split():
        try:
            # the form plain SMTP carries: IDN domains in ASCII, no non-ASCII local part
            alerts.append(validate_email(raw, check_deliverability=False, allow_smtputf8=False).ascii_email.lower())
        except EmailNotValidError:
            errors["alert_emails"] = _l("not an email: %(value)s", value=raw[:60])
    colour = form.get("brand_color", "")
    if not _HEX.match(colour):
        errors["brand_color"] = _l("a colour like #0f766e")
    register = form.get("reply_register")
    if register not in REGISTERS:
        errors["reply_register"] = _l("tú, usted or vos")
    origins = []
    for raw in (form.get("widget_origins") or "").split():
        found = parsing.field(errors, "widget_origins", parsing.origin, raw)
        if found:
            origins.append(found)
    templates = {}
    for key in (f"es-{register}", "en-tu"):
        subject = (form.get(f"tpl-{key}-subject") or "").strip()
        body = (form.get(f"tpl-{key}-body") or "").strip()
        unknown = unknown_placeholders(subject) + unknown_placeholders(body)
        if unbalanced(subject) or unbalanced(body):
            errors[f"tpl-{key}-body"] = _l("unbalanced braces { }")
        elif unknown:
            errors[f"tpl-{key}-body"] = _l(
                "unknown placeholder %(found)s; use %(names)s",
                found=unknown[0][:40],
                names=" ".join("{" + name + "}" for name in PLACEHOLDERS),
            )
        if (
            parsing.lenient(parsing.one_line, subject, 200) is None
            or parsing.lenient(parsing.text_block, body, 5000) is None
        ):
            errors[f"tpl-{key}-subject"] = _l("subject: one line, 200 characters; message: 5,000")
        if subject or body:
            templates[key] = {"subject": subject, "body": body}
    outbound_url = (form.get("outbound_url") or "").strip() or None
    if outbound_url:
        parsing.field(errors, "url", outbound.check_url, outbound_url)
    if errors:
        raise ValidationFailed(_l("Some settings are not valid."), errors)
    store.widget_origins, store.reply_templates = origins or None, templates or None
    store.reviews_auto_publish = form.get("reviews_auto_publish") == "1"
    store.survey_kind, store.timezone, store.brand_color, store.reply_register = kind, tz, colour, register
    store.send_delay_minutes, store.reminder_delay_minutes = delay * 1440, reminder * 1440
    store.sla_first_contact_minutes, store.sla_resolution_minutes = sla * 60, resolution * 60
    weekend = form.get("open_saturday") == "1"
    store.opening_hours = {str(d): [open_h, close_h] for d in range(6 if weekend else 5)}
    store.holidays, store.alert_emails = holidays, alerts or None
    store.send_window_start, store.send_window_end = window
    outbound.configure(store, outbound_url)
    db.session.flush()


def members(store: Store, active_only: bool = False) -> list[tuple[StaffUser, Membership]]:
    """The store's members (with switched-off memberships unless ``active_only``), by email."""
    query = (
        select(StaffUser, Membership)
        .join(Membership, Membership.user_id == StaffUser.id)
        .where(Membership.store_id == store.id)
        .order_by(StaffUser.email)
    )
    if active_only:
        query = query.where(Membership.active.is_(True), StaffUser.is_active.is_(True))
    return db.session.execute(query).all()


def update_member(
    store: Store, actor: StaffUser, user_id: int, role: str, active: bool, on_shift: bool | None = None
) -> None:
    """Change a member's role, shift or access in THIS store; not yourself.

    Only the membership changes: the account (its password, its sessions, its other
    stores) belongs to the person, and account-wide disabling to the operator."""
    if not 0 < user_id <= MAX_ROW_ID:
        raise NotFound("no such member")
    row = db.session.execute(
        select(StaffUser, Membership)
        .join(Membership, Membership.user_id == StaffUser.id)
        .where(Membership.store_id == store.id, StaffUser.id == user_id)
    ).first()
    if row is None:
        raise NotFound("no such member")
    user, membership = row
    if user.id == actor.id:
        raise ValidationFailed(_l("You cannot change your own access."), {"user": "self"})
    if role not in ("admin", "agent"):
        raise ValidationFailed(_l("The role must be admin or agent."), {"role": "invalid"})
    membership.role, membership.active = role, active
    if on_shift is not None:
        membership.on_shift = on_shift
