"""Account pages for people who are not signed in (yet): joining a store by invitation, password reset."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user

from ...extensions import db
from ...i18n import use_locale
from ...services import audit, staff_invitations
from ...services import password_reset as password_reset_service
from . import bp, run_form, signed_in, start_session, valid_post
from .account_forms import AcceptForm, JoinForm, NewPasswordForm, ResetRequestForm


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token: str):
    """Accept an invitation: a new person chooses a password; an existing account accepts signed in as itself."""
    invitation, account = staff_invitations.read_invitation(token)
    me = current_user._get_current_object() if signed_in() else None
    if me is not None:
        use_locale(me.locale)
    form = AcceptForm() if account is not None else JoinForm()
    joined = []

    def change():
        if isinstance(form, JoinForm):
            password, confirm, name = form.password.data, form.confirm.data, form.name.parsed
        else:
            password, confirm, name = "", "", ""
        joined.append(staff_invitations.accept_invitation(invitation, me, password, confirm, name))

    if run_form(form, change):
        user = joined[0]
        audit.record(invitation.store_id, user, "join", "membership", user.id, details={"role": invitation.role})
        if me is None:
            start_session(user)
        session["store_id"] = invitation.store_id
        db.session.commit()
        flash(gettext("Welcome to %(store)s.", store=invitation.store.name), "ok")
        return redirect(url_for("staff.dashboard"))
    page = render_template("staff/join.html", invitation=invitation, account=account, me=me, form=form)
    return page, (422 if form.is_submitted() else 200)


@bp.route("/password-reset", methods=["GET", "POST"])
def password_reset():
    """Ask for a reset link: the same answer whether or not the address has an account."""
    form = ResetRequestForm()
    if valid_post(form):
        password_reset_service.request_reset(form.email.data, request.remote_addr or "unknown")
        db.session.commit()
        return render_template("staff/password_reset.html", form=form, sent=True)
    page = render_template("staff/password_reset.html", form=form, sent=False)
    return page, (422 if form.is_submitted() else 200)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
def password_reset_confirm(token: str):
    """Choose the new password (once); every session of the account ends."""
    user = password_reset_service.read_reset(token)
    form = NewPasswordForm()
    if run_form(form, lambda: password_reset_service.complete_reset(user, form.password.data, form.confirm.data)):
        audit.record_account(user, "password_reset")
        db.session.commit()
        flash(gettext("Your new password is set, and you are signed out everywhere. Sign in with it."), "ok")
        return redirect(url_for("staff.login"))
    return render_template("staff/password_new.html", form=form), (422 if form.is_submitted() else 200)
