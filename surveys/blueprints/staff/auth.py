"""Sign-in and sign-out. Throttled per client address and per account; one answer for
an unknown email and a wrong password; the session is renewed at sign-in."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, logout_user

from ...extensions import db, limiter
from ...services import audit, staff_auth
from . import bp, start_session


def _account_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()[:254]


def _safe_next(target: str | None) -> str:
    """Only a path on this site: no scheme, no host, no '//' or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return url_for("staff.dashboard")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return url_for("staff.dashboard")
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_IP"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"], key_func=_account_key, methods=["POST"])
def login():
    error = None
    if request.method == "POST":
        user = staff_auth.authenticate(request.form.get("email", ""), request.form.get("password", ""))
        if user is not None:
            start_session(user)
            audit.record(None, user, "login", "staff_user", user.id, details={"ip": request.remote_addr or ""})
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        error = gettext("Email or password is not right.")
    return render_template("staff/login.html", error=error, email=request.form.get("email", "")), (
        401 if error else 200
    )


@bp.post("/logout")
def logout():
    staff_auth.revoke_sessions(current_user)  # copies of this session cookie stop working too
    audit.record(None, current_user._get_current_object(), "logout", "staff_user", current_user.id)
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("staff.login"))
