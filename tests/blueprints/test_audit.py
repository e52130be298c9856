"""The audit log: staff changes, exports and sign-ins are recorded once, append-only, per store."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from surveys.extensions import db
from surveys.models import AuditEntry

from ..factories import SETTINGS_FORM, staff_login


def entries(store_id=None):
    db.session.rollback()
    query = select(AuditEntry).order_by(AuditEntry.id)
    if store_id is not None:
        query = query.where(AuditEntry.store_id == store_id)
    return db.session.scalars(query).all()


def test_staff_changes_exports_and_sign_ins_are_logged_without_secrets(client, staff_shop):
    store = staff_shop[0]
    staff_login(client, "admin@barro.test")
    client.post("/staff/settings", data=SETTINGS_FORM)
    client.post("/staff/users", data={"email": "nuevo@barro.com.mx", "role": "agent", "password": "una clave larga"})
    client.post("/staff/settings", data={**SETTINGS_FORM, "timezone": "Mars/Base"})  # refused: not logged
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


def test_the_audit_page_and_csv_are_for_admins_of_that_store_only(client, staff_shop):
    store, other = staff_shop
    staff_login(client, "admin@barro.test")
    client.post("/staff/settings", data=SETTINGS_FORM)
    page = client.get("/staff/audit").get_data(as_text=True)
    assert "Cambió los ajustes de la tienda" in page and "admin@barro.test" in page
    rows = list(csv.DictReader(io.StringIO(client.get("/staff/audit.csv").get_data(as_text=True))))
    assert [r["Qué"] for r in rows] == ["Cambió los ajustes de la tienda"]
    client.post("/staff/logout")
    staff_login(client, "otra@otra.test")
    assert list(csv.DictReader(io.StringIO(client.get("/staff/audit.csv").get_data(as_text=True)))) == []
    client.post("/staff/logout")
    staff_login(client, "agente@barro.test")
    assert client.get("/staff/audit").status_code == 404


def _review_log(store, admin):
    """60 review entries by the system on 2026-11-01, 5 publications by the admin on 2026-11-20,
    and a store-settings change that is not part of the moderation log."""
    from datetime import datetime, timezone

    from surveys.services import audit

    for n in range(60):
        audit.record(store.id, None, "submitted", "review", n + 1).created_at = datetime(
            2026, 11, 1, tzinfo=timezone.utc
        )
    for n in range(5):
        audit.record(store.id, admin, "published", "review", n + 1).created_at = datetime(
            2026, 11, 20, tzinfo=timezone.utc
        )
    audit.record(store.id, admin, "store_settings", "store", store.id)
    db.session.commit()


def _shown(client, url):
    import re

    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    total = int(re.search(r'data-total="(\d+)"', html).group(1))
    return total, len(re.findall(r"<tr data-entry=", html))


def test_the_moderation_log_pages_and_filters_by_who_what_and_when_for_every_member(client, staff_shop):
    from surveys.models import StaffUser

    store = staff_shop[0]
    admin = db.session.scalar(select(StaffUser).where(StaffUser.email == "admin@barro.test"))
    _review_log(store, admin)
    staff_login(client, "agente@barro.test")  # moderation is every member's; the audit log stays the admins'
    assert client.get("/staff/audit").status_code == 404
    assert _shown(client, "/staff/reviews/log") == (65, 50)
    assert _shown(client, "/staff/reviews/log?page=2") == (65, 15)
    assert _shown(client, "/staff/reviews/log?who=admin@barro.test") == (5, 5)
    assert _shown(client, "/staff/reviews/log?what=submitted&page=2") == (60, 10)
    assert _shown(client, "/staff/reviews/log?from=2026-11-15&to=2026-11-30") == (5, 5)
    assert _shown(client, "/staff/reviews/log?to=2026-11-01") == (60, 50)
    assert _shown(client, "/staff/reviews/log?what=store_settings") == (0, 0)  # not a review entry
    body = client.get("/staff/reviews/log.csv?who=admin@barro.test&from=2026-11-20").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(r["Quién"], r["Qué"], r["Objeto"]) for r in rows] == [
        ("admin@barro.test", "Reseña publicada", "Reseña")
    ] * 5
    assert len(list(csv.DictReader(io.StringIO(client.get("/staff/reviews/log.csv").get_data(as_text=True))))) == 65


def test_log_csv_headers_are_words_in_the_members_language_in_a_stable_order(client, staff_shop):
    staff_login(client, "admin@barro.test")
    client.post("/staff/settings", data=SETTINGS_FORM)
    spanish = client.get("/staff/audit.csv").get_data(as_text=True).splitlines()[0]
    assert spanish == "\ufeffCuándo (UTC),Quién,Qué,Objeto,Número del objeto,Por qué,Detalles"  # BOM: Excel reads UTF-8
    client.post("/staff/me", data={"locale": "en"})
    english = client.get("/staff/audit.csv").get_data(as_text=True).splitlines()
    assert english[0] == "\ufeffWhen (UTC),Who,What,Object,Object number,Why,Details"
    assert english[1].split(",")[1:4] == ["admin@barro.test", "Changed the store settings", "Store"]
    header = client.get("/staff/responses.csv").get_data(as_text=True).splitlines()[0]
    assert header == (
        "\ufeffAnswered at,Order,Email,NPS score (0-10),NPS category,CSAT score (1-5),Comment,Language,Sentiment,"
        "Polarity (-1 to 1),Topics,Hidden detractor,Task status"
    )
