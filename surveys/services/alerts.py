"""Mail about recovery tasks: alerts to the shop's team, and the follow-up question to the customer.

Everything goes through the outbox in the same transaction as the change it announces.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select

from ..extensions import db
from ..models import Membership, StaffUser, Store, Task
from ..reading.clock import ShopClock
from . import mail
from .scope import in_store
from .tokens import issue_token, unsubscribe_url

log = logging.getLogger(__name__)


def alert_recipients(store: Store) -> list[str]:
    """The store's alert addresses, by default its active admins."""
    if store.alert_emails:
        return list(store.alert_emails)
    return list(
        db.session.scalars(
            select(StaffUser.email)
            .join(Membership, Membership.user_id == StaffUser.id)
            .where(
                in_store(Membership, store),
                Membership.role == "admin",
                Membership.active.is_(True),
                StaffUser.is_active.is_(True),
            )
        )
    )


def queue_task_alert(task: Task, kind: str) -> int:
    """Tell the team a task was opened (kind 'new') or went past its SLA ('overdue'); nothing
    about an erased customer (their task is closed, and the mail would carry the pseudonym)."""
    store = db.session.get(Store, task.store_id)
    response = task.response
    customer = response.invitation.customer
    if customer.erased:
        return 0
    recipients = alert_recipients(store)
    url = f"{current_app.config['BASE_URL']}/staff/tasks/{task.id}"
    with force_locale(store.locale):
        subject = (
            gettext("Overdue: %(name)s is still waiting", name=customer.name or customer.email)
            if kind == "overdue"
            else gettext("Unhappy customer: %(name)s", name=customer.name or customer.email)
        )
        for address in recipients:
            mail.queue_rendered(
                store=store,
                invitation_id=None,
                outbox_kind=f"alert-{kind}",
                to=("", address),
                subject=subject,
                template="task_alert",
                task=task,
                response=response,
                customer=customer,
                url=url,
                kind=kind,
                task_id=task.id,  # erasing the customer deletes the alert with the task's notes
            )
    return len(recipients)


def followup_url(task: Task, score: int | None = None) -> str:
    url = f"{current_app.config['BASE_URL']}/f/{issue_token('followup', task.public_id)}"
    return url if score is None else f"{url}?score={score}"


def followup_due(store: Store, resolved_at: datetime) -> datetime:
    """When "did we solve it?" goes out: the store's follow-up delay in business time after the
    resolution, on the store's clock (opening hours, holidays)."""
    return ShopClock.of(store).due(resolved_at, store.followup_delay_minutes)


def queue_followup(task: Task) -> None:
    """After resolution: "Did we solve your problem?" 1-5, one click, in the customer's language,
    held in the outbox until ``followup_due`` (withdrawn if the customer unsubscribes meanwhile);
    never to an unsubscribed, bounced or erased customer, nor to an address mail servers refuse."""
    store = db.session.get(Store, task.store_id)
    invitation = task.response.invitation
    customer = invitation.customer
    if customer.unsubscribed_at or customer.bounced_at or customer.erased:
        return
    with force_locale(invitation.locale):
        subject = (
            gettext("Did we solve your problem, %(name)s?", name=customer.first_name)
            if customer.first_name
            else gettext("Did we solve your problem?")
        )
        try:
            mail.queue_rendered(
                store=store,
                invitation_id=invitation.id,
                outbox_kind="followup",
                to=(customer.name or "", customer.email),
                subject=subject,
                template="followup",
                unsubscribe_url=unsubscribe_url(invitation.public_id),
                first_name=customer.first_name,
                form_url=followup_url(task),
                scores=[(n, followup_url(task, n)) for n in range(1, 6)],
                order_ref=invitation.order.order_ref,
                not_before=followup_due(store, task.resolved_at),
            )
        except ValueError:  # an address mail servers refuse: the task is resolved all the same, unasked
            log.warning("task #%s: no follow-up, the customer's address cannot be written", task.id)
