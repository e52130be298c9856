"""Store settings, staff and the audit log (admins), and each member's own preferences."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from ...extensions import db
from ...parsing import time_zones
from ...services import audit, dashboard, failures, feeds, mail, recovery, settings, staff_invitations
from . import bp, field_errors, save_form
from .action_forms import LOCALES, MeForm
from .forms import CancelInvitationForm, InviteForm, MemberForm, StoreSettingsForm


@bp.route("/settings", methods=["GET", "POST"])
def store_settings():
    form = StoreSettingsForm.of(g.store)
    before = StoreSettingsForm.stored(g.store)
    change = lambda: settings.update_store_settings(g.store, form.values())  # noqa: E731 (run once valid)
    changed = lambda: {"changes": audit.changes(before, StoreSettingsForm.stored(g.store))}  # noqa: E731
    if save_form(form, change, gettext("Settings saved."), ("store", g.store.id), changed):
        return redirect(url_for("staff.store_settings"))
    failed = form.is_submitted()  # a valid, saved form has redirected
    page = render_template(
        "staff/settings.html",
        s=g.store,
        form=form,
        failed=failed,
        time_zones=sorted(time_zones()),
        preview_sku=dashboard.first_sku(g.store),
        sender_domains=settings.sender_domains(),
        default_address=mail.default_address(),
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
    if request.method == "GET":
        return _users_page()
    form_class = (
        MemberForm
        if "user_id" in request.form
        else CancelInvitationForm
        if "cancel_invitation" in request.form
        else InviteForm
    )
    form = form_class()
    moved: dict = {}
    done: dict = {}
    if save_form(form, lambda: done.update(_change_staff(form, moved)), audit_details=lambda: done):
        _say_moved(*moved.get("tasks", (0, 0)))
        return redirect(url_for("staff.users"))
    return _users_page(form), 422


def _say_moved(to_agents: int, to_queue: int) -> None:
    """How many of a departing member's tasks were handed on, and where."""
    if to_agents:
        flash(
            ngettext(
                "%(num)d task reassigned to agents on shift.", "%(num)d tasks reassigned to agents on shift.", to_agents
            ),
            "ok",
        )
    if to_queue:
        flash(
            ngettext(
                "%(num)d task returned to the queue with nobody assigned (no agent on shift).",
                "%(num)d tasks returned to the queue with nobody assigned (no agent on shift).",
                to_queue,
            ),
            "ok",
        )


def _change_staff(form, moved: dict) -> dict:
    """Make the change (a departing member's tasks handed on are counted in ``moved``); the audit
    details naming the person and what changed."""
    if isinstance(form, MemberForm):
        moved["tasks"], details = settings.update_member(
            g.store,
            current_user,
            form.user_id.parsed,
            form.role.data,
            form.active.data,
            form.on_shift.parsed if form.on_shift.raw_data else None,  # left out: unchanged
        )
        return details
    if isinstance(form, CancelInvitationForm):
        invitation = staff_invitations.cancel_invitation(g.store, form.cancel_invitation.parsed)
        return {"member": invitation.email, "role": invitation.role, "invitation": "cancelled"}
    invitation = staff_invitations.invite_member(g.store, current_user, form.email.parsed, form.role.data)
    return {"member": invitation.email, "role": invitation.role, "invitation": "sent"}


def _users_page(failed=None):
    """The staff list, each member's row as a form; ``failed`` (just posted) shown as typed."""
    members = settings.members(g.store)
    rows = []
    for user, membership in members:
        if isinstance(failed, MemberForm) and getattr(failed.user_id, "parsed", None) == user.id:
            row = failed
        else:
            row = MemberForm(
                formdata=None,
                user_id=str(user.id),
                role=membership.role,
                active=membership.active,
                on_shift="1" if membership.on_shift else "0",
            )
        rows.append((user, membership, row.for_member(user.id)))
    return render_template(
        "staff/users.html",
        rows=rows,
        invitations=staff_invitations.pending_invitations(g.store),
        invite=failed if isinstance(failed, InviteForm) else InviteForm(formdata=None),
        failed=failed,
    )


@bp.get("/me")
def my_account():
    """The member's own page: who they are here, their language, and going on or off shift."""
    return render_template("staff/me.html", locales=LOCALES)


@bp.post("/me")
def me():
    """The member's language and whether they take new tasks now (either may be left out)."""
    form = MeForm()
    if form.validate_on_submit():
        if form.locale.parsed is not None:
            current_user.locale = form.locale.parsed
        if form.on_shift.parsed is not None:
            recovery.set_on_shift(g.store, current_user, form.on_shift.parsed)
        db.session.commit()
    else:
        flash(gettext("Not saved: %(reason)s", reason=field_errors(form)), "error")
    return redirect(
        request.referrer if (request.referrer or "").startswith(request.host_url) else url_for("staff.dashboard")
    )


@bp.get("/stuck")
def stuck_work():
    """Work the worker set aside for good in this store (dead rows), with the reason."""
    return render_template("staff/stuck.html", rows=failures.dead_rows(g.store.id))
