"""Customer pages reached from the invitation email: the survey form and unsubscribe.

GET never writes (mail scanners fetch every link); answers and unsubscribes are POSTs.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError

from ..errors import AlreadyAnswered, ValidationFailed
from ..extensions import csrf, db
from ..http import json_error, page_error, wants_json
from ..i18n import use_locale
from ..parsing import integer, lenient
from ..services import recovery, responses, reviews
from ..services.db_util import commit_keeping_loaded
from ..services.invitations import scale_for

bp = Blueprint("public", __name__)


@bp.after_request
def _private(resp):
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "same-origin"
    resp.headers["X-Robots-Tag"] = "noindex, nofollow"
    return resp


def _preselected(invitation) -> int | None:
    scale = scale_for(invitation.store)
    return lenient(integer, request.args.get("score"), min(scale), max(scale))


def _render_form(invitation, response, *, values=None, errors=None, status=200, notice=None, autopost=False):
    store = invitation.store
    values = values or {}
    if response is not None:
        saved = {"nps": response.nps, "csat": response.csat, "comment": response.comment or ""}
        for review in reviews.for_response(response.id):
            key = f"review-{review.product.sku}-"
            saved.update({key + "rating": review.rating, key + "title": review.title, key + "body": review.body})
            saved.update({key + "publish": review.consent, "display_name": review.author})
        values = {**saved, **values}
    return render_template(
        "public/survey.html",
        store=store,
        invitation=invitation,
        response=response,
        values=values,
        errors=errors or {},
        notice=notice,
        autopost=autopost,
        first_name=invitation.customer.first_name,
        products=[item.product for item in invitation.order.items],
        default_author=reviews.default_author(invitation.customer.name),
    ), status


@bp.get("/s/<token>")
def survey(token: str):
    invitation = responses.open_invitation("survey", token)
    use_locale(invitation.locale)
    response = responses.find_response(invitation)
    try:
        responses.check_open(invitation, response)
    except AlreadyAnswered:
        return render_template("public/thanks.html", store=invitation.store, response=response, closed=True)
    score = _preselected(invitation)
    values = {}
    if score is not None:
        values["csat" if invitation.store.survey_kind == "csat" else "nps"] = score
    return _render_form(invitation, response, values=values, autopost=score is not None)


@bp.post("/s/<token>")
def submit(token: str):
    invitation = responses.open_invitation("survey", token)
    use_locale(invitation.locale)
    try:
        answer = responses.parse_answer(invitation, request.form)
        response = responses.submit_response(invitation, answer)
    except ValidationFailed as exc:
        db.session.rollback()
        if wants_json():
            return json_error(422, exc.code, exc.message, exc.fields)
        return _render_form(
            invitation,
            responses.find_response(invitation),
            values=request.form.to_dict(),
            errors=exc.fields,
            status=422,
        )
    commit_keeping_loaded()
    if wants_json():
        return jsonify(saved=True, nps=response.nps, csat=response.csat)
    return render_template(
        "public/thanks.html",
        store=invitation.store,
        response=response,
        closed=False,
        edit_token=token,
        reviews=reviews.for_response(response.id),
    )


@bp.errorhandler(CSRFError)
def _csrf_failed(exc):
    """A form opened before a key rotation (or a lost cookie): keep the answers, ask again."""
    db.session.rollback()
    if wants_json():
        return json_error(400, "csrf_failed", exc.description)
    if request.endpoint != "public.submit":
        return page_error(400)
    invitation = responses.open_invitation("survey", request.view_args["token"])
    use_locale(invitation.locale)
    return _render_form(
        invitation,
        responses.find_response(invitation),
        values=request.form.to_dict(),
        status=400,
        notice=gettext("For your security, please press Send once more."),
    )


@bp.get("/u/<token>")
def unsubscribe_page(token: str):
    invitation = responses.open_invitation("unsubscribe", token, enforce_lifetime=False)
    use_locale(invitation.locale)
    return render_template(
        "public/unsubscribe.html", store=invitation.store, done=invitation.customer.unsubscribed_at is not None
    )


@bp.post("/u/<token>")
@csrf.exempt  # RFC 8058 one-click: no cookie, no CSRF token; the signed URL is the authorisation
def unsubscribe(token: str):
    invitation = responses.open_invitation("unsubscribe", token, enforce_lifetime=False)
    use_locale(invitation.locale)
    responses.unsubscribe(invitation)
    db.session.commit()
    return render_template("public/unsubscribe.html", store=invitation.store, done=True)


@bp.get("/f/<token>")
def followup(token: str):
    """One question after a resolved task. GET only shows it (scanners fetch every link)."""
    task = recovery.open_followup(token)
    use_locale(task.response.invitation.locale)
    chosen = lenient(integer, request.args.get("score"), 1, 5)
    return render_template(
        "public/followup.html",
        store=task.response.invitation.store,
        selected=chosen if chosen is not None else task.followup_score,
        autopost=chosen is not None,
        done=False,
        error=None,
    )


@bp.post("/f/<token>")
def followup_answer(token: str):
    task = recovery.open_followup(token)
    use_locale(task.response.invitation.locale)
    try:
        recovery.record_followup(task, lenient(integer, request.form.get("score"), 1, 5, default=0))
    except ValidationFailed:
        db.session.rollback()
        if wants_json():
            return json_error(422, "validation_failed", "choose 1 to 5", {"score": "required"})
        return render_template(
            "public/followup.html",
            store=task.response.invitation.store,
            selected=None,
            autopost=False,
            done=False,
            error=gettext("Please choose a score."),
        ), 422
    db.session.commit()
    if wants_json():
        return jsonify(saved=True, score=task.followup_score)
    return render_template("public/followup.html", store=task.response.invitation.store, done=True)
