"""The WhatsApp channel page (admins): settings with write-only secrets, a test send, and each
invitation's channel and delivery state, failures and replies."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from ...extensions import db
from ...services import audit
from ...services.whatsapp import reporting
from ...services.whatsapp import settings as wa_settings
from . import audit_staff_action, bp, run_form, save_form
from .action_forms import SendTestForm
from .forms import WhatsAppForm


@bp.route("/whatsapp", methods=["GET", "POST"])
def whatsapp_settings():
    described = wa_settings.describe(wa_settings.get_channel(g.store))
    form = WhatsAppForm.of(described)
    change = lambda: wa_settings.configure_channel(g.store, **form.values())  # noqa: E731
    if save_form(form, change, gettext("Settings saved."), ("store", g.store.id), lambda: _changes(described, form)):
        return redirect(url_for("staff.whatsapp_settings"))
    return _page(described, form, SendTestForm(formdata=None), failed="settings" if form.is_submitted() else None)


def _changes(before: dict, form: WhatsAppForm) -> dict:
    """What a save changed, old → new; a secret typed in says only that it changed, never its value."""
    after = wa_settings.describe(wa_settings.get_channel(g.store))
    changed = audit.changes(WhatsAppForm.stored(before), WhatsAppForm.stored(after))
    secrets = [[name, None, None] for name in WhatsAppForm.SECRETS if getattr(form, name).parsed]
    return {"changes": changed + secrets}


def _page(described: dict, form: WhatsAppForm, test: SendTestForm, failed: str | None):
    """The settings and test forms; the one just posted (``failed``) as typed with its errors (422)."""
    return render_template(
        "staff/whatsapp.html",
        c=described,
        form=form,
        test=test,
        failed=failed == "settings",
        invitations=reporting.recent_invitations(g.store),
        problems=reporting.delivery_problems(g.store),
        replies=reporting.recent_replies(g.store),
        email_state=reporting.email_state,
    ), (422 if failed else 200)


@bp.post("/whatsapp/test")
def whatsapp_test():
    """Send the approved templates (both languages) to the admin's own phone, now."""
    form, results = SendTestForm(), []

    def send():
        results.extend(reporting.send_test(g.store, form.test_phone.parsed, current_user.name or ""))

    if not run_form(form, send):
        described = wa_settings.describe(wa_settings.get_channel(g.store))
        return _page(described, WhatsAppForm.of(described, formdata=None), form, failed="test")
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
