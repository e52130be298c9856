"""Staff pages: dashboard, store switcher, and the admins' privacy desk (export / erase)."""

from __future__ import annotations

import json

from flask import Response, abort, flash, g, jsonify, redirect, render_template, session, url_for
from flask_babel import gettext, ngettext
from flask_wtf import FlaskForm

from ...extensions import db
from ...http import json_error
from ...reading import charts
from ...services import dashboard as dashboard_service
from ...services import privacy as privacy_service
from . import audit_staff_action, bp, valid_post
from .action_forms import EraseForm, ExportForm, StoreSwitchForm
from .queries import FiltersForm


@bp.get("/")
def dashboard():
    choices = dashboard_service.filter_choices(g.store)
    form = FiltersForm.of(choices)
    if not form.read():  # no figures under other filters than the ones asked for
        return render_template("staff/dashboard.html", form=form, data=None), 422
    f = form.filters()
    data = dashboard_service.dashboard_data(g.store, f)
    return render_template(
        "staff/dashboard.html",
        form=form,
        f=f,
        m=data["metrics"],
        data=data,
        trend=charts.line_chart(data["weekly_nps"], -100, 100),
        csat_trend=charts.line_chart(data["weekly_csat"], 0, 100),
        distribution=charts.bars(data["distribution"]),
    )


@bp.get("/dashboard.json")
def dashboard_json():
    """The dashboard's numbers under the same filters, for scripts and spreadsheets; bad filters are a 422."""
    form = FiltersForm.of(dashboard_service.filter_choices(g.store))
    if not form.read():
        return json_error(422, "validation_failed", gettext("Some fields are not valid."), form.field_errors())
    f = form.filters()
    return jsonify({"filters": f.as_args(), **dashboard_service.dashboard_data(g.store, f)})


@bp.post("/store")
def switch_store():
    form = StoreSwitchForm()
    wanted = form.store_id.parsed if form.validate_on_submit() else None
    if wanted not in {s.id for s, _ in g.memberships}:
        abort(404)
    session["store_id"] = wanted
    return redirect(url_for("staff.dashboard"))


@bp.get("/privacy")
def privacy():
    return _privacy_page()


def _privacy_page(failed: FlaskForm | None = None):
    """Both request forms; ``failed`` (just posted) comes back as typed with its errors (422)."""
    page = render_template(
        "staff/privacy.html",
        export=failed if isinstance(failed, ExportForm) else ExportForm(formdata=None),
        erase=failed if isinstance(failed, EraseForm) else EraseForm(formdata=None),
    )
    return page, (422 if failed else 200)


@bp.post("/privacy/export")
def privacy_export():
    form = ExportForm()
    if not valid_post(form):
        return _privacy_page(form)
    data = privacy_service.export_customer(g.store, form.email.parsed)
    audit_staff_action("customer", found=data["found"])  # who exported whose data (the email stays out)
    db.session.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2)
    filename = f"postventa-{g.store.slug}-customer-export.json"
    return Response(
        body, mimetype="application/json", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@bp.post("/privacy/erase")
def privacy_erase():
    form = EraseForm()
    if not valid_post(form):
        return _privacy_page(form)
    counts = privacy_service.erase_customer(g.store, form.email.parsed, source="staff")
    audit_staff_action("customer", **counts)
    db.session.commit()
    flash(erasure_summary(counts), "ok")
    return redirect(url_for("staff.privacy"))


def erasure_summary(counts: dict) -> str:
    """What an erasure did, each count with its own plural ("1 comment", "2 comments")."""
    parts = [
        ngettext("%(num)d customer", "%(num)d customers", counts["customer"]),
        ngettext("%(num)d comment", "%(num)d comments", counts["comments"]),
        ngettext("%(num)d email", "%(num)d emails", counts["emails"]),
        ngettext("%(num)d task closed", "%(num)d tasks closed", counts["tasks"]),
    ]
    return gettext("Erased: %(what)s.", what=", ".join(parts))
