"""The store's logs as pages and CSVs: the audit log (admins) and its review part, the
moderation log (every member). One mechanism: the same filters (who, what, when), paging,
template and CSV for both; a CSV follows the filters of the page it was downloaded from."""

from __future__ import annotations

from flask import g, render_template
from flask_babel import gettext

from ...http import page_error
from ...services import audit
from . import bp, csv_download
from .queries import LogFiltersForm

PER_PAGE = 50
LOGS = {  # endpoint of the page -> (object type or None for all, CSV endpoint, file name)
    "staff.audit_log": (None, "staff.audit_csv", "audit-log"),
    "staff.moderation_log": ("review", "staff.moderation_log_csv", "moderation-log"),
}


def _form(object_type: str | None) -> LogFiltersForm:
    return LogFiltersForm.of(audit.choices(g.store.id, object_type))


def _log_page(endpoint: str):
    object_type, csv_endpoint, _name = LOGS[endpoint]
    form = _form(object_type)
    page = dict(endpoint=endpoint, csv_endpoint=csv_endpoint, moderation=object_type == "review", form=form)
    if not form.read():  # no entries under other filters than the ones asked for
        return render_template("staff/audit.html", entries=None, **page), 422
    values, number = form.values(), form.page.parsed
    entries, total = audit.page_entries(
        g.store.id, **values, page=number, per_page=PER_PAGE, object_type=object_type, zone=g.store.timezone
    )
    return render_template(
        "staff/audit.html",
        entries=entries,
        total=total,
        page=number,
        pages=max(1, -(-total // PER_PAGE)),
        args=form.as_args(),
        **page,
    )


def _log_csv(endpoint: str):
    object_type, _csv, name = LOGS[endpoint]
    form = _form(object_type)
    if not form.read():  # never a file under other filters than the ones asked for
        return page_error(400, gettext("Nothing exported: %(errors)s", errors=form.summary()))
    rows = audit.csv_rows(g.store.id, object_type, **form.values(), zone=g.store.timezone)
    return csv_download(name, audit.CSV_HEADER, rows)


@bp.get("/audit")
def audit_log():
    return _log_page("staff.audit_log")


@bp.get("/audit.csv")
def audit_csv():
    return _log_csv("staff.audit_log")


@bp.get("/reviews/log")
def moderation_log():
    return _log_page("staff.moderation_log")


@bp.get("/reviews/log.csv")
def moderation_log_csv():
    return _log_csv("staff.moderation_log")
