"""The staff console's GET forms: every filter bar and list reads its query string here and
hands the services typed values (``reporting.Filters``, a status, a page). A bad value is an
error beside its field, the field keeping what was typed; the page then shows no figures at all
rather than figures under other filters than the ones asked for, and a CSV answers 400.
Values only the console's own links carry (a page number, a status tab) fall back to the first
page and the default tab, which the page then shows as current: nothing is shown under a wrong name."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation
from wtforms.widgets import DateInput, SearchInput

from ... import parsing
from ...labels import LABELS, label
from ...models import REVIEW_STATES, TASK_STATES
from ...reading.topics import TOPICS
from ...services import recovery, reporting
from .forms import Flag, Parsed, line, refuse_nul

PRODUCT_LENGTH, WHO_LENGTH, WHAT_LENGTH, SEARCH_LENGTH = 64, 320, 80, 100
LAST_PAGE = 100_000
NONE = SelectChoice("", "—")
PLURALS = (_l("Promoters"), _l("Passives"), _l("Detractors"))  # reporting.CATEGORIES in words


def _optional_day(raw: str):
    return parsing.day(raw) if raw.strip() else None


def _page(raw: str) -> int:
    return parsing.lenient(parsing.integer, raw, 1, LAST_PAGE, default=1)


def _one_of(codes, default: str):
    def parse(raw: str) -> str:
        return raw if raw in codes else default

    return parse


def _options(kind: str, codes) -> list[tuple[str, str]]:
    return [NONE] + [SelectChoice(code, LABELS[kind][code]) for code in codes]


class QueryForm(FlaskForm):
    """A form read from the query string. A GET changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    def __init__(self, **kwargs):
        super().__init__(formdata=request.args, **kwargs)

    def read(self) -> bool:
        """Validate the query string; False when any value is bad (each error beside its field)."""
        valid = self.validate()
        return not refuse_nul(self) and valid

    def summary(self) -> str:
        """Every error as one sentence ("From: a date like 2026-11-01"), for an answer without a form."""
        return "; ".join(
            f"{self._fields[name].label.text} “{str(self._fields[name].data or '')[:40]}”: {' '.join(map(str, errors))}"
            for name, errors in self.errors.items()
            if name is not None
        )

    def field_errors(self) -> dict[str, str]:
        """The errors by the query argument's name, for a JSON answer."""
        return {self._fields[name].name: " ".join(map(str, errors)) for name, errors in self.errors.items() if name}


class DateRangeForm(QueryForm):
    """From and To, both optional, both inclusive; To may not come before From."""

    start = StringField(_l("From"), [Parsed(_optional_day)], name="from", widget=DateInput())
    end = StringField(_l("To"), [Parsed(_optional_day)], name="to", widget=DateInput())
    page = HiddenField(_l("Page"), [Parsed(_page)])

    def validate_end(self, field):
        start, end = getattr(self.start, "parsed", None), getattr(field, "parsed", None)
        if start is not None and end is not None and end < start:
            raise StopValidation(_l("must not be before the From date (%(day)s)", day=start.isoformat()))


class FiltersForm(DateRangeForm):
    """The filter bar of the dashboard, the responses list and their CSV."""

    product = SelectField(_l("Product"), [line(PRODUCT_LENGTH)], default="", validate_choice=False)
    category = SelectField(
        _l("Category"),
        default="",
        choices=[NONE, *(SelectChoice(c, t) for c, t in zip(reporting.CATEGORIES, PLURALS, strict=True))],
    )
    topic = SelectField(_l("Topic"), default="", choices=_options("topic", TOPICS))
    language = SelectField(_l("Language"), default="", choices=_options("language", ("es", "en", "other")))
    hidden = Flag(_l("Hidden detractors only"))

    @classmethod
    def of(cls, choices: dict) -> FiltersForm:
        """The form over the query string, offering the store's products (``dashboard.filter_choices``)."""
        form = cls()
        form.product.choices = [NONE] + [SelectChoice(p["sku"], p["name"]) for p in choices["products"]]
        return form

    def filters(self) -> reporting.Filters:
        """The validated form as the reporting services take it."""
        return reporting.Filters(
            self.start.parsed,
            self.end.parsed,
            self.category.data or None,
            self.topic.data or None,
            self.language.data or None,
            self.hidden.data,
            self.product.parsed or None,
        )


class LogFiltersForm(DateRangeForm):
    """The filters of the audit and moderation logs: who, what, when. Who and what are matched as
    written (a name no entry has finds nothing), so they are read as text, not checked against the list."""

    who = SelectField(_l("Who"), [line(WHO_LENGTH)], default="", validate_choice=False)
    what = SelectField(_l("What"), [line(WHAT_LENGTH)], default="", validate_choice=False)

    @classmethod
    def of(cls, choices: dict) -> LogFiltersForm:
        form = cls()
        form.who.choices = [NONE] + [SelectChoice(a, label("actor", a)) for a in choices["actors"]]
        form.what.choices = [NONE] + [SelectChoice(a, label("action", a)) for a in choices["actions"]]
        return form

    def values(self) -> dict:
        """Keyword arguments of audit.page_entries / audit.csv_rows (without the page)."""
        return {
            "who": self.who.parsed or None,
            "what": self.what.parsed or None,
            "start": self.start.parsed,
            "end": self.end.parsed,
        }

    def as_args(self) -> dict:
        """The validated filters as query arguments again (pager and CSV links)."""
        values = self.values()
        f = reporting.Filters(values["start"], values["end"])
        return {**f.as_args(), **{k: values[k] for k in ("who", "what") if values[k]}}


class TaskQueueForm(QueryForm):
    """The recovery queue: a status tab, a search and a sort order."""

    STATUSES = ("active", *TASK_STATES)

    status = HiddenField(_l("Status"), [Parsed(_one_of(STATUSES, "active"))], default="active")
    q = StringField(_l("Search"), [line(SEARCH_LENGTH)], widget=SearchInput())
    sort = SelectField(
        _l("Sort by"),
        default="due",
        choices=[
            SelectChoice(code, text)
            for code, text in zip(
                recovery.QUEUE_SORTS, (_l("Due first"), _l("Newest first"), _l("Lowest score first")), strict=True
            )
        ],
    )


class ReviewQueueForm(QueryForm):
    """The moderation queue: a status tab and a page."""

    status = HiddenField(_l("Status"), [Parsed(_one_of(REVIEW_STATES, "pending"))], default="pending")
    page = HiddenField(_l("Page"), [Parsed(_page)])
