"""Review moderation: the queue by status, publish / reject with a reason, the shop's reply,
and the moderation log as CSV. Every member of the store moderates; every step is logged."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from flask_login import current_user

from ...http import image_response
from ...models import REJECT_REASONS
from ...services import audit, photos, reviews
from . import bp, save_list_action
from .action_forms import BackForm, ModerationForm, ReviewReplyForm
from .queries import ReviewQueueForm

PER_PAGE = 25


@bp.get("/reviews")
def reviews_queue():
    form = ReviewQueueForm()
    form.read()  # a tab or page the console never links to falls back to the first page of "pending"
    status, page = form.status.parsed, form.page.parsed
    counts = reviews.status_counts(g.store)
    items = reviews.queue_page(g.store, status, page, PER_PAGE)
    return render_template(
        "staff/reviews.html",
        items=items,
        photos=photos.for_reviews([r.id for r in items]),
        status=status,
        counts=counts,
        page=page,
        pages=max(1, -(-counts[status] // PER_PAGE)),
        reasons=REJECT_REASONS,
        log=audit.entries(g.store.id, "review", limit=15),
        moderation=ModerationForm(formdata=None),
        reply_form=ReviewReplyForm(formdata=None),
    )


@bp.post("/reviews/<id:review_id>/<action>")
def review_action(review_id: int, action: str):
    if action not in ("publish", "publish_without_photos", "reject", "reply"):
        abort(404)
    item = reviews.get_review(g.store, review_id)
    form = ReviewReplyForm() if action == "reply" else ModerationForm()

    def change():
        if action == "reply":
            reviews.set_reply(item, current_user, form.reply.parsed)
        else:
            reviews.moderate(item, current_user, action, form.reason.parsed, form.note.parsed)

    save_list_action(form, change)
    return _back(form)


def _back(form):
    """Back to the list page the button was on, else the queue."""
    return redirect(getattr(form.back, "parsed", None) or url_for("staff.reviews_queue"))


@bp.post("/reviews/<id:review_id>/photos/<public_id>/<action>")
def review_photo_action(review_id: int, public_id: str, action: str):
    """Hide one photo from the public, or show it again (logged in the moderation log)."""
    if action not in ("hide", "show"):
        abort(404)
    item = reviews.get_review(g.store, review_id)
    photo = photos.get_photo(g.store, public_id)
    if photo is None or photo.review_id != item.id:
        abort(404)
    form = BackForm()

    def change():
        if photos.set_hidden(item, photo, action == "hide", current_user) and item.status == "published":
            reviews.refresh_rating(item.product_id)  # the widget's answer and its ETag change

    save_list_action(form, change)
    return _back(form)


def _staff_photo(public_id: str, thumb: bool):
    """Any photo of the current store, for moderation (pending ones too); another store's is a 404."""
    found = photos.staff_photo(g.store, public_id[:32], thumb)
    if found is None:
        abort(404)
    data = None if request.if_none_match.contains(found.sha256) else photos.photo_bytes(found, thumb)
    return image_response(data, found.sha256, found.content_type, "private, no-cache")


@bp.get("/reviews/photos/<public_id>.jpg")
def review_photo(public_id: str):
    return _staff_photo(public_id, thumb=False)


@bp.get("/reviews/photos/<public_id>/thumb.jpg")
def review_photo_thumb(public_id: str):
    return _staff_photo(public_id, thumb=True)
