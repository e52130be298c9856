"""Review moderation: the queue by status, publish / reject with a reason, the shop's reply,
and the moderation log as CSV. Every member of the store moderates; every step is logged."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from flask_login import current_user

from ...http import image_response
from ...models import REJECT_REASONS
from ...parsing import local_path
from ...services import audit, photos, reviews
from . import bp, commit_or_flash
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
    )


@bp.post("/reviews/<id:review_id>/<action>")
def review_action(review_id: int, action: str):
    if action not in ("publish", "publish_without_photos", "reject", "reply"):
        abort(404)
    item = reviews.get_review(g.store, review_id)
    form = request.form

    def change():
        if action == "reply":
            reviews.set_reply(item, current_user, form.get("reply", ""))
        else:
            reviews.moderate(item, current_user, action, form.get("reason") or None, form.get("note", ""))

    commit_or_flash(change)
    return _back(form)


def _back(form):
    back = local_path(form.get("back")) or ""
    return redirect(back if back.startswith("/staff/reviews") else url_for("staff.reviews_queue"))


@bp.post("/reviews/<id:review_id>/photos/<public_id>/<action>")
def review_photo_action(review_id: int, public_id: str, action: str):
    """Hide one photo from the public, or show it again (logged in the moderation log)."""
    if action not in ("hide", "show"):
        abort(404)
    item = reviews.get_review(g.store, review_id)
    photo = photos.get_photo(g.store, public_id)
    if photo is None or photo.review_id != item.id:
        abort(404)

    def change():
        if photos.set_hidden(item, photo, action == "hide", current_user) and item.status == "published":
            reviews.refresh_rating(item.product_id)  # the widget's answer and its ETag change

    commit_or_flash(change)
    return _back(request.form)


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
