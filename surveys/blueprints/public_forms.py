"""The survey form's fields read into the typed answer the service records (services.responses.Answer):
the scores the store asks, the comment, one review per ordered product and the name shown with
reviews. The fields are per product (``review-<sku>-*``), so they are read here by hand rather than
declared on a FlaskForm; bad fields raise ValidationFailed with one code each, shown beside them.
"""

from __future__ import annotations

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError, same_origin

from ..errors import ValidationFailed
from ..models import Invitation, Product
from ..parsing import integer, lenient
from ..services import photos
from ..services.responses import MAX_COMMENT, Answer
from ..services.reviews import MAX_AUTHOR, MAX_BODY, MAX_TITLE, ReviewInput, clean_text
from ..services.tokens import form_token_valid


def check_form_token(public_id: str) -> None:
    """The survey form's CSRF check (CSRFProtect's, with the token bound to the invitation, see
    tokens.form_token): the posted ``csrf_token`` (or an X-CSRFToken header) and, on HTTPS, a
    same-origin Referer; CSRFError otherwise (the form is shown again with its answers)."""
    cfg = current_app.config
    if not cfg["WTF_CSRF_ENABLED"]:
        return
    given = request.form.get(cfg["WTF_CSRF_FIELD_NAME"]) or next(
        (request.headers[h] for h in cfg["WTF_CSRF_HEADERS"] if request.headers.get(h)), None
    )
    if not given:
        raise CSRFError("The CSRF token is missing.")
    if not form_token_valid(public_id, given):
        raise CSRFError("The CSRF token is invalid.")
    if request.is_secure and cfg["WTF_CSRF_SSL_STRICT"]:
        if not request.referrer:
            raise CSRFError("The referrer header is missing.")
        if not same_origin(request.referrer, f"https://{request.host}/"):
            raise CSRFError("The referrer does not match the host.")


def read_answer(invitation: Invitation, form, uploads: dict | None = None, refusals: dict | None = None) -> Answer:
    """Read scores, comment and reviews from the posted form; ValidationFailed lists bad fields.

    ``uploads``: the request's photos, already decoded (photos.read_uploads). A refused photo
    is no field error: the rest of the answer is saved and the refusal shown beside its product;
    refusals are collected in ``refusals`` (by field name), also when ValidationFailed is raised."""
    products = [item.product for item in invitation.order.items]
    return _read(invitation.store, products, form, uploads, refusals)


def reviews_posted(form, files) -> bool:
    """Whether the form may carry a review or a photo: a chosen file (``photos.read_uploads``
    skips the others), or a review's rating, title or body that is not blank; without a rating,
    ``_reviews`` ignores the rest. Without them ``read_plain_answer`` reads it as ``read_answer``."""
    if any(f.filename or f.content_length for _, f in files.items(multi=True)):
        return True
    return any(
        key.startswith("review-") and key.endswith(_REVIEW_TEXT) and value.strip()
        for key, value in form.items(multi=True)
    )


_REVIEW_TEXT = ("-rating", "-title", "-body")


def read_plain_answer(store, form) -> Answer:
    """``read_answer`` for a form without reviews (``reviews_posted`` is False): the scores the
    store asks, the comment and the reviews' display name checked; no product is needed."""
    return _read(store, [], form, None, None)


def _read(store, products: list, form, uploads: dict | None, refusals: dict | None) -> Answer:
    errors: dict[str, str] = {}
    answer = Answer(photo_refusals=refusals if refusals is not None else {})
    if store.asks_nps():
        answer.nps = _score(form.get("nps"), 0, 10, "nps", errors)
    if store.asks_csat():
        answer.csat = _score(form.get("csat"), 1, 5, "csat", errors)
    comment = form.get("comment")
    if comment is not None:
        comment = comment.replace("\x00", "").strip()
        if len(comment) > MAX_COMMENT:
            errors["comment"] = "too_long"
        answer.comment = comment  # "": emptied by the customer, removed with its reading
    answer.reviews, answer.display_name = _reviews(products, form, errors, uploads, answer.photo_refusals)
    if errors:
        raise ValidationFailed(_l("The answer has invalid fields."), errors)
    return answer


def _score(raw, low: int, high: int, field: str, errors: dict) -> int | None:
    if raw is None or str(raw).strip() == "":
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        errors[field] = "invalid"
        return None
    if not low <= value <= high:
        errors[field] = "out_of_range"
        return None
    return value


def _reviews(
    products: list[Product], form, errors: dict, uploads: dict | None = None, refused: dict | None = None
) -> tuple[dict[int, ReviewInput], str | None]:
    """Read ``review-<sku>-*`` and ``display_name``; only the order's products count.

    ``uploads`` are the decoded ``review-<sku>-photos`` files (photos.read_uploads); refused
    files are listed in ``refused`` under their field name, the rest of the answer goes on."""
    found: dict[int, ReviewInput] = {}
    uploads, refused = uploads or {}, refused if refused is not None else {}
    for product in products:
        prefix = f"review-{product.sku}-"
        raw = (form.get(prefix + "rating") or "").strip()
        title, body = clean_text(form.get(prefix + "title")), clean_text(form.get(prefix + "body"))
        changes = photos.PhotoChanges(
            uploads=uploads.get(product.sku, []), remove=[v[:32] for v in form.getlist(prefix + "photos-remove")][:9]
        )
        if changes.refused:
            refused[prefix + "photos"] = changes.refused
        if not raw:
            if title or body or changes.new:
                errors[prefix + "rating"] = "required"
            continue
        rating = lenient(integer, raw, 1, 5)
        if rating is None:
            errors[prefix + "rating"] = "out_of_range"
            continue
        if len(title) > MAX_TITLE:
            errors[prefix + "title"] = "too_long"
        if len(body) > MAX_BODY:
            errors[prefix + "body"] = "too_long"
        consent = (form.get(prefix + "publish") or "").lower() in ("1", "on", "yes", "true")
        given = changes if changes.uploads or changes.remove else None
        found[product.id] = ReviewInput(rating, title or None, body or None, consent, given)
    name = clean_text(form.get("display_name")).replace("\n", " ")
    if len(name) > MAX_AUTHOR:
        errors["display_name"] = "too_long"
    return found, name or None
