"""Review moderation: the queue by status, publish / reject with a reason, the shop's reply,
and the moderation log as CSV. Every member of the store moderates; every step is logged."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from flask_login import current_user

from ...models import REJECT_REASONS, REVIEW_STATES
from ...parsing import integer, lenient, local_path
from ...services import audit, reviews
from . import bp, commit_or_flash

PER_PAGE = 25


@bp.get("/reviews")
def reviews_queue():
    status = request.args.get("status", "pending")
    if status not in REVIEW_STATES:
        status = "pending"
    page = lenient(integer, request.args.get("page"), 1, 100_000, default=1)
    counts = reviews.status_counts(g.store)
    return render_template(
        "staff/reviews.html",
        items=reviews.queue_page(g.store, status, page, PER_PAGE),
        status=status,
        counts=counts,
        page=page,
        pages=max(1, -(-counts[status] // PER_PAGE)),
        reasons=REJECT_REASONS,
        log=audit.entries(g.store.id, "review", limit=15),
    )


@bp.post("/reviews/<id:review_id>/<action>")
def review_action(review_id: int, action: str):
    if action not in ("publish", "reject", "reply"):
        abort(404)
    item = reviews.get_review(g.store, review_id)
    form = request.form

    def change():
        if action == "reply":
            reviews.set_reply(item, current_user, form.get("reply", ""))
        else:
            reviews.moderate(item, current_user, action, form.get("reason") or None, form.get("note", ""))

    commit_or_flash(change)
    back = local_path(form.get("back")) or ""
    return redirect(back if back.startswith("/staff/reviews") else url_for("staff.reviews_queue"))
