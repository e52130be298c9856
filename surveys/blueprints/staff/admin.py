"""Store settings, staff and the audit log (admins), and each member's own preferences."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from ...errors import ValidationFailed
from ...extensions import db
from ...models import MAX_ROW_ID
from ...parsing import integer, lenient, time_zones
from ...services import dashboard, failures, feeds, recovery, settings, staff_invitations
from . import audit_staff_action, bp, commit_or_flash
from .forms import StoreSettingsForm, add_errors


@bp.route("/settings", methods=["GET", "POST"])
def store_settings():
    form = StoreSettingsForm.of(g.store)
    if form.validate_on_submit():
        try:
            settings.update_store_settings(g.store, form.values())
        except ValidationFailed as exc:
            db.session.rollback()
            add_errors(form, exc.fields)
        else:
            audit_staff_action("store", g.store.id)
            db.session.commit()
            flash(gettext("Settings saved."), "ok")
            return redirect(url_for("staff.store_settings"))
    failed = form.is_submitted()  # a valid, saved form has redirected
    page = render_template(
        "staff/settings.html",
        s=g.store,
        form=form,
        failed=failed,
        time_zones=sorted(time_zones()),
        preview_sku=dashboard.first_sku(g.store),
    )
    return page, (422 if failed else 200)


@bp.post("/settings/feed-key")
def regenerate_feed_key():
    """A new secret address for the Google Shopping feed; the old one stops working."""
    feeds.regenerate_feed_key(g.store, current_user._get_current_object())
    db.session.commit()
    flash(gettext("New feed address made. The old one no longer works: update it in Google Merchant Center."), "ok")
    return redirect(url_for("staff.store_settings") + "#feed")


@bp.route("/users", methods=["GET", "POST"])
def users():
    """Memberships of this store: invite by email, change role, shift or access here, cancel an invitation."""
    if request.method == "POST":
        form = request.form

        def change():
            if form.get("user_id"):
                settings.update_member(
                    g.store,
                    current_user,
                    lenient(integer, form.get("user_id"), 1, MAX_ROW_ID, default=0),
                    form.get("role", ""),
                    form.get("active") == "1",
                    form.get("on_shift") == "1" if "on_shift" in form else None,
                )
            elif form.get("cancel_invitation"):
                staff_invitations.cancel_invitation(
                    g.store, lenient(integer, form.get("cancel_invitation"), 1, MAX_ROW_ID, default=0)
                )
            else:
                staff_invitations.invite_member(g.store, current_user, form.get("email", ""), form.get("role", ""))

        commit_or_flash(change)
        return redirect(url_for("staff.users"))
    return render_template(
        "staff/users.html",
        members=settings.members(g.store),
        invitations=staff_invitations.pending_invitations(g.store),
    )


@bp.post("/me")
def me():
    """The member's language and whether they take new tasks now."""
    if request.form.get("locale") in ("es", "en"):
        current_user.locale = request.form["locale"]
    if "on_shift" in request.form:
        recovery.set_on_shift(g.store, current_user, request.form.get("on_shift") == "1")
    db.session.commit()
    return redirect(
        request.referrer if (request.referrer or "").startswith(request.host_url) else url_for("staff.dashboard")
    )


@bp.get("/stuck")
def stuck_work():
    """Work the worker set aside for good in this store (dead rows), with the reason."""
    return render_template("staff/stuck.html", rows=failures.dead_rows(g.store.id))
