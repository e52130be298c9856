"""Staff console (/staff): sign-in, store scoping and roles, checked once for the blueprint.

Every view works on ``g.store``, chosen among the signed-in user's memberships;
admin-only endpoints are listed in ADMIN_ONLY, so access fails closed. The views are the
package's modules (account, admin, auth, ...); they import ``bp`` from here and create_app
imports them, so this module imports none of them back.
"""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user

from ... import labels
from ...errors import ValidationFailed
from ...extensions import db, login_manager
from ...i18n import use_locale
from ...models import utcnow
from ...reading.scoring import SMALL_SAMPLE
from ...services import audit, reporting, staff_auth
from .forms import add_errors, field_attrs, refuse_nul

bp = Blueprint("staff", __name__)
PUBLIC = {
    "staff.login",
    "staff.join",
    "staff.password_reset",
    "staff.password_reset_confirm",
}  # pages for people who are not (yet) signed in
ADMIN_ONLY = {
    "staff.privacy",
    "staff.privacy_export",
    "staff.privacy_erase",
    "staff.store_settings",
    "staff.regenerate_feed_key",
    "staff.users",
    "staff.audit_log",
    "staff.audit_csv",
    "staff.stuck_work",
    "staff.whatsapp_settings",
    "staff.whatsapp_test",
}


# Endpoints whose every query or form field is read by a Flask-WTF form (run_form, or a GET form
# of queries.py) that says a NUL character beside its field and keeps the rest as typed; for
# them surveys.http lets a NUL in a value through to the form instead of answering a bare 400.
NUL_TO_FORM = {
    "staff.dashboard",
    "staff.dashboard_json",
    "staff.responses",
    "staff.responses_csv",
    "staff.audit_log",
    "staff.audit_csv",
    "staff.moderation_log",
    "staff.moderation_log_csv",
    "staff.tasks",
    "staff.store_settings",
    "staff.whatsapp_settings",
    "staff.users",
    "staff.task_action",
    "staff.login",
    "staff.join",
    "staff.password_reset",
    "staff.password_reset_confirm",
    "staff.privacy_export",
    "staff.privacy_erase",
}
bp.record_once(lambda state: state.app.extensions.setdefault("nul_to_form", set()).update(NUL_TO_FORM))


@login_manager.user_loader
def _load_user(token: str):
    return staff_auth.load_session_user(token)


def signed_in() -> bool:
    """A signed-in user whose session has neither idled out nor grown too old."""
    cfg = current_app.config
    return current_user.is_authenticated and not staff_auth.session_expired(
        session.get("started"), session.get("seen"), utcnow(), cfg["STAFF_IDLE_MINUTES"], cfg["STAFF_ABSOLUTE_HOURS"]
    )


def start_session(user) -> None:
    """Sign ``user`` in on a fresh session: nothing planted before sign-in survives it."""
    session.clear()
    login_user(user)
    session["started"] = session["seen"] = time.time()


@bp.before_request
def _guard():
    if request.endpoint in PUBLIC:
        return None
    if not signed_in():
        logout_user()
        session.clear()
        return redirect(url_for("staff.login", next=_here() if request.method == "GET" else None))
    session["seen"] = time.time()
    use_locale(current_user.locale)
    seats = staff_auth.seats(current_user)
    g.memberships = [(s, r) for s, r, _ in seats]
    chosen = session.get("store_id")
    current = next((seat for seat in seats if seat[0].id == chosen), None) or (seats[0] if seats else None)
    if current is None:
        abort(403)
    g.store, g.role, g.on_shift = current
    if request.endpoint in ADMIN_ONLY and g.role != "admin":
        abort(404)  # another role's page does not exist for you
    return None


def _here() -> str:
    """The path asked for, with its query string only when it has one (Werkzeug's ``full_path``
    always ends in "?")."""
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{query}" if query else "")


def valid_post(form) -> bool:
    """``form`` was posted, is valid and carries no NUL character (each field sent one is marked)."""
    valid = form.validate_on_submit()
    return not refuse_nul(form) and valid


