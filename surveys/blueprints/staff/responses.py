"""Responses: filtered list, detail, CSV export; and the dashboard's charts."""

from __future__ import annotations

from flask import g, render_template, request
from sqlalchemy import select

from ...errors import NotFound
from ...extensions import db
from ...models import Response, Task
from ...parsing import integer, lenient
from ...services import dashboard, reporting, reviews
from ...services.scope import in_store
from . import audit_staff_action, bp, csv_download

PER_PAGE = 50


@bp.get("/responses")
def responses():
    f = reporting.parse_filters(request.args)
    page = lenient(integer, request.args.get("page"), 1, 100_000, default=1)
    rows, total = reporting.page_responses(db.session, g.store, f, page, PER_PAGE)
    return render_template(
        "staff/responses.html",
        rows=rows,
        f=f,
        page=page,
        total=total,
        per_page=PER_PAGE,
        choices=dashboard.filter_choices(g.store),
        categories=reporting.CATEGORIES,
    )


@bp.get("/responses.csv")
def responses_csv():
    f = reporting.parse_filters(request.args)
    audit_staff_action("responses", **{k: str(v) for k, v in f.as_args().items() if v})  # data left the system
    db.session.commit()
    return csv_download("responses", reporting.CSV_HEADER, reporting.response_rows(g.store.id, f))


@bp.get("/responses/<id:response_id>")
def response_detail(response_id: int):
    item = db.session.scalar(select(Response).where(Response.id == response_id, in_store(Response, g.store)))
    if item is None:
        raise NotFound("no such response")
    task = db.session.scalar(select(Task).where(Task.response_id == item.id, in_store(Task, g.store)))
    return render_template("staff/response.html", r=item, task=task, reviews=reviews.for_response(item.id))
