"""Responses: filtered list, detail, CSV export; and the dashboard's charts."""

from __future__ import annotations

from flask import g, render_template
from flask_babel import gettext
from sqlalchemy import select

from ...errors import NotFound
from ...extensions import db
from ...http import page_error
from ...models import Response, Task
from ...services import dashboard, reporting, reviews
from ...services.scope import in_store
from . import audit_staff_action, bp, csv_download
from .queries import FiltersForm

PER_PAGE = 50


@bp.get("/responses")
def responses():
    form = FiltersForm.of(dashboard.filter_choices(g.store))
    if not form.read():
        return render_template("staff/responses.html", form=form, rows=None), 422
    f, page = form.filters(), form.page.parsed
    rows, total = reporting.page_responses(db.session, g.store, f, page, PER_PAGE)
    return render_template("staff/responses.html", form=form, rows=rows, f=f, page=page, total=total, per_page=PER_PAGE)


@bp.get("/responses.csv")
def responses_csv():
    form = FiltersForm.of(dashboard.filter_choices(g.store))
    if not form.read():  # never a file under other filters than the ones asked for
        return page_error(400, gettext("Nothing exported: %(errors)s", errors=form.summary()))
    f = form.filters()
    audit_staff_action("responses", **{k: str(v) for k, v in f.as_args().items() if v})  # data left the system
    db.session.commit()
    return csv_download("responses", reporting.CSV_HEADER, reporting.response_rows(g.store.id, f, g.store.timezone))


@bp.get("/responses/<id:response_id>")
def response_detail(response_id: int):
    item = db.session.scalar(select(Response).where(Response.id == response_id, in_store(Response, g.store)))
    if item is None:
        raise NotFound("no such response")
    task = db.session.scalar(select(Task).where(Task.response_id == item.id, in_store(Task, g.store)))
    return render_template("staff/response.html", r=item, task=task, reviews=reviews.for_response(item.id))
