"""Words, not codes: the one table that turns every stored code into a label a reader
understands, in the reader's language. Pages, the task timeline, the logs and the CSV
headers ask it; a code it does not know is shown humanised, never raw."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

LABELS: dict[str, dict[str, object]] = {
    "task_reason": {
        "detractor": _l("Detractor"),
        "low_csat": _l("Low CSAT"),
        "hidden_detractor": _l("Hidden detractor"),
        "negative_review": _l("Negative review"),
    },
    "task_status": {
        "open": _l("Open"),
        "contacted": _l("Contacted"),
        "resolved": _l("Resolved"),
        "dismissed": _l("Dismissed"),
    },
    "task_deadline": {  # the deadline a task is worked against now (Task.due_kind)
        "first_contact": _l("First contact"),
        "resolution": _l("Resolution"),
    },
    "resolution": {
        "replacement": _l("Replacement sent"),
        "refund": _l("Refund"),
        "coupon": _l("Coupon"),
        "apology": _l("Apology"),
        "other": _l("Other"),
    },
    "task_event": {
        "opened": _l("opened"),
        "reopened": _l("opened again"),
        "note": _l("note"),
        "contacted": _l("contacted"),
        "resolved": _l("resolved"),
        "dismissed": _l("dismissed"),
        "assigned": _l("assigned"),
        "escalated": _l("escalated"),
        "updated": _l("updated"),
        "reply": _l("reply sent"),
        "followup": _l("follow-up answered"),
        "released": _l("reassigned: its assignee no longer works in this store"),
    },
    "review_status": {  # one review's state (the queue's tabs name groups: "Publicadas")
        "pending": lazy_pgettext("one review", "Waiting"),
        "published": lazy_pgettext("one review", "Published"),
        "rejected": lazy_pgettext("one review", "Rejected"),
        "private": lazy_pgettext("one review", "Not for publication"),
    },
    "review_tab": {  # the moderation queue's tabs: groups of reviews
        "pending": _l("Waiting"),
        "published": _l("Published"),
        "rejected": _l("Rejected"),
        "private": _l("Not for publication"),
    },
    "work_kind": {  # stuck work (dead rows), by kind of background job
        "platform_event": _l("Order update from your shop platform"),
        "invitation": _l("Survey invitation"),
        "reminder": _l("Survey reminder"),
        "expiry": _l("Closing an unanswered survey"),
        "alert": _l("New task alert"),
        "escalation": _l("Overdue task alert"),
        "retention": _l("Erasing an old customer's data"),
        "retention_store": _l("Applying the data retention period"),
        "mail": _l("Email"),
        "outbound": _l("Event for your own systems"),
        "other": _l("Background work"),
    },
    "work_failure": {
        "address": _l(
            "An email address cannot be used: mail servers would refuse it (for example, accented letters before the @)."  # noqa: E501
        ),
        "date": _l("A date is impossible (for example, the year 9999)."),
        "header": _l("A name or title contains line breaks, which cannot go into an email header."),
        "other": _l("An unexpected error. The team running Postventa has the details in the worker's log."),
    },
    "flag": {
        "abuse": _l("Insults or abuse"),
        "personal_data": _l("Personal data"),
        "link": _l("Link or advertising"),
        "off_topic": _l("Off-topic"),
        "markup": _l("Code or HTML tags"),
        "not_about_product": _l("Not about the product"),
        "duplicate": _l("Duplicate"),
        "other": _l("Other"),
    },
    "nps_category": {"promoter": _l("Promoter"), "passive": _l("Passive"), "detractor": _l("Detractor")},
    "sentiment": {"negative": _l("negative"), "neutral": _l("neutral"), "positive": _l("positive")},
    "topic": {
        "delivery": _l("delivery"),
        "product": _l("product"),
        "packaging": _l("packaging"),
        "size_fit": _l("size and fit"),
        "support": _l("support"),
        "price": _l("price"),
        "returns": _l("returns"),
    },
    "language": {"es": _l("Spanish"), "en": _l("English"), "other": _l("Other")},
    "role": {"admin": _l("Admin"), "agent": _l("Agent")},
    "survey_kind": {"nps": _l("NPS (0–10)"), "csat": _l("CSAT (1–5)"), "both": _l("NPS and CSAT")},
    "register": {"tu": _l("tú (informal)"), "usted": _l("usted (formal)"), "vos": _l("vos (Río de la Plata)")},
    "on_shift": {"1": _l("On shift"), "0": _l("Off shift")},
    "channel_policy": {
        "email": _l("Email only"),
        "whatsapp_first": _l("WhatsApp first, email as the fallback"),
        "whatsapp_only": _l("WhatsApp only"),
    },
    "actor": {"system": _l("Postventa (automatic)")},
    "customer": {"erased": _l("Erased customer")},  # shown instead of an erased customer's pseudonym
    "object": {
        "review": _l("Review"),
        "store": _l("Store"),
        "users": _l("Staff"),
        "staff_user": _l("Staff member"),
        "responses": _l("Responses"),
        "customer": _l("Customer"),
        "task": _l("Task"),
        "tasks_bulk": _l("Tasks"),
        "membership": _l("Membership"),
    },
    "action": {
        "submitted": _l("Review written"),
        "edited": _l("Review edited"),
        "published": _l("Review published"),
        "rejected": _l("Review turned down"),
        "reply_set": _l("Public reply written"),
        "reply_removed": _l("Public reply removed"),
        "erased": _l("Erased at the customer's request"),
        "publish_without_photos": _l("Review published without its photos"),
        "photo_hidden": _l("Photo hidden from the public"),
        "photo_shown": _l("Photo shown again"),
        "login": _l("Signed in"),
        "login_failed": _l("Failed sign-in (wrong password)"),
        "logout": _l("Signed out"),
        "store_settings": _l("Changed the store settings"),
        "users": _l("Changed the staff"),
        "responses_csv": _l("Exported the responses (CSV)"),
        "privacy_export": _l("Exported a customer's data"),
        "privacy_erase": _l("Erased a customer's data"),
        "task_action:note": _l("Added a note to a task"),
        "task_action:assign": _l("Assigned a task"),
        "task_action:contacted": _l("Marked a task as contacted"),
        "task_action:resolve": _l("Resolved a task"),
        "task_action:dismiss": _l("Dismissed a task"),
        "task_action:reply": _l("Replied to a customer"),
        "tasks_bulk": _l("Changed several tasks at once"),
        "task_closed_erased": _l("Closed a task: the customer's data was erased"),
        "task_released": _l("Handed a task on: its assignee no longer works in this store"),
        "join": _l("Joined the store"),
        "password_reset": _l("Set a new password"),
        "password_reset_request": _l("Asked for a password reset"),
        "feed_key_regenerated": _l("Made a new reviews feed address"),
        "whatsapp_settings": _l("Changed the WhatsApp settings"),
        "whatsapp_test": _l("Sent a WhatsApp test"),
    },
    # CSV columns, in the header row of every export (the order is each export's own; see docs/exports.md).
    "column": {
        "created_at": _l("Answered at"),
        "order_id": _l("Order"),
        "email": _l("Email"),
        "nps": _l("NPS score (0-10)"),
        "nps_category": _l("NPS category"),
        "csat": _l("CSAT score (1-5)"),
        "comment": _l("Comment"),
        "language": _l("Language"),
        "sentiment": _l("Sentiment"),
        "polarity": _l("Polarity (-1 to 1)"),
        "topics": _l("Topics"),
        "hidden_detractor": _l("Hidden detractor"),
        "task_status": _l("Task status"),
        "at": _l("When"),
        "actor": _l("Who"),
        "action": _l("What"),
        "object": _l("Object"),
        "object_id": _l("Object number"),
        "reason": _l("Why"),
        "details": _l("Details"),
    },
    "detail": {
        "status": _l("status"),
        "flags": _l("flags"),
        "rating": _l("stars"),
        "from": _l("before"),
        "fields": _l("fields"),
        "found": _l("found"),
        "ip": _l("IP address"),
        "category": _l("category"),
        "topic": _l("topic"),
        "language": _l("language"),
        "product": _l("product"),
        "to": _l("to"),
        "hidden": _l("hidden detractors"),
        "customer": _l("customer"),
        "comments": _l("comments"),
        "emails": _l("emails"),
        "tasks": _l("tasks closed"),
        "photos": _l("photos"),
        "photo": _l("photo no."),
        "role": _l("role"),
        "sent": _l("sent"),
        "member": _l("person"),
        "invitation": _l("invitation"),
        "changes": _l("changed"),
    },
    "invitation": {"sent": lazy_pgettext("invitation", "sent"), "cancelled": lazy_pgettext("invitation", "cancelled")},
    # The names of the fields a staff form sent (the audit log's "fields" detail: names, never values).
    "field": {
        "action": _l("action"),
        "assignee_id": _l("assignee"),
        "reason": _l("reason"),
        "how": _l("how the customer was contacted"),
        "resolution": _l("what was done"),
        "coupon_code": _l("coupon code"),
        "note": _l("note"),
        "subject": _l("subject"),
        "body": _l("text"),
        "reply": _l("public reply"),
        "email": _l("email address"),
        "name": _l("name"),
        "confirm": _l("confirmation"),
        "role": _l("role"),
        "active": _l("active in this store"),
        "on_shift": _l("on shift"),
        "locale": _l("language"),
        "test_phone": _l("test phone number"),
        "survey_kind": _l("question"),
        "send_delay_days": _l("days before asking"),
        "reminder_delay_days": _l("days before the reminder"),
        "send_window": _l("sending hours"),
        "brand_color": _l("brand colour"),
        "sender_name": _l("sender name"),
        "sender_address": _l("sender address"),
        "timezone": _l("time zone"),
        "opens": _l("opening time"),
        "closes": _l("closing time"),
        "open_saturday": _l("open on Saturdays"),
        "holidays": _l("holidays"),
        "sla_first_contact_hours": _l("first contact deadline"),
        "sla_resolution_hours": _l("resolution deadline"),
        "followup_delay_hours": _l("follow-up delay"),
        "reply_register": _l("form of address"),
        "alert_emails": _l("alert addresses"),
        "outbound_url": _l("signed events address"),
        "tpl_es_subject": _l("Spanish reply subject"),
        "tpl_es_body": _l("Spanish reply message"),
        "tpl_en_subject": _l("English reply subject"),
        "tpl_en_body": _l("English reply message"),
        "tpl_es_followup_subject": _l("Spanish follow-up subject"),
        "tpl_es_followup_body": _l("Spanish follow-up message"),
        "tpl_en_followup_subject": _l("English follow-up subject"),
        "tpl_en_followup_body": _l("English follow-up message"),
        "reviews_auto_publish": _l("automatic publication of reviews"),
        "widget_origins": _l("sites allowed to embed the reviews"),
        "policy": _l("invitation channel"),
        "country": _l("default phone country"),
        "phone_number_id": _l("WhatsApp phone number ID"),
        "access_token": _l("access token"),
        "app_secret": _l("app secret"),
        "verify_token": _l("webhook verify token"),
        "template_es": _l("Spanish template name"),
        "template_es_code": _l("Spanish template language code"),
        "template_en": _l("English template name"),
        "template_en_code": _l("English template language code"),
    },
}

# Form fields that say nothing to a reader (where to go back to, row ids, the CSRF token,
# secrets): never listed in the audit log's "fields" detail.
HIDDEN_FIELDS = {
    "back",
    "next",
    "csrf_token",
    "password",
    "task_id",
    "user_id",
    "store_id",
    "review_id",
    "cancel_invitation",
}

# Kinds whose unknown codes read as one of their own entries rather than a humanised code.
FALLBACK = {"work_kind": "other", "work_failure": "other"}

# Details whose values are codes of another table.
DETAIL_VALUES = {
    "status": "review_status",
    "from": "review_status",
    "flags": "flag",
    "category": "nps_category",
    "topic": "topic",
    "language": "language",
    "role": "role",
    "invitation": "invitation",
}

# Fields whose old and new values in a "changes" detail are codes of another table.
CHANGE_VALUES = {
    "role": "role",
    "survey_kind": "survey_kind",
    "reply_register": "register",
    "policy": "channel_policy",
}


# Notes the services write on a timeline by themselves (stored in English).
SYSTEM_NOTES = {
    "past its SLA": _l("past its deadline"),
    "the customer changed the answer": _l("the customer changed the answer"),
    "answer changed": _l("the customer changed the answer"),
    "customer erased": _l("the customer's data was erased"),
    "pool": _l("back to the queue, nobody assigned"),
}


def humanize(code: str) -> str:
    return code.replace("_", " ").replace(":", ": ").strip().capitalize()


def label(kind: str, code: str | None) -> str:
    """The reader's word for ``code`` of ``kind`` ("" for none)."""
    if code is None or code == "":
        return ""
    if kind == "actor":
        return actor(code)
    found = LABELS.get(kind, {}).get(code)
    if found is None and kind in FALLBACK:  # a kind added later still reads as words
        found = LABELS[kind][FALLBACK[kind]]
    return str(found) if found is not None else humanize(str(code))


