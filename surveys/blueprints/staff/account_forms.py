"""The forms of the pages for people who are not signed in (yet): sign-in, the reset request,
a new password, joining a store by invitation. Same pattern as ``forms``: the limits come from
``surveys.limits``, a failed post comes back as typed (passwords excepted) with each error
beside its field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, StopValidation
from wtforms.widgets import EmailInput

from ... import limits, parsing
from ...limits import column_length
from ...models import StaffUser
from .forms import Parsed, line


def address(raw: str) -> str:
    """An email address as typed (trimmed): one line with an @ between two parts. The account
    or customer is looked up by it; anything stricter would refuse addresses already stored."""
    text = parsing.one_line(raw, column_length(StaffUser.email))
    local, at, domain = text.rpartition("@")
    if text and not (at and local and domain):
        raise parsing.Invalid(_l("not a valid email address"))
    return text


def email_field(label, **kwargs) -> StringField:
    n = column_length(StaffUser.email)
    return StringField(label, [DataRequired(), Parsed(address, flags={"maxlength": n})], widget=EmailInput(), **kwargs)


class PasswordRule:
    """A password's length, said in the service's words; ``minlength``/``maxlength`` on the input."""

    def __init__(self):
        low, high = limits.PASSWORD
        self.field_flags = {"minlength": low, "maxlength": high}

    def __call__(self, form, field):
        low, high = limits.PASSWORD
        if len(field.data or "") < low:
            raise StopValidation(_l("The password needs at least 10 characters."))
        if len(field.data) > high:
            raise StopValidation(_l("The password is too long."))


def _next_path(raw: str) -> str | None:
    return parsing.local_path(raw)  # anything but a path on this site is dropped, never an error


class SignInForm(FlaskForm):
    """/staff/login; ``next`` comes from the query string (or the hidden field the page carries)."""

    email = email_field(_l("Email"), render_kw={"autocomplete": "username"})
    password = PasswordField(
        _l("Password"),
        [InputRequired(), Length(max=limits.PASSWORD[1])],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField(validators=[Parsed(_next_path)])


class ResetRequestForm(FlaskForm):
    """Only an empty or overlong address is refused: anything else gets the one answer whether or
    not an account has it (even "not an address" would tell nothing, but the page stays alike)."""

    email = StringField(
        _l("Email"),
        [DataRequired(), Length(max=column_length(StaffUser.email))],
        widget=EmailInput(),
        render_kw={"autocomplete": "username"},
    )


def new_password(label) -> PasswordField:
    return PasswordField(label, [InputRequired(), PasswordRule()], render_kw={"autocomplete": "new-password"})


def same_password() -> PasswordField:
    return PasswordField(
        _l("The same password again"),
        [InputRequired(), EqualTo("password", _l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )


class NewPasswordForm(FlaskForm):
    password = new_password(_l("New password (10 characters or more)"))
    confirm = same_password()


class JoinForm(FlaskForm):
    """A new person joining by invitation: their name and the password they choose."""

    name = StringField(_l("Your name"), [line(column_length(StaffUser.name))], render_kw={"autocomplete": "name"})
    password = new_password(_l("Choose a password (10 characters or more)"))
    confirm = same_password()


class AcceptForm(FlaskForm):
    """An existing account accepting, signed in as itself: nothing to type."""
