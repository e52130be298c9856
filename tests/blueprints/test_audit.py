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
        ("admin@barro.test", "login", "staff_user"),
        ("admin@barro.test", "store_settings", "store"),
        ("admin@barro.test", "users", "users"),
        ("admin@barro.test", "responses_csv", "responses"),
        ("admin@barro.test", "privacy_export", "customer"),
    ]
    users = entries(store.id)[2]
    assert users.details == {"member": "nuevo@barro.com.mx", "role": "agent", "invitation": "sent"}
    assert "una clave larga" not in str([(e.reason, e.details) for e in entries()])
    assert [e.action for e in entries() if e.store_id is None] == []  # a sign-in goes to its member's stores


def test_the_audit_page_and_csv_are_for_admins_of_that_store_only(client, staff_shop):
    store, other = staff_shop
    staff_login(client, "admin@barro.test")
    client.post("/staff/settings", data=SETTINGS_FORM)
    page = client.get("/staff/audit").get_data(as_text=True)
    assert "Cambió los ajustes de la tienda" in page and "admin@barro.test" in page
    rows = list(csv.DictReader(io.StringIO(client.get("/staff/audit.csv").get_data(as_text=True))))
    assert [r["Qué"] for r in rows] == ["Inició sesión", "Cambió los ajustes de la tienda"]
    client.post("/staff/logout")
    staff_login(client, "otra@otra.test")
    rows = list(csv.DictReader(io.StringIO(client.get("/staff/audit.csv").get_data(as_text=True))))
    assert [(r["Quién"], r["Qué"]) for r in rows] == [("otra@otra.test", "Inició sesión")]  # its own sign-in only
    client.post("/staff/logout")
    staff_login(client, "agente@barro.test")
    assert client.get("/staff/audit").status_code == 404


