"""Customer pages reached from the invitation email: the survey form and unsubscribe.

GET never writes (mail scanners fetch every link); answers and unsubscribes are POSTs.
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import get_input_stream

from ..errors import AlreadyAnswered, DomainError, ValidationFailed
from ..extensions import csrf, db
from ..http import image_response, json_error, page_error, wants_json
from ..i18n import use_locale
from ..parsing import integer, lenient
from ..services import answer_rows, photos, recovery, responses, reviews
from ..services.db_util import commit_keeping_loaded
from ..services.invitation_mail import scale_for
from ..services.survey_page import PageProduct
from ..services.tokens import form_token, read_token
from .public_forms import check_form_token, read_answer, read_plain_answer, reviews_posted
from .survey_strings import survey_strings

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


def _render_form(
    invitation, response, *, values=None, errors=None, status=200, notice=None, autopost=False, refusals=None
):
    store = invitation.store
    values = values or {}
    saved_photos: dict[str, list] = {}
    if response is not None:
        saved = {"nps": response.nps, "csat": response.csat, "comment": response.comment or ""}
        found = reviews.for_response(response.id)
        by_review = photos.for_reviews([r.id for r in found]) if found else {}
        for review in found:
            key = f"review-{review.product.sku}-"
            saved.update({key + "rating": review.rating, key + "title": review.title, key + "body": review.body})
            saved.update({key + "publish": review.consent, "display_name": review.author})
            saved_photos[review.product.sku] = by_review.get(review.id, [])
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
        refusals=refusals or {},
        saved_photos=saved_photos,
        photo_limit=photos.PER_REVIEW,
        words=survey_strings(str(get_locale())),
        form_token=form_token(invitation.public_id),
        first_name=invitation.customer.first_name,
        products=[_as_sent(item) for item in invitation.order.items],
        default_author=reviews.default_author(invitation.customer.name),
    ), status


@bp.get("/s/<token>")
def survey(token: str):
    g.db_reads_only = True  # GET never writes: on SQLite, no write lock for a page view
    invitation, response = responses.open_survey(token)
    use_locale(invitation.locale)
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
@csrf.exempt  # its CSRF token is bound to the invitation and checked here, with no session cookie
def submit(token: str):
    read = read_token("survey", token)  # a forged link costs no image decoding
    check_form_token(read[0])
    if not reviews_posted(request.form, request.files):  # the common case, on plain rows
        saved = answer_rows.record_plain(*read, lambda store: read_plain_answer(store, request.form))
        if saved is not None:
            db.session.commit()
            return _saved(saved, token, read)
    uploads = photos.read_uploads(request.files) if request.files else {}
    invitation = responses.open_invitation("survey", token, read=read)
    use_locale(invitation.locale)
    refusals: dict = {}
    try:
        answer = read_answer(invitation, request.form, uploads, refusals)
        response, created = responses.record_answer(invitation, answer)
    except ValidationFailed as exc:
        db.session.rollback()
        photos.not_saved(uploads, refusals)
        if wants_json():
            return json_error(422, exc.code, exc.message, exc.fields)
        return _render_form(
            invitation,
            responses.find_response(invitation),
            values=_kept(request.form),
            errors=exc.fields,
            status=422,
            refusals=refusals,
        )
    commit_keeping_loaded()
    if wants_json():
        return jsonify(saved=True, nps=response.nps, csat=response.csat, photos_refused=_codes(refusals))
    if refusals:  # saved, but some photos were not taken: say which, beside their product
        return _render_form(
            invitation,
            response,
            refusals=refusals,
            notice=gettext(
                "Some photos were not added: the reason is beside each product. The rest of your answer is saved."
            ),
        )
    return render_template(
        "public/thanks.html",
        store=invitation.store,
        response=response,
        closed=False,
        edit_token=token,
        reviews=_in_item_order(invitation, reviews.for_response(response.id)) if answer.reviews or not created else [],
        item_names=_item_names(invitation),
    )


def _saved(saved: answer_rows.SavedAnswer, token: str, read: tuple) -> ResponseReturnValue:
    """The reply to an answer recorded by ``answer_rows`` (the same as ``submit``'s)."""
    use_locale(saved.locale)
    if wants_json():
        return jsonify(saved=True, nps=saved.nps, csat=saved.csat, photos_refused={})
    found = [] if saved.created else reviews.for_response(saved.id)  # an edit keeps earlier reviews
    invitation = responses.open_invitation("survey", token, read=read) if found else None  # their names
    return render_template(
        "public/thanks.html",
        store=saved.store,
        response=saved,
        closed=False,
        edit_token=token,
        reviews=_in_item_order(invitation, found) if found else [],
        item_names=_item_names(invitation) if found else {},
    )


def _as_sent(item) -> PageProduct:
    """The item's product under the name the shop sent with this order (what the customer bought)."""
    return PageProduct(item.product_id, item.product.sku, item.display_name)


def _item_names(invitation) -> dict[int, str]:
    return {item.product_id: item.display_name for item in invitation.order.items}


def _in_item_order(invitation, found: list) -> list:
    """The response's reviews in the order the survey showed their products (the order's items)."""
    position = {item.product_id: n for n, item in enumerate(invitation.order.items)}
    return sorted(found, key=lambda review: position.get(review.product_id, len(position)))


def _kept(form) -> dict:
    """The posted fields to show again (removal ticks are not kept: the photos are still there)."""
    return {k: v for k, v in form.to_dict().items() if not k.endswith("-photos-remove")}


def _codes(refusals: dict) -> dict:
    return {key: [{"file": u.name, "reason": u.refused} for u in found] for key, found in refusals.items()}


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc):
    """More than the form can carry (photos together above the limit, or text far beyond a field's
    length): the form again, in the customer's language, with everything already saved, and what
    to do about the photos, or about the text when no file was chosen."""
    db.session.rollback()
    try:
        invitation = responses.open_invitation("survey", (request.view_args or {}).get("token", ""))
    except DomainError:
        invitation = None
    if request.endpoint != "public.submit" or invitation is None:
        return json_error(413, "too_large", exc.description) if wants_json() else page_error(413)
    use_locale(invitation.locale)
    if _file_chosen():
        message = gettext(
            "Your photos were too large to send together (%(mb)d MB at most). Nothing of this sending was saved: "
            "please attach fewer or smaller photos (10 MB at most each) and send again.",
            mb=(request.max_content_length or 0) // (1024 * 1024),
        )
    else:
        message = gettext(
            "Your answer is too long to send: a comment or a review takes 5,000 characters at most. "
            "Nothing of this sending was saved: please shorten it and send again."
        )
    if wants_json():
        return json_error(413, "too_large", message)
    return _render_form(invitation, responses.find_response(invitation), status=413, notice=message)


