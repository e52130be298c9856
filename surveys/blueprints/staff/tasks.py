"""The recovery queue and task pages: work an unhappy customer until they are won back."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from ...models import TASK_STATES, StaffUser, utcnow
from ...services import recovery, replies, settings
from . import bp, save_form, save_list_action
from .action_forms import TasksBulkForm
from .forms import TASK_FORMS, AssignForm, ContactForm, DismissForm, NoteForm, ReplyForm, ResolveForm
from .queries import TaskQueueForm


@bp.get("/tasks")
def tasks():
    form = TaskQueueForm()
    valid = form.read()
    status, sort, search = form.status.parsed, form.sort.data, getattr(form.q, "parsed", "")
    now = utcnow()
    page = render_template(
        "staff/tasks.html",
        form=form,
        tasks=recovery.queue(g.store, status, now, sort=sort, search=search or None) if valid else None,
        status=status,
        sort=sort if valid else "due",
        search=search,
        now=now,
        states=TASK_STATES,
        staff=[user for user, _ in settings.members(g.store)],
        bulk=TasksBulkForm(formdata=None),
    )
    return page, (200 if valid else 422)


@bp.post("/tasks/bulk")
def tasks_bulk():
    """Assign (to someone, to me, to nobody) or dismiss the selected tasks."""
    form = TasksBulkForm()

    def change():
        wanted = form.assignee_id.parsed
        me = current_user._get_current_object()
        assignee = me if wanted == "me" else _member(wanted)
        recovery.bulk_update(g.store, me, form.task_id.parsed, form.action.data, assignee, form.reason.parsed)

    save_list_action(form, change)
    return redirect(getattr(form.back, "parsed", None) or url_for("staff.tasks"))


@bp.get("/tasks/<id:task_id>")
def task(task_id: int):
    return _task_page(recovery.get_task(g.store, task_id))


def _task_page(item, failed: tuple[str, FlaskForm] | None = None):
    """The task with its action forms; ``failed`` is the one just posted, shown as typed with
    its errors (422). The reply box offers the first-contact draft, or after first contact the
    follow-up draft."""
    members = settings.members(g.store)
    staff = [user for user, membership in members if membership.active and user.is_active]
    names = {user.email: user.name for user, _ in members if user.name}  # the timeline names people
    erased = item.response.invitation.customer.erased  # nobody to write to: no draft, no reply box
    subject, body = ("", "") if erased else replies.draft(item, current_user)
    forms = {
        "assign": AssignForm(formdata=None, assignee_id=str(item.assignee_id or "")),
        "contacted": ContactForm(formdata=None),
        "resolve": ResolveForm(formdata=None),
        "dismiss": DismissForm(formdata=None),
        "reply": ReplyForm(formdata=None, subject=subject, body=body),
        "note": NoteForm(formdata=None),
    }
    if failed is not None:
        forms[failed[0]] = failed[1]
    forms["assign"].with_staff(staff)
    page = render_template(
        "staff/task.html",
        task=item,
        response=item.response,
        now=utcnow(),
        staff=staff,
        names=names,
        forms=forms,
        draft_stage=replies.draft_stage(item),
        failed=failed[0] if failed else None,
        erased=erased,
        **recovery.customer_context(item),
    )
    return page, (422 if failed else 200)


@bp.post("/tasks/<id:task_id>/<action>")
def task_action(task_id: int, action: str):
    if action not in TASK_FORMS:
        abort(404)
    item = recovery.get_task(g.store, task_id)
    form = TASK_FORMS[action]()
    if save_form(form, lambda: _apply(action, item, form)):
        return redirect(url_for("staff.task", task_id=task_id))
    return _task_page(item, failed=(action, form))


def _apply(action: str, item, form) -> None:
    """Hand the form's typed values to the service for ``action``."""
    me = current_user._get_current_object()
    if action == "note":
        recovery.add_note(item, me, form.body.parsed)
    elif action == "contacted":
        recovery.mark_contacted(item, me, form.how.parsed)
    elif action == "resolve":
        recovery.resolve(item, me, form.resolution.data, form.coupon_code.parsed or None, form.note.parsed)
    elif action == "reply":
        replies.send_reply(item, me, form.subject.parsed, form.body.parsed)
    elif action == "dismiss":
        recovery.dismiss(item, me, form.reason.parsed)
    else:
        wanted = form.assignee_id.parsed
        recovery.assign(item, me, me if wanted == "me" else _member(wanted))


def _member(user_id: int | None) -> StaffUser | None:
    """Only a member of this store can be assigned."""
    if user_id is None:
        return None
    user = next((u for u, _ in settings.members(g.store, active_only=True) if u.id == user_id), None)
    if user is None:
        abort(404)
    return user
