"""The WhatsApp channel page (admins): settings with write-only secrets, a test send, and each
invitation's channel and delivery state, failures and replies."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from ...errors import ValidationFailed
from ...extensions import db
from ...services.whatsapp import reporting
from ...services.whatsapp import settings as wa_settings
from . import audit_staff_action, bp


def _form_templates(form) -> dict[str, tuple[str, str]]:
    return {
        lang: ((form.get(f"template_{lang}") or "").strip(), (form.get(f"template_{lang}_code") or lang).strip())
        for lang in ("es", "en")
        if (form.get(f"template_{lang}") or "").strip()
    }


@bp.route("/whatsapp", methods=["GET", "POST"])
def whatsapp_settings():
    errors = {}
    if request.method == "POST":
        form = request.form
        try:
            wa_settings.configure_channel(
                g.store,
                policy=form.get("policy", ""),
                phone_number_id=form.get("phone_number_id"),
                templates=_form_templates(form),
                country=form.get("country"),
                access_token=form.get("access_token") or None,  # empty: keep the stored one
                app_secret=form.get("app_secret") or None,
                verify_token=form.get("verify_token") or None,
            )
        except ValidationFailed as exc:
            db.session.rollback()
            errors = exc.fields
        else:
            audit_staff_action("store", g.store.id)
            db.session.commit()
            flash(gettext("Settings saved."), "ok")
            return redirect(url_for("staff.whatsapp_settings"))
    channel = wa_settings.get_channel(g.store)
    return render_template(
        "staff/whatsapp.html",
        c=wa_settings.describe(channel),
        errors=errors,
        form=request.form,
        invitations=reporting.recent_invitations(g.store),
        problems=reporting.delivery_problems(g.store),
        replies=reporting.recent_replies(g.store),
        email_state=reporting.email_state,
    ), (422 if errors else 200)


@bp.post("/whatsapp/test")
def whatsapp_test():
    """Send the approved templates (both languages) to the admin's own phone, now."""
    try:
        results = reporting.send_test(g.store, request.form.get("test_phone", ""), current_user.name or "")
    except ValidationFailed as exc:
        flash(gettext("Not sent: %(reason)s", reason="; ".join(str(v) for v in exc.fields.values())), "error")
        return redirect(url_for("staff.whatsapp_settings"))
    audit_staff_action("store", g.store.id, sent=sum(1 for _, outcome, _ in results if outcome == "ok"))
    db.session.commit()
    if not results:
        flash(gettext("Not sent: no template is set."), "error")
    for lang, outcome, detail in results:
        if outcome == "ok":
            flash(gettext("Test in %(lang)s sent.", lang=lang), "ok")
        else:
            flash(gettext("Test in %(lang)s failed: %(error)s", lang=lang, error=detail), "error")
    return redirect(url_for("staff.whatsapp_settings"))
