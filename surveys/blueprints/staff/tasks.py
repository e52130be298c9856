"""The recovery queue and task pages: work an unhappy customer until they are won back."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from flask_login import current_user

from ...models import MAX_ROW_ID, TASK_STATES, StaffUser, utcnow
from ...parsing import integer, lenient
from ...services import recovery, replies, settings
from . import bp, commit_or_flash

ACTIONS = {"note", "contacted", "resolve", "dismiss", "assign", "reply"}


@bp.get("/tasks")
def tasks():
    status = request.args.get("status", "active")
    sort = request.args.get("sort", "due")
    sort = sort if sort in recovery.QUEUE_SORTS else "due"
    search = (request.args.get("q") or "").strip()[:100]
    now = utcnow()
    return render_template(
        "staff/tasks.html",
        tasks=recovery.queue(g.store, status, now, sort=sort, search=search or None),
        status=status,
        sort=sort,
        search=search,
        now=now,
        states=TASK_STATES,
        staff=[user for user, _ in settings.members(g.store)],
    )


@bp.post("/tasks/bulk")
def tasks_bulk():
    """Assign (to someone, or to me) or dismiss the selected tasks."""
    form = request.form
    ids = [n for v in form.getlist("task_id") if (n := lenient(integer, v, 1, MAX_ROW_ID)) is not None]
    assignee = current_user._get_current_object() if form.get("assignee_id") == "me" else None
    assignee_id = lenient(integer, form.get("assignee_id"), 1, MAX_ROW_ID)
    if assignee is None and assignee_id is not None:
        assignee = _member(assignee_id)

    def change():
        recovery.bulk_update(g.store, current_user, ids, form.get("action", ""), assignee, form.get("reason", ""))

    commit_or_flash(change)
    back = form.get("back", "")
    return redirect(back if back.startswith("/staff/tasks") else url_for("staff.tasks"))


@bp.get("/tasks/<id:task_id>")
def task(task_id: int):
    item = recovery.get_task(g.store, task_id)
    subject, body = replies.draft(item, current_user)
    staff = [user for user, _ in settings.members(g.store, active_only=True)]
    return render_template(
        "staff/task.html",
        task=item,
        response=item.response,
        now=utcnow(),
        staff=staff,
        reply_subject=subject,
        reply_body=body,
        **recovery.customer_context(item),
    )


@bp.post("/tasks/<id:task_id>/<action>")
def task_action(task_id: int, action: str):
    if action not in ACTIONS:
        abort(404)
    item = recovery.get_task(g.store, task_id)
    form = request.form

    def change():
        if action == "note":
            recovery.add_note(item, current_user, form.get("body", ""))
        elif action == "contacted":
            recovery.mark_contacted(item, current_user, form.get("how", ""))
        elif action == "resolve":
            recovery.resolve(
                item, current_user, form.get("resolution", ""), form.get("coupon_code"), form.get("note", "")
            )
        elif action == "reply":
            replies.send_reply(item, current_user, form.get("subject", ""), form.get("body", ""))
        elif action == "dismiss":
            recovery.dismiss(item, current_user, form.get("reason", ""))
        elif form.get("assignee_id") == "me":
            recovery.assign(item, current_user, current_user._get_current_object())
        else:
            recovery.assign(item, current_user, _member(lenient(integer, form.get("assignee_id"), 1, MAX_ROW_ID)))

    commit_or_flash(change)
    return redirect(url_for("staff.task", task_id=task_id))


def _member(user_id: int | None) -> StaffUser | None:
    """Only a member of this store can be assigned."""
    if user_id is None:
        return None
    user = next((u for u, _ in settings.members(g.store, active_only=True) if u.id == user_id), None)
    if user is None:
        abort(404)
    return user
