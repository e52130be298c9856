"""Personal replies to unhappy customers: templates per language and register, filled in,
sent from the store's sender with Reply-To the agent, logged on the task as first contact.

Placeholders: {first_name} {order} {product} {agent} {store} {promise}.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from markupsafe import escape

from .. import parsing
from ..errors import ValidationFailed
from ..models import StaffUser, Task, utcnow
from . import mail

REGISTERS = ("tu", "usted", "vos")

DEFAULTS = {
    ("es", "tu"): (
        "{first_name}, lamentamos lo de tu pedido {order}",
        "Hola, {first_name}:\n\nSoy {agent}, de {store}. Leí tu respuesta sobre tu pedido {order} ({product}) y "
        "lamento mucho que no haya salido como esperabas.\n\nQuiero resolverlo: {promise} te escribo con la solución "
        "(reposición, reembolso o lo que prefieras). Si quieres, respóndeme a este correo y cuéntame qué pasó.\n\n"
        "Gracias por avisarnos,\n{agent}\n{store}",
    ),
    ("es", "usted"): (
        "{first_name}, lamentamos lo de su pedido {order}",
        "Estimado/a {first_name}:\n\nLe escribe {agent}, de {store}. Leímos su respuesta sobre su pedido {order} "
        "({product}) y lamentamos mucho que no haya salido como esperaba.\n\nQueremos resolverlo: {promise} le "
        "escribiremos con la solución (reposición, reembolso o lo que usted prefiera). Puede responder a este "
        "correo para contarnos qué ocurrió.\n\nGracias por avisarnos,\n{agent}\n{store}",
    ),
    ("es", "vos"): (
        "{first_name}, lamentamos lo de tu pedido {order}",
        "Hola, {first_name}:\n\nSoy {agent}, de {store}. Leí tu respuesta sobre tu pedido {order} ({product}) y "
        "lamento mucho que no haya salido como esperabas.\n\nQuiero resolverlo: {promise} te escribo con la "
        "solución (reposición, reembolso o lo que prefieras). Si querés, respondeme a este correo y contame qué "
        "pasó.\n\nGracias por avisarnos,\n{agent}\n{store}",
    ),
    ("en", "tu"): (
        "{first_name}, we are sorry about your order {order}",
        "Hi {first_name},\n\nI'm {agent} from {store}. I read your answer about your order {order} ({product}) and "
        "I'm sorry it didn't go as you expected.\n\nI want to put it right: {promise} I'll write to you with the "
        "fix (a replacement, a refund or whatever you prefer). Just reply to this email and tell me what "
        "happened.\n\nThank you for telling us,\n{agent}\n{store}",
    ),
}

# After first contact: the follow-up ("did we solve it?") draft, same placeholders.
FOLLOWUP_DEFAULTS = {
    ("es", "tu"): (
        "{first_name}, ¿cómo va lo de tu pedido {order}?",
        "Hola, {first_name}:\n\nSoy {agent}, de {store}. Te escribo otra vez por tu pedido {order} ({product}).\n\n"
        "¿Quedó resuelto el problema? Si todavía falta algo, respóndeme a este correo y lo resolvemos {promise}."
        "\n\nGracias,\n{agent}\n{store}",
    ),
    ("es", "usted"): (
        "{first_name}, ¿cómo va lo de su pedido {order}?",
        "Estimado/a {first_name}:\n\nLe escribe {agent}, de {store}, otra vez por su pedido {order} ({product})."
        "\n\n¿Quedó resuelto el problema? Si todavía falta algo, puede responder a este correo y lo resolveremos "
        "{promise}.\n\nGracias,\n{agent}\n{store}",
    ),
    ("es", "vos"): (
        "{first_name}, ¿cómo va lo de tu pedido {order}?",
        "Hola, {first_name}:\n\nSoy {agent}, de {store}. Te escribo otra vez por tu pedido {order} ({product}).\n\n"
        "¿Quedó resuelto el problema? Si todavía falta algo, respondeme a este correo y lo resolvemos {promise}."
        "\n\nGracias,\n{agent}\n{store}",
    ),
    ("en", "tu"): (
        "{first_name}, how are things with your order {order}?",
        "Hi {first_name},\n\nIt's {agent} from {store} again, about your order {order} ({product}).\n\n"
        "Is the problem solved? If anything is still missing, just reply to this email and we'll put it right "
        "{promise}.\n\nThank you,\n{agent}\n{store}",
    ),
}
# {promise} once the resolution deadline has passed: no date, it reads in every template's sentence.
PROMISE_SOON = {"es": "cuanto antes", "en": "as soon as possible"}
STAGES = ("first", "followup")  # which draft the composer offers: before / after first contact


PLACEHOLDERS = ("first_name", "order", "product", "agent", "store", "promise")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def unknown_placeholders(template: str) -> list[str]:
    """The ``{...}`` in a template that are not one of PLACEHOLDERS (shown to the admin)."""
    return [m.group(0) for m in _PLACEHOLDER.finditer(template) if m.group(1) not in PLACEHOLDERS]


def unbalanced(template: str) -> bool:
    """A ``{`` or ``}`` left over once every ``{...}`` is taken out."""
    rest = _PLACEHOLDER.sub("", template)
    return "{" in rest or "}" in rest


def fill(template: str, values: dict[str, str]) -> str:
    """Replace ``{name}`` for the allowed names only; anything else stays as written.
    Never ``str.format``: it reads attributes and indexes (``{first_name.__class__}``)."""
    allowed = {name: str(values[name]) for name in PLACEHOLDERS if name in values}
    return _PLACEHOLDER.sub(lambda m: allowed.get(m.group(1), m.group(0)), template)


def draft_stage(task: Task) -> str:
    """The reply draft to offer: "first" until first contact is recorded, then "followup"."""
    return "followup" if task.first_contact_at is not None else "first"


def template_key(lang: str, register: str, stage: str = "first") -> str:
    """Where a store's own template is kept in ``reply_templates`` ("es-tu", "en-tu-followup")."""
    return f"{lang}-{register}" + ("-followup" if stage == "followup" else "")


