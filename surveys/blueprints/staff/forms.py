"""The staff console's forms (Flask-WTF): each reads one page's input with the parsers of
``surveys.parsing`` and hands the services typed values. Limits come from ``surveys.limits``
and reach the page as the fields' ``maxlength``/``min``/``max``; choices are labelled by
``surveys.labels``. A failed form re-renders with every value as typed and every error
beside its field (see templates/_macros/forms.html)."""

from __future__ import annotations

import re
from email.utils import parseaddr

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, StopValidation
from wtforms.widgets import ColorInput, EmailInput, NumberInput

from ... import limits, parsing
from ...labels import LABELS
from ...limits import column_length
from ...models import CHANNEL_POLICIES, MAX_ROW_ID, RESOLUTIONS, StaffUser, Task
from ...reading.clock import parse_send_window
from ...services import outbound, replies, settings
from ...services.phones import valid_country
from ...services.settings import StoreSettings


class Parsed:
    """A validator that reads the field with one of ``surveys.parsing``'s parsers; the typed
    value lands on ``field.parsed``, the text as typed stays on ``field.data`` for re-rendering.
    ``flags`` become the input's HTML limits (``maxlength``, ``min``, ``max``)."""

    def __init__(self, parse, *args, flags: dict | None = None, **kwargs):
        self.parse, self.args, self.kwargs = parse, args, kwargs
        self.field_flags = flags or {}

    def __call__(self, form, field):
        try:
            field.parsed = self.parse(field.data if field.data is not None else "", *self.args, **self.kwargs)
        except parsing.Invalid as exc:
            raise StopValidation(str(exc)) from None


def whole(bounds: tuple[int, int]) -> Parsed:
    low, high = bounds
    return Parsed(parsing.integer, low, high, flags={"min": low, "max": high})


def line(max_length: int) -> Parsed:
    return Parsed(parsing.one_line, max_length, flags={"maxlength": max_length})


def block(max_length: int) -> Parsed:
    return Parsed(parsing.text_block, max_length, flags={"maxlength": max_length})


def several(parse, *args) -> Parsed:
    return Parsed(parsing.several, parse, *args, max_items=limits.LIST_ITEMS)


class Flag(BooleanField):
    """A checkbox posting ``1``; the words parsing.boolean takes as "no" are unticked."""

    false_values = parsing.FALSE_WORDS

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"value": "1"})
        super().__init__(*args, **kwargs)


class Choice(SelectField):
    """A select over a code list, each option labelled by ``surveys.labels`` in the reader's language."""

    def __init__(self, label_text=None, validators=None, kind: str = "", codes=(), **kwargs):
        super().__init__(
            label_text, validators, choices=[SelectChoice(code, LABELS[kind][code]) for code in codes], **kwargs
        )


def _send_window(raw: str):
    try:
        return parse_send_window(raw.strip() or None)
    except ValueError:
        raise parsing.Invalid(_l("write it like 9-20")) from None


def _sender_address(raw: str) -> str | None:
    return parsing.smtp_email(raw) if raw.strip() else None


def _events_url(raw: str) -> str | None:
    return outbound.check_url(raw.strip()) if raw.strip() else None


def _template_text(raw: str, parse, max_length: int) -> str:
    text = parse(raw, max_length)
    if replies.unbalanced(text):
        raise parsing.Invalid(_l("unbalanced braces { }"))
    unknown = replies.unknown_placeholders(text)
    if unknown:
        raise parsing.Invalid(
            _l(
                "unknown placeholder %(found)s; use %(names)s",
                found=unknown[0][:40],
                names=" ".join("{" + name + "}" for name in replies.PLACEHOLDERS),
            )
        )
    return text


def template_subject() -> Parsed:
    n = limits.TEMPLATE_SUBJECT
    return Parsed(_template_text, parsing.one_line, n, flags={"maxlength": n})


def template_body() -> Parsed:
    n = limits.TEMPLATE_BODY
    return Parsed(_template_text, parsing.text_block, n, flags={"maxlength": n})


