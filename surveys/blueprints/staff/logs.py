"""The store's logs as pages and CSVs: the audit log (admins) and its review part, the
moderation log (every member). One mechanism: the same filters (who, what, when), paging,
template and CSV for both; a CSV follows the filters of the page it was downloaded from."""

from __future__ import annotations

from flask import g, render_template, request

from ...parsing import integer, lenient
from ...services import audit, reporting
from . import bp, csv_download

PER_PAGE = 50
LOGS = {  # endpoint of the page -> (object type or None for all, CSV endpoint, file name)
    "staff.audit_log": (None, "staff.audit_csv", "audit-log"),
    "staff.moderation_log": ("review", "staff.moderation_log_csv", "moderation-log"),
}


def _filters():
    args = request.args
    f = reporting.parse_filters(args)  # the same date reading as the other filter bars
    who = (args.get("who") or "").strip()[:320] or None
    what = (args.get("what") or "").strip()[:80] or None
    return f, who, what


def _log_page(endpoint: str):
    object_type, csv_endpoint, _name = LOGS[endpoint]
    f, who, what = _filters()
    page = lenient(integer, request.args.get("page"), 1, 100_000, default=1)
    entries, total = audit.page_entries(g.store.id, who, what, f.start, f.end, page, PER_PAGE, object_type)
    return render_template(
        "staff/audit.html",
        endpoint=endpoint,
        csv_endpoint=csv_endpoint,
        moderation=object_type == "review",
        entries=entries,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        who=who,
        what=what,
        f=f,
        choices=audit.choices(g.store.id, object_type),
    )


def _log_csv(endpoint: str):
    object_type, _csv, name = LOGS[endpoint]
    f, who, what = _filters()
    rows = audit.csv_rows(g.store.id, object_type, who, what, f.start, f.end)
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
