"""The audit and moderation logs name every field, object type and detail in the member's
language, through the one label table; internal fields (where to go back, ids, the CSRF token)
are never listed."""

from __future__ import annotations

import html
import re

from flask_wtf import FlaskForm
from sqlalchemy import select

from surveys import labels
from surveys.blueprints.staff import account_forms, action_forms, forms
from surveys.extensions import db
from surveys.models import AuditEntry
from surveys.services import audit

from ..factories import staff_login, unhappy_task


def _log(client, path: str) -> dict[int, tuple[str, str]]:
    """Entry id -> (object, details) as the page shows them."""
    page = client.get(path).get_data(as_text=True)
    rows = {}
    for entry, row in re.findall(r'<tr data-entry="(\d+)">(.*?)</tr>', page, re.S):
        cells = [
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        rows[int(entry)] = (cells[3], cells[5])
    return rows


def _by_action() -> dict[str, int]:
    return {action: entry_id for entry_id, action in db.session.execute(select(AuditEntry.id, AuditEntry.action))}


def _staff_work(client, store) -> None:
    first = unhappy_task(client, store, email="ana@example.com")
    second = unhappy_task(client, store, email="bea@example.com")
    unhappy_task(client, store, email="borrar@example.com")
    staff_login(client, "admin@barro.test")
    client.post(
        "/staff/tasks/bulk",
        data={"task_id": [first.id], "action": "assign", "assignee_id": "me", "back": "/staff/tasks"},
    )
    client.post(
        f"/staff/tasks/{second.id}/resolve", data={"resolution": "coupon", "coupon_code": "VUELVE10", "note": ""}
    )
    client.post(f"/staff/tasks/{first.id}/reply", data={"subject": "Tu pedido", "body": "Hola, lo resolvemos."})
    client.post("/staff/users", data={"email": "nueva@barro.test", "role": "agent"})
    client.post("/staff/privacy/erase", data={"email": "borrar@example.com", "confirm": "yes"})
    audit.record(store.id, None, "submitted", "review", 7, details={"photos": 3, "rating": 4, "status": "published"})
    audit.record(store.id, None, "photo_hidden", "review", 7, details={"photo": 1})
    db.session.commit()


def test_the_logs_name_fields_objects_and_details_in_spanish_and_english(client, staff_shop):
    _staff_work(client, staff_shop[0])
    ids = _by_action()
    spanish = _log(client, "/staff/audit")
    assert spanish[ids["tasks_bulk"]] == ("Tareas", "campos: acción, responsable")
    assert spanish[ids["task_action:resolve"]][1] == "campos: código del cupón, nota, qué se hizo"
    assert spanish[ids["task_action:reply"]][1] == "campos: texto, asunto"
    assert spanish[ids["users"]][1] == "invitación: enviada · persona: nueva@barro.test · rol: Agente"
    assert spanish[ids["privacy_erase"]] == (
        "Cliente",
        "comentarios: 1 · cliente: 1 · correos: 0 · campos: confirmación, correo · tareas cerradas: 1",
    )
    assert spanish[ids["task_closed_erased"]][0].startswith("Tarea #")
    assert spanish[ids["submitted"]][1] == "fotos: 3 · estrellas: 4 · estado: Publicada"
    assert spanish[ids["photo_hidden"]][1] == "foto n.º: 1"
    moderation = _log(client, "/staff/reviews/log")
    assert moderation[ids["submitted"]] == ("Reseña #7", "fotos: 3 · estrellas: 4 · estado: Publicada")
    client.post("/staff/me", data={"locale": "en"})
    english = _log(client, "/staff/audit")
    assert english[ids["tasks_bulk"]] == ("Tasks", "fields: action, assignee")
    assert english[ids["task_action:reply"]][1] == "fields: text, subject"
    assert english[ids["photo_hidden"]][1] == "photo no.: 1"
    assert english[ids["users"]][1] == "invitation: sent · person: nueva@barro.test · role: Agent"


def test_every_staff_form_field_has_words_or_is_internal():
    """A field added to a staff form later must be named in labels.py (or listed as internal)."""
    modules = (forms, account_forms, action_forms)
    classes = [
        cls
        for module in modules
        for cls in vars(module).values()
        if isinstance(cls, type) and issubclass(cls, FlaskForm) and cls is not FlaskForm
    ]
    names = {name for cls in classes for name, value in vars(cls).items() if hasattr(value, "field_class")}
    names |= {"action", "back", "task_id", "csrf_token", "reply", "confirm", "locale", "test_phone", "store_id"}
    unnamed = sorted(n for n in names if n not in labels.HIDDEN_FIELDS and n not in labels.LABELS["field"])
    assert len(names) > 60 and unnamed == []