class StoreSettingsForm(FlaskForm):
    """/staff/settings: how and when customers are asked, the recovery clock, replies, the widget."""

    survey_kind = Choice(_l("Question"), kind="survey_kind", codes=("nps", "csat", "both"))
    send_delay_days = StringField(
        _l("Days after delivery to ask"), [whole(limits.SEND_DELAY_DAYS)], widget=NumberInput()
    )
    reminder_delay_days = StringField(
        _l("Days before the one reminder"), [whole(limits.REMINDER_DELAY_DAYS)], widget=NumberInput()
    )
    send_window = StringField(
        _l("Sending hours, local (e.g. 9-20; empty = any hour)"), [Parsed(_send_window, flags={"maxlength": 5})]
    )
    brand_color = StringField(_l("Brand colour"), [Parsed(parsing.hex_colour)], widget=ColorInput())
    sender_name = StringField(_l("Emails come from (name)"), [line(settings.SENDER_NAME_LENGTH)])
    sender_address = StringField(_l("Sender address"), [Parsed(_sender_address)], widget=EmailInput())
    timezone = StringField(_l("Time zone"), [Parsed(parsing.time_zone, flags={"maxlength": 64})])
    opens = StringField(_l("Opens"), [whole(limits.OPENS)], widget=NumberInput())
    closes = StringField(_l("Closes"), [whole(limits.CLOSES)], widget=NumberInput())
    open_saturday = Flag(_l("Also open on Saturdays"))
    holidays = StringField(_l("Holidays (YYYY-MM-DD, separated by spaces)"), [several(parsing.day)])
    sla_first_contact_hours = StringField(
        _l("First contact within (business hours)"), [whole(limits.SLA_FIRST_CONTACT_HOURS)], widget=NumberInput()
    )
    sla_resolution_hours = StringField(
        _l("Resolution within (business hours)"), [whole(limits.SLA_RESOLUTION_HOURS)], widget=NumberInput()
    )
    followup_delay_hours = StringField(
        _l('Ask "did we solve it?" this long after resolving (business hours)'),
        [whole(limits.FOLLOWUP_DELAY_HOURS)],
        widget=NumberInput(),
    )
    reply_register = Choice(_l("How replies address customers"), kind="register", codes=replies.REGISTERS)
    alert_emails = StringField(_l("Alert addresses (empty = the store's admins)"), [several(parsing.smtp_email)])
    outbound_url = StringField(_l("Signed events to (https URL, optional)"), [Parsed(_events_url)])
    tpl_es_subject = StringField(_l("Spanish: subject"), [template_subject()])
    tpl_es_body = TextAreaField(_l("Spanish: message"), [template_body()])
    tpl_en_subject = StringField(_l("English: subject"), [template_subject()])
    tpl_en_body = TextAreaField(_l("English: message"), [template_body()])
    tpl_es_followup_subject = StringField(_l("Spanish follow-up: subject"), [template_subject()])
    tpl_es_followup_body = TextAreaField(_l("Spanish follow-up: message"), [template_body()])
    tpl_en_followup_subject = StringField(_l("English follow-up: subject"), [template_subject()])
    tpl_en_followup_body = TextAreaField(_l("English follow-up: message"), [template_body()])
    reviews_auto_publish = Flag(
        _l("Publish reviews that break no content rule at once (otherwise every review waits for a person)")
    )
    widget_origins = StringField(
        _l("Storefront origins allowed to embed the reviews frame (e.g. https://shop.example)"),
        [several(parsing.origin)],
    )

    def validate_sender_address(self, field):
        found = getattr(field, "parsed", None)
        if found and found != self._stored_address and found.rpartition("@")[2] not in settings.sender_domains():
            raise StopValidation(
                _l("use an address at %(domains)s", domains=", ".join(settings.sender_domains()) or "—")
            )

    def validate_closes(self, field):
        opens = getattr(self.opens, "parsed", None)
        if opens is not None and getattr(field, "parsed", None) is not None and field.parsed <= opens:
            raise StopValidation(_l("must be after opening"))

    def validate_sla_resolution_hours(self, field):
        first = getattr(self.sla_first_contact_hours, "parsed", None)
        if first is not None and getattr(field, "parsed", None) is not None and field.parsed < first:
            raise StopValidation(_l("cannot be shorter than the first contact"))

    @classmethod
    def of(cls, store) -> StoreSettingsForm:
        """The form for ``store``: its stored settings on GET, the posted ones on POST."""
        data = cls.stored(store)
        form = cls(data=data)
        form._stored_address = data["sender_address"]
        if not settings.sender_domains():  # the operator lets no store choose its address
            del form.sender_address
        return form

    @staticmethod
    def stored(store) -> dict:
        """``store``'s settings as the form shows them, field by field (the audit log compares two)."""
        hours = (store.opening_hours or {"0": [9, 18]}).get("0", [9, 18])
        templates = store.reply_templates or {}
        sender_name, sender_address = parseaddr(store.sender) if store.sender else (store.name, "")
        stored = {"sender_name": sender_name or store.name, "sender_address": sender_address}
        for stage, suffix in (("first", ""), ("followup", "_followup")):
            for lang, register in (("es", store.reply_register), ("en", "tu")):
                tpl = templates.get(replies.template_key(lang, register, stage), {})
                stored[f"tpl_{lang}{suffix}_subject"] = tpl.get("subject", "")
                stored[f"tpl_{lang}{suffix}_body"] = tpl.get("body", "")
        return {
            **stored,
            "survey_kind": store.survey_kind,
            "send_delay_days": str(store.send_delay_minutes // 1440),
            "reminder_delay_days": str(store.reminder_delay_minutes // 1440),
            "send_window": f"{store.send_window_start}-{store.send_window_end}"
            if store.send_window_start is not None
            else "",
            "brand_color": store.brand_color,
            "timezone": store.timezone,
            "opens": str(hours[0]),
            "closes": str(hours[1]),
            "open_saturday": bool(store.opening_hours and "5" in store.opening_hours),
            "holidays": " ".join(store.holidays or []),
            "sla_first_contact_hours": str(store.sla_first_contact_minutes // 60),
            "sla_resolution_hours": str(store.sla_resolution_minutes // 60),
            "followup_delay_hours": str(store.followup_delay_minutes // 60),
            "reply_register": store.reply_register,
            "alert_emails": " ".join(store.alert_emails or []),
            "outbound_url": store.outbound_url or "",
            "reviews_auto_publish": store.reviews_auto_publish,
            "widget_origins": " ".join(store.widget_origins or []),
        }

    def values(self) -> StoreSettings:
        """The validated form as the settings service takes it."""
        p = {name: getattr(field, "parsed", None) for name, field in self._fields.items()}
        register = self.reply_register.data
        templates = {}
        for stage, suffix in (("first", ""), ("followup", "_followup")):
            for lang, lang_register in (("es", register), ("en", "tu")):
                subject, body = p[f"tpl_{lang}{suffix}_subject"], p[f"tpl_{lang}{suffix}_body"]
                if subject or body:
                    templates[replies.template_key(lang, lang_register, stage)] = {"subject": subject, "body": body}
        return StoreSettings(
            survey_kind=self.survey_kind.data,
            send_delay_days=p["send_delay_days"],
            reminder_delay_days=p["reminder_delay_days"],
            send_window=p["send_window"],
            brand_color=p["brand_color"],
            timezone=p["timezone"],
            opening_hours=(p["opens"], p["closes"]),
            open_saturday=self.open_saturday.data,
            holidays=tuple(p["holidays"]),
            sla_first_contact_hours=p["sla_first_contact_hours"],
            sla_resolution_hours=p["sla_resolution_hours"],
            followup_delay_hours=p["followup_delay_hours"],
            reply_register=register,
            alert_emails=tuple(p["alert_emails"]),
            outbound_url=p["outbound_url"],
            widget_origins=tuple(p["widget_origins"]),
            reviews_auto_publish=self.reviews_auto_publish.data,
            sender_name=p["sender_name"],
            sender_address=p.get("sender_address"),
            reply_templates=templates,
        )


def field_attrs(field, describedby: str | None = None, **attrs) -> dict:
    """HTML attributes tying an input to its error (and hint): aria-invalid, aria-describedby."""
    ids = ([f"{field.id}-err"] if field.errors else []) + ([describedby] if describedby else [])
    if field.errors:
        attrs["aria-invalid"] = "true"
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    return attrs


def add_errors(form: FlaskForm, fields: dict, summary=None) -> None:
    """Errors a service found (ValidationFailed.fields) shown beside the fields of those names;
    the others on the form as a whole."""
    for name, message in fields.items():
        text = str(message)
        if " " not in text and summary is not None:
            text = str(summary)  # a service's code for the field ("invalid"): its sentence instead
        target = form._fields.get(name)
        if target is not None:
            target.errors = [*target.errors, text] if isinstance(target.errors, list) else [text]
        elif text not in form.form_errors:
            form.form_errors.append(text)


# -- the task page: one small form per action ---------------------------------------------------


def _assignee(raw: str):
    """The assignee: "me", a member's id, or empty (nobody)."""
    text = raw.strip()
    if text in ("", "me"):
        return text or None
    return parsing.integer(text, 1, MAX_ROW_ID)


class AssignForm(FlaskForm):
    assignee_id = SelectField(_l("Assignee"), [Parsed(_assignee)], validate_choice=False, id="assignee_id")

    def with_staff(self, staff) -> AssignForm:
        self.assignee_id.choices = [SelectChoice("", "—")] + [
            SelectChoice(str(user.id), user.name or user.email) for user in staff
        ]
        return self


class ContactForm(FlaskForm):
    how = StringField(_l("How did you contact the customer?"), [line(limits.CONTACT_HOW)])


class ResolveForm(FlaskForm):
    resolution = Choice(_l("What was done"), kind="resolution", codes=RESOLUTIONS)
    coupon_code = StringField(_l("Coupon code (for a coupon)"), [line(column_length(Task.coupon_code))])
    note = TextAreaField(_l("Note (optional)"), [block(limits.NOTE)], id="resolve-note")

    def validate_coupon_code(self, field):
        if self.resolution.data == "coupon" and not getattr(field, "parsed", ""):
            raise StopValidation(_l("A coupon needs its code."))


class DismissForm(FlaskForm):
    reason = StringField(_l("Or dismiss, saying why"), [line(column_length(Task.dismiss_reason)), InputRequired()])


class ReplyForm(FlaskForm):
    subject = StringField(_l("Subject"), [line(limits.REPLY_SUBJECT), InputRequired()], id="reply-subject")
    body = TextAreaField(_l("Message"), [block(limits.REPLY_BODY), InputRequired()], id="reply-body")


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Add a note"), [block(limits.NOTE), InputRequired()])


TASK_FORMS = {
    "assign": AssignForm,
    "contacted": ContactForm,
    "resolve": ResolveForm,
    "dismiss": DismissForm,
    "reply": ReplyForm,
    "note": NoteForm,
}


# -- staff of the store ---------------------------------------------------------------------------

ROLES = ("admin", "agent")


def _row_id(raw: str) -> int:
    """A row id from a hidden field; anything else is 0, which no row has (the service says 404)."""
    return parsing.lenient(parsing.integer, raw, 1, MAX_ROW_ID, default=0)


class InviteForm(FlaskForm):
    email = StringField(
        _l("Email"), [line(column_length(StaffUser.email)), InputRequired()], id="new-email", widget=EmailInput()
    )
    role = Choice(_l("Role"), kind="role", codes=("agent", "admin"), id="new-role")


class MemberForm(FlaskForm):
    """One row of the staff list; its ids carry the member's id (several rows on one page)."""

    user_id = HiddenField(validators=[Parsed(_row_id)])
    role = Choice(_l("Role"), kind="role", codes=ROLES)
    active = Flag(_l("Active in this store"))
    on_shift = Choice(
        _l("On shift"), [Parsed(parsing.boolean)], kind="on_shift", codes=("1", "0"), validate_choice=False
    )

    def for_member(self, user_id: int) -> MemberForm:
        for name in ("role", "active", "on_shift"):
            bound = self._fields[name]
            bound.id = bound.label.field_id = f"{name.replace('_', '-')}-{user_id}"
        return self


class CancelInvitationForm(FlaskForm):
    cancel_invitation = HiddenField(validators=[Parsed(_row_id)])


# -- the WhatsApp channel -------------------------------------------------------------------------


def _pattern(regex: str, reason):
    compiled = re.compile(regex)

    def parse(raw: str) -> str | None:
        text = raw.strip()
        if text and not compiled.fullmatch(text):
            raise parsing.Invalid(reason)
        return text or None

    return parse


def _country(raw: str) -> str | None:
    text = raw.strip().upper()
    if text and not valid_country(text):
        raise parsing.Invalid(_l("a two-letter country code like MX"))
    return text or None


_SECRET = _pattern(r"[\x21-\x7e]{1,1024}", _l("one line of printable characters, no spaces"))
_TEMPLATE = _pattern(r"[a-z0-9_]{1,512}", _l("lowercase letters, digits and underscores"))


def _language(lang: str):
    def parse(raw: str) -> str:
        text = raw.strip() or lang
        if not re.fullmatch(r"(es|en)(_[A-Z]{2})?", text) or text[:2] != lang:
            raise parsing.Invalid(_l("language code like es or es_MX"))
        return text

    return parse


class WhatsAppForm(FlaskForm):
    """/staff/whatsapp: the channel policy, the Cloud API ids, write-only secrets, the templates."""

    policy = Choice(_l("Invitations go by"), kind="channel_policy", codes=CHANNEL_POLICIES)
    country = StringField(_l("Default country for phone numbers (e.g. MX)"), [Parsed(_country, flags={"maxlength": 2})])
    phone_number_id = StringField(
        _l("Phone number ID"),
        [Parsed(_pattern(r"[0-9]{1,32}", _l("digits only")), flags={"maxlength": 32})],
        render_kw={"inputmode": "numeric"},
    )
    SECRETS = ("access_token", "app_secret", "verify_token")  # write-only: never shown, never logged

    access_token = PasswordField(_l("Access token"), [Parsed(_SECRET)])
    app_secret = PasswordField(_l("App secret (verifies webhooks)"), [Parsed(_SECRET)])
    verify_token = PasswordField(_l("Webhook verify token"), [Parsed(_SECRET)])
    template_es = StringField(_l("Spanish: template name"), [Parsed(_TEMPLATE)])
    template_es_code = StringField(_l("Spanish: language code"), [Parsed(_language("es"), flags={"maxlength": 8})])
    template_en = StringField(_l("English: template name"), [Parsed(_TEMPLATE)])
    template_en_code = StringField(_l("English: language code"), [Parsed(_language("en"), flags={"maxlength": 8})])

    @classmethod
    def of(cls, described: dict, **kwargs) -> WhatsAppForm:
        return cls(data=cls.stored(described), **kwargs)

    @staticmethod
    def stored(described: dict) -> dict:
        """The channel as the form shows it; a secret only as whether it is set (the audit log compares two)."""
        templates = described.get("templates") or {}
        data = {"policy": described.get("policy"), "country": described.get("country") or ""}
        data["phone_number_id"] = described.get("phone_number_id") or ""
        for lang in ("es", "en"):
            data[f"template_{lang}"] = templates.get(lang, {}).get("name") or ""
            data[f"template_{lang}_code"] = templates.get(lang, {}).get("language") or lang
        return data

    def values(self) -> dict:
        """Keyword arguments of services.whatsapp.settings.configure_channel; an empty secret keeps the stored one."""
        return {
            "policy": self.policy.data,
            "phone_number_id": self.phone_number_id.parsed,
            "country": self.country.parsed,
            "templates": {
                lang: (getattr(self, f"template_{lang}").parsed, getattr(self, f"template_{lang}_code").parsed)
                for lang in ("es", "en")
                if getattr(self, f"template_{lang}").parsed
            },
            "access_token": self.access_token.parsed,
            "app_secret": self.app_secret.parsed,
            "verify_token": self.verify_token.parsed,
        }


# -- a NUL character in any field -----------------------------------------------------------------

NUL_MESSAGE = _l("contains a NUL character, which is not allowed")


def refuse_nul(form: FlaskForm) -> bool:
    """Mark every field that was sent a NUL character: its error says so (whatever else it had)
    and its value comes back with the character shown as "\ufffd", as a browser shows it.
    True when there was one. run_form and the GET forms (queries.py) call it; surveys.http lets a
    NUL through only to the endpoints listed in the package's NUL_TO_FORM, elsewhere it is a 400."""
    found = False
    for field in form:
        if any(isinstance(raw, str) and "\x00" in raw for raw in field.raw_data or ()):
            found = True
            if isinstance(field.data, str):
                field.data = field.data.replace("\x00", "\ufffd")
            field.errors = [str(NUL_MESSAGE)]
    if found:
        form._errors = None  # WTForms caches form.errors; it is read again from the fields
    return found
