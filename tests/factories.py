"""Plain factory functions for tests (no magic): stores, deliveries, due invitations."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

from sqlalchemy import select, update

from surveys.extensions import db
from surveys.models import Invitation, utcnow
from surveys.services import intake, tenancy
from surveys.services.tokens import issue_token

_seq = itertools.count(1)


def make_store(slug: str | None = None, **settings):
    """A store plus its API key; returns (store, api_key)."""
    n = next(_seq)
    store = tenancy.create_store(
        settings.pop("name", f"Tienda {n}"),
        slug or f"tienda-{n}",
        settings.pop("locale", "es"),
        settings.pop("timezone", "America/Mexico_City"),
        settings.pop("sender", "Tienda <hola@tienda.test>"),
        settings.pop("send_window", None),
    )
    for key, value in settings.items():
        setattr(store, key, value)
    key = tenancy.create_api_key(store)
    db.session.commit()
    return store, key


def delivery_payload(order_id: str | None = None, email: str | None = None, **overrides) -> dict:
    n = next(_seq)
    payload = {
        "order_id": order_id or f"ORD-{n}",
        "delivered_at": (utcnow() - timedelta(days=3)).isoformat(),
        "customer": {"email": email or f"cliente{n}@example.com", "name": "Ana López", "locale": "es-MX"},
        "items": [{"sku": "TAZA-01", "name": "Taza de barro"}],
    }
    payload.update(overrides)
    return payload


def deliver(store, **kwargs) -> Invitation:
    """Record a delivery through the intake service and return its invitation."""
    result, _ = intake.record_delivery(store, intake.validate_delivery(delivery_payload(**kwargs)))
    db.session.commit()
    return db.session.scalar(select(Invitation).where(Invitation.order_id == result["id"]))


def make_due(invitation: Invitation) -> None:
    db.session.execute(
        update(Invitation).where(Invitation.id == invitation.id).values(send_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()


def sent_invitation(store, **kwargs) -> Invitation:
    """An invitation already mailed (status sent), ready to be answered."""
    invitation = deliver(store, **kwargs)
    now = utcnow()
    invitation.status, invitation.sent_at, invitation.expires_at = "sent", now, now + timedelta(days=30)
    db.session.commit()
    return invitation


def survey_path(invitation: Invitation, score: int | None = None) -> str:
    path = f"/s/{issue_token('survey', invitation.public_id)}"
    return path if score is None else f"{path}?score={score}"


def unsubscribe_path(invitation: Invitation) -> str:
    return f"/u/{issue_token('unsubscribe', invitation.public_id)}"


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"<>]+", text)


# A store settings form that saves as it is; tests change one field at a time.
SETTINGS_FORM = {
    "survey_kind": "both",
    "send_delay_days": "3",
    "reminder_delay_days": "4",
    "brand_color": "#7c2d12",
    "timezone": "America/Mexico_City",
    "opens": "10",
    "closes": "19",
    "sla_first_contact_hours": "2",
    "sla_resolution_hours": "24",
    "reply_register": "tu",
}


def field_state(html: str, field_id: str) -> dict:
    """What a reader (and a screen reader) gets for one form field: its value as shown, its
    HTML limits, whether it is marked invalid, and the text of the error tied to it by
    aria-describedby (None when it has none)."""
    from lxml import html as lxml_html

    page = lxml_html.fromstring(html)
    [node] = page.xpath(f'//*[@id="{field_id}"]')
    if node.tag == "textarea":
        value = node.text_content()  # a browser drops the one line break right after <textarea>
        value = value[2:] if value.startswith("\r\n") else value[1:] if value.startswith("\n") else value
    elif node.tag == "select":
        chosen = node.xpath(".//option[@selected]") or node.xpath(".//option")[:1]
        value = chosen[0].get("value") if chosen else None
    elif node.get("type") == "checkbox":
        value = node.get("checked") is not None
    else:
        value = node.get("value")
    described = (node.get("aria-describedby") or "").split()
    errors = [page.xpath(f'//*[@id="{ref}"]')[0] for ref in described if ref.endswith("-err")]
    return {
        "value": value,
        "invalid": node.get("aria-invalid") == "true",
        "error": errors[0].text_content().strip() if errors else None,
        # beside the field: the error sits in the same box as the input (its label's or its group's)
        "beside": bool(errors) and errors[0].getparent() in (node.getparent(), node.getparent().getparent()),
        "attrs": dict(node.attrib),
    }