_FILE_NAMED = re.compile(rb'; filename="[^"]')  # a browser names the part of an empty file input ""


def _file_chosen() -> bool:
    """Whether the form refused as too large carried a chosen file. Over the request's limit the
    body is still unread, so it is looked through (up to twice the limit; past that, a file is
    assumed). Within the limit, a text field was over MAX_FORM_MEMORY_SIZE: no file was the cause."""
    length, limit = request.content_length, request.max_content_length or 0
    if request.mimetype != "multipart/form-data":
        return False
    if length is None or length > 2 * limit:
        return True
    if length <= limit:
        return False
    stream, tail = get_input_stream(request.environ, max_content_length=2 * limit), b""
    while chunk := stream.read(1 << 16):
        if _FILE_NAMED.search(tail + chunk):
            return True
        tail = chunk[-16:]
    return False


@bp.get("/s/<token>/photos/<public_id>/thumb.jpg")
def own_photo(token: str, public_id: str):
    """The customer's own photo on their form (also while the shop has not published it)."""
    invitation = responses.open_invitation("survey", token)
    found = photos.customer_photo(invitation, public_id, thumb=True)
    if found is None:
        abort(404)
    if request.if_none_match.contains(found.sha256):
        return image_response(None, found.sha256, found.content_type, "private, no-cache")
    return image_response(photos.photo_bytes(found, True), found.sha256, found.content_type, "private, no-cache")


@bp.errorhandler(CSRFError)
def _csrf_failed(exc):
    """A form opened before a key rotation (or a lost cookie): keep the answers, ask again. A link
    that takes no answer (expired, withdrawn, edit window over) says so instead, as its GET does."""
    db.session.rollback()
    invitation = response = None
    if request.endpoint == "public.submit":
        try:
            invitation = responses.open_invitation("survey", request.view_args["token"])
            response = responses.find_response(invitation)
            responses.check_open(invitation, response)
        except DomainError as closed:  # raised in an error handler it would be a 500: handle it here
            return current_app.handle_user_exception(closed)
    if wants_json():
        return json_error(400, "csrf_failed", exc.description)
    if invitation is None:
        return page_error(400)
    use_locale(invitation.locale)
    return _render_form(
        invitation,
        response,
        values=_kept(request.form),
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
            return json_error(422, "validation_failed", _l("Choose 1 to 5."), {"score": "required"})
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
