"""Sign-in and sign-out. Throttled by the client's address, per (account, client) and per
account (see services.staff_auth); one answer for an unknown email and a wrong password;
the session is renewed at sign-in; a throttled attempt is told how long to wait; ``next`` is
followed only to a path on this site (no scheme, host, '//', backslash or line-break tricks)."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user, logout_user

from ...extensions import db
from ...services import audit, staff_auth
from . import bp, start_session, valid_post
from .account_forms import SignInForm


def wait_text(seconds: int) -> str:
    """'45 seconds' under two minutes, else whole minutes rounded up, in the page's language."""
    if seconds < 120:
        return ngettext("%(num)d second", "%(num)d seconds", seconds)
    minutes = -(-seconds // 60)
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = SignInForm(next=request.args.get("next"))
    error, wait = None, 0
    if valid_post(form):
        attempt = staff_auth.sign_in(
            form.email.parsed,
            form.password.data,
            request.remote_addr or "unknown",
            request.cookies.get(staff_auth.DEVICE_COOKIE),
        )
        if attempt.user is not None:
            return _signed_in(attempt, form.next.parsed)
        db.session.rollback()
        wait = attempt.wait
        if not wait:  # a wrong password is logged for the account's admins (throttled attempts check nothing)
            audit.record_account(attempt.account, "login_failed", {"ip": request.remote_addr or ""})
            db.session.commit()
        error = (
            gettext("Too many sign-in attempts. Wait %(wait)s, then try again.", wait=wait_text(wait))
            if wait
            else gettext("Email or password is not right.")
        )
    resp = current_app.make_response(render_template("staff/login.html", form=form, error=error, wait=wait))
    if error:
        resp.status_code = 429 if wait else 401
    elif form.is_submitted():
        resp.status_code = 422  # a field left empty or not an address: said beside it, no attempt counted
    if wait:
        resp.headers["Retry-After"] = str(wait)
    return resp


def _signed_in(attempt, next_path: str | None):
    """Start the session, log it, and go where the member was headed (a path on this site only)."""
    user = attempt.user
    start_session(user)
    audit.record_account(user, "login", {"ip": request.remote_addr or ""})
    db.session.commit()
    resp = redirect(next_path or url_for("staff.dashboard"))
    resp.set_cookie(
        staff_auth.DEVICE_COOKIE,
        attempt.device_token,
        max_age=staff_auth.DEVICE_MAX_AGE,
        path=url_for("staff.login"),
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return resp


@bp.post("/logout")
def logout():
    staff_auth.revoke_sessions(current_user)  # copies of this session cookie stop working too
    audit.record_account(current_user._get_current_object(), "logout")
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("staff.login"))
