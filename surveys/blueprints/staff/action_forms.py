"""The console's smaller forms (Flask-WTF): the privacy desk, the store and language switches,
the WhatsApp test send, the queue's bulk action and review moderation. Same pattern as
``forms``: each field parsed into a typed value for the service, limits from ``surveys.limits``,
every error in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, StopValidation
from wtforms.widgets import TelInput

from ... import limits, parsing
from ...limits import column_length
from ...models import MAX_ROW_ID, REJECT_REASONS, Task
from .account_forms import email_field
from .forms import Flag, Parsed, _assignee, _row_id, block, line

LOCALES = ("es", "en")


# -- privacy desk ---------------------------------------------------------------------------------


class ExportForm(FlaskForm):
    email = email_field(_l("Customer email"), id="export-email")


class EraseForm(FlaskForm):
    email = email_field(_l("Customer email"), id="erase-email")
    confirm = Flag(_l("I understand this cannot be undone"), id="erase-confirm", render_kw={"value": "yes"})

    def validate_confirm(self, field):
        if (field.raw_data or [""])[0] != "yes":
            raise StopValidation(_l("Tick the box to confirm the erasure."))


# -- the menu: store and language -----------------------------------------------------------------


class StoreSwitchForm(FlaskForm):
    store_id = HiddenField(validators=[Parsed(_row_id)])


def _optional(parse):
    """A field the post may leave out (empty): None, meaning "no change"."""

    def read(raw: str):
        return parse(raw) if raw.strip() else None

    return read


class MeForm(FlaskForm):
    """/staff/me: the member's language and whether they take new tasks; each optional."""

    locale = StringField(_l("Language"), [Parsed(_optional(lambda raw: parsing.choice(raw.strip(), LOCALES)))])
    on_shift = StringField(_l("On shift"), [Parsed(_optional(parsing.boolean))])


# -- WhatsApp test send ---------------------------------------------------------------------------

PHONE_LENGTH = 40  # longer than any number in any notation (services.phones refuses past it)


class SendTestForm(FlaskForm):
    test_phone = StringField(
        _l("Your phone number"),
        [DataRequired(), line(PHONE_LENGTH)],
        widget=TelInput(),
        render_kw={"autocomplete": "tel"},
    )


# -- list actions: the queue's bulk form, review moderation ---------------------------------------


def back_to(prefix: str):
    """The list to return to (the page's own path): a path on this site under ``prefix``, else None."""

    def read(raw: str) -> str | None:
        path = parsing.local_path(raw)
        return path if path and path.startswith(prefix) else None

    return read


def _task_ids(raw) -> list[int]:
    """The ticked tasks; a value that is no row id is dropped (the page only offers real ids)."""
    values = raw if isinstance(raw, list) else []
    return [n for v in values if (n := parsing.lenient(parsing.integer, v, 1, MAX_ROW_ID)) is not None]


class TasksBulkForm(FlaskForm):
    """/staff/tasks/bulk: assign (to someone, to me, to nobody) or dismiss the ticked tasks."""

    task_id = SelectMultipleField(validators=[Parsed(_task_ids)], validate_choice=False)
    action = SelectField(
        _l("With the selected tasks"),
        choices=[SelectChoice("assign", _l("Assign to")), SelectChoice("dismiss", _l("Dismiss"))],
    )
    assignee_id = SelectField(_l("Assignee"), [Parsed(_assignee)], validate_choice=False)
    reason = StringField(_l("Reason (to dismiss)"), [line(column_length(Task.dismiss_reason))])
    back = HiddenField(validators=[Parsed(back_to("/staff/tasks"))])


class ModerationForm(FlaskForm):
    """Publish, publish without photos or reject one review; a rejection says why (the service
    refuses one without a reason, beside the reason)."""

    reason = StringField(_l("Reason"), [Parsed(_optional(lambda raw: parsing.choice(raw, REJECT_REASONS)))])
    note = StringField(_l("Note"), [line(limits.MODERATION_NOTE)])
    back = HiddenField(validators=[Parsed(back_to("/staff/reviews"))])


class ReviewReplyForm(FlaskForm):
    reply = TextAreaField(_l("Public reply from the shop"), [block(limits.REVIEW_REPLY)])
    back = HiddenField(validators=[Parsed(back_to("/staff/reviews"))])


class BackForm(FlaskForm):
    """A one-button list action (hide or show a photo): only where to go back to."""

    back = HiddenField(validators=[Parsed(back_to("/staff/reviews"))])