def run_form(form, change) -> bool:
    """Validate ``form`` and run ``change()`` with its typed values; on a service's
    ValidationFailed roll back and show its errors beside the fields. True when the change ran
    (the caller commits); False when nothing was written (the caller re-renders the form as typed)."""
    if not valid_post(form):
        return False
    try:
        change()
    except ValidationFailed as exc:
        db.session.rollback()
        add_errors(form, exc.fields, exc.message)
        return False
    return True


def field_errors(form) -> str:
    """A refused menu or list action's errors on one line for a flash: "Field: reason; ..."."""
    parts = []
    for field in form:
        if field.errors:
            text = " ".join(str(error) for error in field.errors)
            parts.append(text if field.type in ("HiddenField", "CSRFTokenField") else f"{field.label.text}: {text}")
    return "; ".join(parts + [str(error) for error in form.form_errors])


def save_form(form, change, saved: str | None = None, audit_as: tuple = (), audit_details=None) -> bool:
    """``run_form``, then audit, commit and flash "Saved." (or ``saved``) on success.
    ``audit_details()``, called after the change, says what it changed (see audit_staff_action)."""
    if not run_form(form, change):
        return False
    if audit_details is None:
        audit_staff_action(*audit_as)
    else:
        audit_staff_action(*audit_as, sent_fields=False, **audit_details())
    db.session.commit()
    flash(saved or gettext("Saved."), "ok")
    return True


def save_list_action(form, change) -> bool:
    """A button in a list's row (moderation, the queue's bulk action): ``save_form``, or say in a
    flash what was refused; the caller goes back to the list either way."""
    if save_form(form, change):
        return True
    flash(gettext("Not saved: %(reason)s", reason=field_errors(form)), "error")
    return False


# Endpoints whose service writes its own, more detailed entries (review moderation).
SELF_AUDITED = {"staff.review_action", "staff.review_photo_action", "staff.regenerate_feed_key"}
SECRET_FIELDS = {"password", "csrf_token"}


def audit_staff_action(
    object_type: str | None = None, object_id: int | None = None, sent_fields: bool = True, **details
) -> None:
    """Log the current staff request: who, which action on which object, ``details``, and, unless the
    details say what changed (``changes``: [field, old, new], secrets as [field, None, None]), which
    fields it sent (names only: values may be personal data or secrets)."""
    if request.endpoint in SELF_AUDITED:
        return
    args = dict(request.view_args or {})
    action = request.endpoint.split(".", 1)[1] + (f":{args['action']}" if "action" in args else "")
    id_arg = next((k for k in args if k.endswith("_id")), None)
    audit.record(
        g.store.id,
        current_user._get_current_object(),
        action,
        object_type or (id_arg[:-3] if id_arg else request.endpoint.split(".", 1)[1]),
        object_id if object_id is not None else (args.get(id_arg) if id_arg else None),
        details={"fields": ",".join(sorted(set(request.form) - SECRET_FIELDS)), **details}
        if sent_fields and request.form
        else details,
    )


def csv_download(filename: str, header: list[str], rows_of) -> Response:
    """A streamed CSV attachment; the rows are read by the stream itself (see reporting.stream_csv).
    ``header`` lists the column codes; the header row shows them as words in the member's language
    (a time column with the shop's time zone, the one ``rows_of`` writes times in), and the stream
    keeps the request's context so the rows' labels are in that language too."""
    header_row = labels.csv_header(header, g.store.timezone)
    body = stream_with_context(reporting.stream_csv(db.engine, header_row, rows_of))
    name = f"postventa-{g.store.slug}-{filename}.csv"
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.after_request
def _private(resp):
    resp.headers["Cache-Control"] = "no-store"
    return resp


bp.add_app_template_global(field_attrs)
bp.add_app_template_global(SMALL_SAMPLE, "small_sample_n")  # under it a margin of error is not shown