def _review_log(store, admin):
    """60 review entries by the system on 2026-11-01, 5 publications by the admin on 2026-11-20
    (noon UTC: the same days on the shop's clock, America/Mexico_City), and a store-settings
    change that is not part of the moderation log."""
    from datetime import datetime, timezone

    from surveys.services import audit

    for n in range(60):
        audit.record(store.id, None, "submitted", "review", n + 1).created_at = datetime(
            2026, 11, 1, 12, tzinfo=timezone.utc
        )
    for n in range(5):
        audit.record(store.id, admin, "published", "review", n + 1).created_at = datetime(
            2026, 11, 20, 12, tzinfo=timezone.utc
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


def test_log_date_filters_are_the_shops_calendar_days(client, staff_shop):
    from datetime import datetime, timezone

    from surveys.services import audit

    store = staff_shop[0]  # America/Mexico_City, UTC-6
    for hour, object_id in ((5, 1), (7, 2)):  # 14 Nov 23:30 and 15 Nov 01:30 on the shop's clock
        audit.record(store.id, None, "submitted", "review", object_id).created_at = datetime(
            2026, 11, 15, hour, 30, tzinfo=timezone.utc
        )
    db.session.commit()
    staff_login(client, "admin@barro.test")
    assert _shown(client, "/staff/reviews/log?from=2026-11-15&to=2026-11-15") == (1, 1)
    assert _shown(client, "/staff/reviews/log?to=2026-11-14") == (1, 1)
    body = client.get("/staff/reviews/log.csv?from=2026-11-15&to=2026-11-15").get_data(as_text=True)
    [row] = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert (row["Cuándo (America/Mexico_City)"], row["Número del objeto"]) == ("2026-11-15 01:30:00", "2")


def test_log_csv_headers_are_words_in_the_members_language_in_a_stable_order(client, staff_shop):
    staff_login(client, "admin@barro.test")
    client.post("/staff/settings", data=SETTINGS_FORM)
    spanish = client.get("/staff/audit.csv").get_data(as_text=True).splitlines()[0]
    assert spanish == (  # BOM: Excel reads UTF-8
        "\ufeffCuándo (America/Mexico_City),Quién,Qué,Objeto,Número del objeto,Por qué,Detalles"
    )
    client.post("/staff/me", data={"locale": "en"})
    english = client.get("/staff/audit.csv").get_data(as_text=True).splitlines()
    assert english[0] == "\ufeffWhen (America/Mexico_City),Who,What,Object,Object number,Why,Details"
    assert english[2].split(",")[1:4] == ["admin@barro.test", "Changed the store settings", "Store"]
    header = client.get("/staff/responses.csv").get_data(as_text=True).splitlines()[0]
    assert header == (
        "\ufeffAnswered at (America/Mexico_City),Order,Email,NPS score (0-10),NPS category,CSAT score (1-5),"
        "Comment,Language,Sentiment,Polarity (-1 to 1),Topics,Hidden detractor,Task status"
    )


def _details_of(client, url, action_label):
    """The Details cell of each row of the audit page whose What reads ``action_label``."""
    import html as html_lib
    import re

    page = client.get(url).get_data(as_text=True)
    found = []
    for row in re.findall(r"<tr data-entry=.*?</tr>", page, re.S):
        cells = [html_lib.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td.*?</td>", row, re.S)]
        if cells[2] == action_label:
            found.append(cells[5])
    return found


def test_a_settings_save_logs_only_the_fields_it_changed_old_to_new(client, staff_shop):
    staff_login(client, "admin@barro.test")
    client.post("/staff/settings", data=SETTINGS_FORM)
    client.post("/staff/settings", data={**SETTINGS_FORM, "brand_color": "#222222"})
    client.post("/staff/settings", data={**SETTINGS_FORM, "brand_color": "#222222"})  # nothing changed
    saves = [e.details for e in entries(staff_shop[0].id) if e.action == "store_settings"]
    assert saves[1:] == [{"changes": [["brand_color", "#7c2d12", "#222222"]]}, {"changes": []}]
    shown = _details_of(client, "/staff/audit", "Cambió los ajustes de la tienda")
    assert shown[:2] == ["", "cambió: color de la marca: #7c2d12 → #222222"]


def test_team_changes_name_the_person_and_the_role(client, staff_shop):
    from surveys.models import StaffUser

    store = staff_shop[0]
    staff_login(client, "admin@barro.test")
    client.post("/staff/users", data={"email": "nuevo@barro.com.mx", "role": "admin"})
    agent = db.session.scalar(select(StaffUser).where(StaffUser.email == "agente@barro.test"))
    client.post("/staff/users", data={"user_id": str(agent.id), "role": "admin", "active": "y", "on_shift": "1"})
    team = [e.details for e in entries(store.id) if e.action == "users"]
    assert team == [
        {"member": "nuevo@barro.com.mx", "role": "admin", "invitation": "sent"},
        {"member": "agente@barro.test", "changes": [["role", "agent", "admin"]]},
    ]
    assert _details_of(client, "/staff/audit", "Cambió el equipo") == [
        "cambió: rol: Agente → Administrador · persona: agente@barro.test",
        "invitación: enviada · persona: nuevo@barro.com.mx · rol: Administrador",
    ]


def test_whatsapp_secrets_are_logged_only_as_changed(client, staff_shop):
    from ..cloud_api import APP_SECRET, PHONE_ID, SECRETS, TOKEN, VERIFY

    def settings_form(**overrides):
        form = {"policy": "whatsapp_first", "country": "MX", "phone_number_id": PHONE_ID, "access_token": TOKEN}
        form |= {"app_secret": APP_SECRET, "verify_token": VERIFY, "template_es": "encuesta_entrega"}
        return form | {"template_es_code": "es_MX", **overrides}

    staff_login(client, "admin@barro.test")
    client.post("/staff/whatsapp", data=settings_form())
    client.post("/staff/whatsapp", data=settings_form(access_token="", app_secret="", verify_token="", country="CO"))
    saves = [e.details for e in entries(staff_shop[0].id) if e.action == "whatsapp_settings"]
    assert [name for name, old, new in saves[0]["changes"] if old is None and new is None] == [
        "access_token",
        "app_secret",
        "verify_token",
    ]
    assert saves[1] == {"changes": [["country", "MX", "CO"]]}
    assert not any(secret in str(saves) for secret in SECRETS)


def test_sign_ins_failures_sign_outs_and_password_resets_show_in_the_store_log(client, staff_shop, outbox):
    import re

    from surveys.models import StaffUser
    from surveys.services.password_reset import reset_url

    staff_login(client, "agente@barro.test", password="no es la clave")
    staff_login(client, "agente@barro.test")
    client.post("/staff/logout")
    client.post("/staff/password-reset", data={"email": "agente@barro.test"})
    agent = db.session.scalar(select(StaffUser).where(StaffUser.email == "agente@barro.test"))
    path = reset_url(agent).split("/staff/", 1)[1]
    new = "otra clave muy larga"
    client.post(f"/staff/{path}", data={"password": new, "confirm": new})
    staff_login(client, "admin@barro.test")
    page = client.get("/staff/audit").get_data(as_text=True)
    menu = dict(re.findall(r'<option value="([a-z_:]+)">([^<]+)</option>', page))
    expected = {
        "login": "Inició sesión",
        "login_failed": "Inicio de sesión fallido (contraseña incorrecta)",
        "logout": "Cerró sesión",
        "password_reset_request": "Pidió restablecer la contraseña",
        "password_reset": "Puso una contraseña nueva",
    }
    assert {code: menu.get(code) for code in expected} == expected
    rows = list(
        csv.DictReader(io.StringIO(client.get("/staff/audit.csv?who=agente@barro.test").get_data(as_text=True)))
    )
    assert [r["Qué"] for r in rows] == [
        expected[a] for a in ("login_failed", "login", "logout", "password_reset_request", "password_reset")
    ]
    assert _details_of(client, "/staff/audit?what=login_failed", expected["login_failed"]) == [
        "dirección IP: 127.0.0.1"
    ]
    staff_login(client, "otra@otra.test")  # another store's admin sees none of it
    other = client.get("/staff/audit.csv?who=agente@barro.test").get_data(as_text=True)
    assert list(csv.DictReader(io.StringIO(other))) == []


def test_csv_times_are_on_the_shops_clock_like_the_pages_to_the_second(client, staff_shop):
    import re
    from zoneinfo import ZoneInfo

    from surveys.models import Response

    from ..factories import sent_invitation, survey_path

    store = staff_shop[0]
    client.post(survey_path(sent_invitation(store, email="ana@example.com")), data={"nps": "9"})
    answered_at = db.session.scalar(select(Response.created_at))
    local = answered_at.astimezone(ZoneInfo("America/Mexico_City"))
    assert local.utcoffset().total_seconds() != 0  # the shop's clock is not UTC: the test tells them apart
    staff_login(client, "admin@barro.test")
    rows = list(csv.reader(io.StringIO(client.get("/staff/responses.csv").get_data(as_text=True))))
    assert (rows[0][0], rows[1][0]) == ("\ufeffRespondida el (America/Mexico_City)", f"{local:%Y-%m-%d %H:%M:%S}")
    listed = re.search(
        r'<td[^>]*><a href="/staff/responses/\d+">([^<]+)</a>', client.get("/staff/responses").get_data(as_text=True)
    )
    assert rows[1][0][:16] == listed.group(1)  # the file and the list show the same minute
    logged = entries(store.id)[-1].created_at.astimezone(ZoneInfo("America/Mexico_City"))
    audit_rows = list(csv.reader(io.StringIO(client.get("/staff/audit.csv").get_data(as_text=True))))
    assert audit_rows[-1][0] == f"{logged:%Y-%m-%d %H:%M:%S}"
