"""Staff pages: dashboard, store switcher, and the admins' privacy desk (export / erase)."""

from __future__ import annotations

import json

from flask import Response, abort, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext

from ...extensions import db
from ...models import MAX_ROW_ID
from ...parsing import integer, lenient
from ...reading import charts
from ...services import dashboard as dashboard_service
from ...services import privacy as privacy_service
from ...services import reporting
from . import audit_staff_action, bp


@bp.get("/")
def dashboard():
    f = reporting.parse_filters(request.args)
    data = dashboard_service.dashboard_data(g.store, f)
    return render_template(
        "staff/dashboard.html",
        f=f,
        m=data["metrics"],
        data=data,
        trend=charts.line_chart(data["weekly_nps"], -100, 100),
        csat_trend=charts.line_chart(data["weekly_csat"], 0, 100),
        distribution=charts.bars(data["distribution"]),
        choices=dashboard_service.filter_choices(g.store),
    )


@bp.get("/dashboard.json")
def dashboard_json():
    """The dashboard's numbers under the same filters, for scripts and spreadsheets."""
    f = reporting.parse_filters(request.args)
    return jsonify({"filters": f.as_args(), **dashboard_service.dashboard_data(g.store, f)})


@bp.post("/store")
def switch_store():
    wanted = lenient(integer, request.form.get("store_id"), 1, MAX_ROW_ID)
    if wanted not in {s.id for s, _ in g.memberships}:
        abort(404)
    session["store_id"] = wanted
    return redirect(url_for("staff.dashboard"))


@bp.get("/privacy")
def privacy():
    return render_template("staff/privacy.html")


@bp.post("/privacy/export")
def privacy_export():
    email = (request.form.get("email") or "").strip()
    if "@" not in email:
        flash(gettext("Enter the customer's email address."), "error")
        return redirect(url_for("staff.privacy"))
    data = privacy_service.export_customer(g.store, email)
    audit_staff_action("customer", found=data["found"])  # who exported whose data (the email stays out)
    db.session.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2)
    filename = f"postventa-{g.store.slug}-customer-export.json"
    return Response(
        body, mimetype="application/json", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@bp.post("/privacy/erase")
def privacy_erase():
    email = (request.form.get("email") or "").strip()
    if "@" not in email or request.form.get("confirm") != "yes":
        flash(gettext("Enter the email and tick the box to confirm the erasure."), "error")
        return redirect(url_for("staff.privacy"))
    counts = privacy_service.erase_customer(g.store, email, source="staff")
    audit_staff_action("customer", **counts)
    db.session.commit()
    flash(
        gettext(
            "Erased: %(customers)d customer, %(comments)d comments, %(emails)d emails.",
            customers=counts["customer"],
            comments=counts["comments"],
            emails=counts["emails"],
        ),
        "ok",
    )
    return redirect(url_for("staff.privacy"))