def draft(task: Task, agent: StaffUser, now: datetime | None = None) -> tuple[str, str]:
    """The template for this customer's language, the store's register and the task's stage
    (first contact, or the follow-up once first contact is recorded), filled in."""
    store = task.response.invitation.store
    invitation = task.response.invitation
    lang = "en" if invitation.locale == "en" else "es"
    register = store.reply_register if lang == "es" and store.reply_register in REGISTERS else "tu"
    stage = draft_stage(task)
    custom = (store.reply_templates or {}).get(template_key(lang, register, stage)) or {}
    subject, body = (FOLLOWUP_DEFAULTS if stage == "followup" else DEFAULTS)[(lang, register)]
    subject, body = custom.get("subject") or subject, custom.get("body") or body
    items = [i.display_name for i in invitation.order.items]
    promise = _promise(task.resolution_due_at, store.timezone, lang, now or utcnow())
    values = dict(
        first_name=invitation.customer.first_name or "",
        order=invitation.order.order_ref,
        product=", ".join(items),
        agent=agent.name or agent.email,
        store=store.name,
        promise=promise,
    )
    return fill(subject, values), fill(body, values)


def _promise(due: datetime, tz_name: str, lang: str, now: datetime) -> str:
    """``{promise}``: the resolution deadline on the shop's clock while it is ahead, and no date
    once it has passed (a draft must not promise a day that is already gone)."""
    if due <= now:
        return PROMISE_SOON[lang]
    local = due.astimezone(ZoneInfo(tz_name))
    return f"antes del {local:%d/%m} a las {local:%H:%M}" if lang == "es" else f"by {local:%d %b} at {local:%H:%M}"


def send_reply(task: Task, agent: StaffUser, subject: str, body: str) -> None:
    """Queue the reply (from the store, Reply-To the agent) and log it as first contact."""
    from .recovery import log_reply

    errors: dict[str, str] = {}
    subject = parsing.field(errors, "subject", parsing.one_line, subject, 200)
    body = parsing.field(errors, "body", parsing.text_block, body, 10000)
    if errors:
        raise ValidationFailed(_l("The subject must be a single line."), errors)
    if not subject or not body:
        raise ValidationFailed(
            _l("A reply needs a subject (200 characters at most) and a message (10,000 at most)."), {"body": "length"}
        )
    store = task.response.invitation.store
    customer = task.response.invitation.customer
    if customer.erased:
        raise ValidationFailed(_l("This customer's data was erased: nothing can be sent to them."), {"to": "erased"})
    try:
        mail.ascii_address(customer.email)
    except ValueError as exc:
        raise ValidationFailed(
            _l("Not sent: mail servers refuse this customer's address (for example, accented letters before the @)."),
            {"to": "address"},
        ) from exc
    html = "<p>" + "</p><p>".join(str(escape(p)).replace("\n", "<br>") for p in body.split("\n\n")) + "</p>"
    try:
        mail.queue_message(
            store_id=store.id,
            invitation_id=None,
            kind="reply",
            sender=mail.store_sender(store),
            to=(customer.name or "", customer.email),
            subject=subject,
            text=body,
            html=html,
            reply_to=agent.email,
        )
    except ValueError as exc:  # the message cannot be written (the store's sender, your address): said, not a 500
        raise ValidationFailed(
            _l("Not sent: this message cannot be written as an email (check the store's sender address)."),
            {"to": "message"},
        ) from exc
    log_reply(task, agent, body)
