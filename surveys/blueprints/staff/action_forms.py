"""The console's smaller forms (Flask-WTF): the privacy desk, the store and language switches,
the WhatsApp test send, the queue's bulk action and review moderation. Same pattern as
``forms``: each field parsed into a typed value for the service, limits from ``surveys.limits``,
every error in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, StopValidation
from wtforms.widgets import TelInput

from ... import parsing
from .account_forms import email_field
from .forms import Flag, Parsed, _row_id, line

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
