"""A NUL character typed (or pasted) into a staff form field: the form comes back with the value,
the character shown as "\ufffd", the error beside that field and every other field as typed (422);
nothing is written. A NUL in a field's name, or on a page not read by such a form, stays a 400."""

from __future__ import annotations

from sqlalchemy import func, select

from surveys.extensions import db
from surveys.models import AuditEntry, TaskEvent

from ..factories import SETTINGS_FORM, field_state, staff_login, unhappy_task

NUL_ERROR = "contiene un carácter NUL, que no está permitido"


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_nul_in_a_setting_comes_back_beside_its_field_with_the_rest_as_typed(client, staff_shop):
    store = staff_shop[0]
    staff_login(client, "admin@barro.test")
    logged = _count(AuditEntry)
    resp = client.post(
        "/staff/settings", data={**SETTINGS_FORM, "timezone": "America/Mexico_City\x00", "brand_color": "#123456"}
    )
    html = resp.get_data(as_text=True)
    zone, colour = field_state(html, "timezone"), field_state(html, "brand_color")
    assert resp.status_code == 422 and "\x00" not in html
    assert (zone["value"], zone["invalid"], zone["error"], zone["beside"]) == (
        "America/Mexico_City\ufffd",
        True,
        NUL_ERROR,
        True,
    )
    assert (colour["value"], colour["invalid"]) == ("#123456", False)
    assert field_state(html, "send_delay_days")["value"] == "3"
    db.session.refresh(store)
    assert store.brand_color == "#0f766e" and _count(AuditEntry) == logged  # nothing saved, nothing logged
    # a NUL in a field's name has no field to be shown beside, and other pages keep the plain 400
    assert client.post("/staff/settings", data={**SETTINGS_FORM, "time\x00zone": "x"}).status_code == 400
    assert client.get("/staff/?fr%00om=2026-11-01").status_code == 400
    assert client.post("/staff/store", data={"store_id": "1\x00"}).status_code == 400


def test_a_nul_in_a_task_note_comes_back_in_the_note_box(client, staff_shop):
    task = unhappy_task(client, staff_shop[0])
    staff_login(client, "agente@barro.test")
    events = _count(TaskEvent)
    resp = client.post(f"/staff/tasks/{task.id}/note", data={"body": "Llamé\x00 y no contestó"})
    note = field_state(resp.get_data(as_text=True), "body")
    assert resp.status_code == 422 and (note["value"], note["error"]) == ("Llamé\ufffd y no contestó", NUL_ERROR)
    assert _count(TaskEvent) == events


def test_a_nul_in_a_filter_is_said_beside_it_on_the_page_and_in_the_json(client, staff_shop):
    staff_login(client, "admin@barro.test")
    resp = client.get("/staff/?from=2026-11-01%00&category=detractor")
    html = resp.get_data(as_text=True)
    start = field_state(html, "from")
    assert resp.status_code == 422 and (start["value"], start["error"], start["beside"]) == (
        "2026-11-01\ufffd",
        NUL_ERROR,
        True,
    )
    assert field_state(html, "category")["value"] == "detractor"
    resp = client.get("/staff/tasks?q=ana%00")
    assert resp.status_code == 422 and field_state(resp.get_data(as_text=True), "q")["error"] == NUL_ERROR
    resp = client.get("/staff/dashboard.json?product=TAZA%00")
    assert resp.status_code == 422 and resp.get_json()["fields"] == {"product": NUL_ERROR}
    resp = client.get("/staff/responses.csv?to=%00")
    assert resp.status_code == 400 and "\x00" not in resp.get_data(as_text=True)


def test_a_nul_in_the_sign_in_or_privacy_address_comes_back_beside_it(client, staff_shop):
    signed = client.post("/staff/login", data={"email": "admin@barro\x00.test", "password": "x" * 12})
    email = field_state(signed.get_data(as_text=True), "email")
    assert signed.status_code == 422 and (email["value"], email["error"]) == ("admin@barro\ufffd.test", NUL_ERROR)
    staff_login(client, "admin@barro.test")
    erased = client.post("/staff/privacy/erase", data={"email": "ana\x00@example.com", "confirm": "yes"})
    address = field_state(erased.get_data(as_text=True), "erase-email")
    assert erased.status_code == 422 and (address["value"], address["error"]) == ("ana\ufffd@example.com", NUL_ERROR)