def actor(value: str) -> str:
    """Who did it: the system and API keys in words, a staff member by their address as stored."""
    if value == "system":
        return str(LABELS["actor"]["system"])
    if value.startswith("api:"):
        return str(_l("API key %(prefix)s…", prefix=value[4:]))
    return value


def customer_email(customer) -> str:
    """A customer's address as staff see it; an erased customer's pseudonym ("erased:<hash>")
    reads as words. ``customer`` is a Customer or its stored email."""
    email = getattr(customer, "email", customer) or ""
    return label("customer", "erased") if email.startswith("erased:") else email  # models.ERASED_PREFIX


def customer_name(customer) -> str:
    """What a page calls the customer: the name, else the address (erased: the words)."""
    return customer.name or customer_email(customer)


# Columns holding a moment: every console CSV writes them on the shop's clock, as the pages show
# them (to the second, no offset), and its header names the zone once: "Answered at (America/Lima)".
TIME_COLUMNS = {"created_at", "at"}


def csv_header(columns: list[str], zone: str) -> list[str]:
    """An export's header row in the reader's language, one word per column code, same order;
    a time column says the shop's time zone its values are in."""
    return [label("column", c) + (f" ({zone})" if c in TIME_COLUMNS else "") for c in columns]


def csv_time(value, tz_name: str) -> str:
    """A UTC datetime in a CSV: on the shop's clock, to the second ("2026-12-01 10:05:02")."""
    from zoneinfo import ZoneInfo

    return "" if value is None else f"{value.astimezone(ZoneInfo(tz_name)):%Y-%m-%d %H:%M:%S}"


