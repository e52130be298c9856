"""The audit log: staff changes, exports and sign-ins are recorded once, append-only, per store."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from surveys.extensions import db
from surveys.models import AuditEntry

from .test_staff import SETTINGS, login, shop  # noqa: F401  (fixture)


def entries(store_id=None):
    db.session.rollback()
    query = select(AuditEntry).order_by(AuditEntry.id)
    if store_id is not None:
        query = query.where(AuditEntry.store_id == store_id)
    return db.session.scalars(query).all()


def test_staff_changes_exports_and_sign_ins_are_logged_without_secrets(client, shop):  # noqa: F811
    store = shop[0]
    login(client, "admin@barro.test")
    client.post("/staff/settings", data=SETTINGS)
    client.post("/staff/users", data={"email": "nuevo@barro.com.mx", "role": "agent", "password": "una clave larga"})
    client.post("/staff/settings", data={**SETTINGS, "timezone": "Mars/Base"})  # refused: not logged
    client.get("/staff/responses.csv").get_data()
    client.post("/staff/privacy/export", data={"email": "nadie@barro.com.mx"})
    logged = [(e.actor, e.action, e.object_type) for e in entries(store.id)]
    assert logged == [
        ("admin@barro.test", "store_settings", "store"),
        ("admin@barro.test", "users", "users"),
        ("admin@barro.test", "responses_csv", "responses"),
        ("admin@barro.test", "privacy_export", "customer"),
    ]
    users = entries(store.id)[1]
    assert "password" not in users.details["fields"] and "email" in users.details["fields"]
    assert "una clave larga" not in str([(e.reason, e.details) for e in entries()])
    assert [e.action for e in entries() if e.store_id is None] == ["login"]


def test_the_audit_page_and_csv_are_for_admins_of_that_store_only(client, shop):  # noqa: F811
    store, other = shop
    login(client, "admin@barro.test")
    client.post("/staff/settings", data=SETTINGS)
    page = client.get("/staff/audit").get_data(as_text=True)
    assert "store_settings" in page and "admin@barro.test" in page
    rows = list(csv.DictReader(io.StringIO(client.get("/staff/audit.csv").get_data(as_text=True))))
    assert [r["action"] for r in rows] == ["store_settings"]
    client.post("/staff/logout")
    login(client, "otra@otra.test")
    assert list(csv.DictReader(io.StringIO(client.get("/staff/audit.csv").get_data(as_text=True)))) == []
    client.post("/staff/logout")
    login(client, "agente@barro.test")
    assert client.get("/staff/audit").status_code == 404
