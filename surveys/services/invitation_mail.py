"""The invitation and reminder email: the subject in the customer's language and the one-click
score links. The wording is in templates/email/invitation.txt and .html (English msgids) and
in translations/es/LC_MESSAGES/messages.po (Spanish)."""

from __future__ import annotations

from flask_babel import force_locale, gettext

from ..models import Invitation, Store
from ..reading.scoring import CSAT_SCALE, NPS_SCALE
from . import mail
from .tokens import survey_url, unsubscribe_url


def scale_for(store: Store) -> list[int]:
    """The one-click score buttons: NPS 0-10, or CSAT 1-5 for CSAT-only stores."""
    return list(CSAT_SCALE if store.survey_kind == "csat" else NPS_SCALE)


def queue_invitation_mail(invitation: Invitation, kind: str) -> mail.OutboxMessage | None:
    """Render the invitation (or reminder) in the customer's language and queue it; nothing
    for an erased customer (whose address is a pseudonym)."""
    store, customer = invitation.store, invitation.customer
    if customer.erased:
        return None
    products = [item.display_name for item in invitation.order.items]  # as sent with this order
    ctx = {
        "first_name": customer.first_name,
        "product": products[0] if products else None,
        "more_products": max(len(products) - 1, 0),
        "order_ref": invitation.order.order_ref,
        "kind": kind,
        "survey_kind": store.survey_kind,
    }
    form_url = survey_url(invitation.public_id)  # signed once; the score links add ?score=N
    ctx["form_url"], ctx["scores"] = form_url, [(n, f"{form_url}?score={n}") for n in scale_for(store)]
    with force_locale(invitation.locale):
        subject = invitation_subject(kind, ctx["first_name"], ctx["product"], store.name)
        return mail.queue_rendered(
            store=store,
            invitation_id=invitation.id,
            outbox_kind=kind,
            subject=subject,
            to=(customer.name or "", customer.email),
            template="invitation",
            unsubscribe_url=unsubscribe_url(invitation.public_id),
            **ctx,
        )


def invitation_subject(kind: str, first_name: str, product: str | None, store_name: str) -> str:
    """Personalised subject in the active locale."""
    if kind == "reminder":
        return (
            gettext("%(name)s, one minute for %(store)s?", name=first_name or store_name, store=store_name)
            if first_name
            else gettext("One minute for %(store)s?", store=store_name)
        )
    if first_name and product:
        return gettext("%(name)s, how did your %(product)s arrive?", name=first_name, product=product)
    if first_name:
        return gettext("%(name)s, how was your order from %(store)s?", name=first_name, store=store_name)
    return gettext("How was your order from %(store)s?", store=store_name)