def labels(kind: str, codes) -> str:
    return ", ".join(label(kind, c) for c in codes or [])


def detail_text(details: dict | None) -> str:
    """An audit entry's details as words: "stars: 2 · flags: Personal data"."""
    parts = []
    for key, value in sorted((details or {}).items()):
        if value in (None, ""):
            continue
        kind = DETAIL_VALUES.get(key)
        if kind:
            shown = labels(kind, str(value).split(","))
        elif isinstance(value, bool) or (key == "hidden" and value == "1"):  # a flag, or the "hidden" filter
            shown = str(_l("yes") if value in (True, "1") else _l("no"))
        else:
            shown = str(value)
        if key == "fields":
            shown = field_names(str(value).split(","))
            if not shown:
                continue
        if key == "changes":
            shown = change_text(value)
            if not shown:
                continue
        parts.append(f"{label('detail', key)}: {shown}")
    return " · ".join(parts)


def change_text(changes) -> str:
    """What a save changed, field by field: "brand colour: #111111 → #222222; access token: changed"
    (a secret is stored as [field, None, None] and shown only as changed)."""
    parts = []
    for name, old, new in changes or []:
        if old is None and new is None:
            parts.append(f"{label('field', name)}: {_l('changed')}")
        else:
            parts.append(f"{label('field', name)}: {_change_value(name, old)} → {_change_value(name, new)}")
    return "; ".join(parts)


def _change_value(name: str, value) -> str:
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if value in (None, ""):
        return "—"
    kind = CHANGE_VALUES.get(name)
    return label(kind, value) if kind else str(value)


def field_names(names) -> str:
    """The fields a form sent, as words in the reader's language (internal ones left out)."""
    return ", ".join(label("field", n) for n in names if n and n not in HIDDEN_FIELDS)


def reason_text(entry) -> str:
    """An audit entry's reason; a rejection starts with its reason code ("personal_data — note")."""
    reason = entry.reason or ""
    if entry.action == "rejected" and reason:
        code, sep, note = reason.partition(" — ")
        return label("flag", code) + (f" — {note}" if sep else "")
    return reason


def event_body(event, names: dict | None = None) -> str:
    """A timeline entry's text in words: reasons and resolutions named, the assignee by name (from
    ``names``, email -> name, when the person has one), free text as written."""
    body = event.body or ""
    if event.kind == "assigned":
        return (names or {}).get(body, body)
    if event.kind in ("opened", "reopened"):
        return label("task_reason", body)
    if event.kind == "updated" and " -> " in body:
        old, new = body.split(" -> ", 1)
        return f"{label('task_reason', old)} → {label('task_reason', new)}"
    if event.kind == "resolved":
        code, _sep, note = body.partition(": ")
        return label("resolution", code) + (f": {note}" if note else "")
    if event.kind == "followup" and body in {"1", "2", "3", "4", "5"}:
        return f"{body}/5"
    return str(SYSTEM_NOTES.get(body, body))


def shop_time(value, tz_name: str) -> str:
    """A UTC datetime on the shop's clock, without the zone: pages name the zone once."""
    from zoneinfo import ZoneInfo

    if value is None:
        return "—"
    return f"{value.astimezone(ZoneInfo(tz_name)):%Y-%m-%d %H:%M}"


def duration(minutes) -> str:
    """Business minutes as a reader counts them: "45 min", "3 h 20 min", "4 d 2 h"."""
    if minutes is None:
        return "–"
    minutes = int(round(float(minutes)))
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest:02d} min" if rest else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def register(app) -> None:
    app.add_template_filter(shop_time, "shop_time")
    app.add_template_filter(duration, "duration")
    app.jinja_env.globals.update(
        event_note=lambda text: str(SYSTEM_NOTES.get(text or "", text or "")),
        label=label,
        labels=labels,
        customer_name=customer_name,
        customer_email=customer_email,
        detail_text=detail_text,
        event_body=event_body,
        reason_text=reason_text,
    )
