"""Staff console: sign-in security, sessions, roles and store isolation, the privacy desk."""

import json
import re
import time

import pytest
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Customer, StaffUser
from surveys.services import staff_auth
from surveys.services.tenancy import create_staff_user

from ..factories import STAFF_PASSWORD as PASSWORD
from ..factories import field_state, make_store, sent_invitation, staff_login, survey_path, unhappy_task


def test_every_staff_page_sends_anonymous_visitors_to_sign_in(client, staff_shop):
    for path in ("/staff/", "/staff/privacy"):
        resp = client.get(path)
        assert resp.status_code == 302 and "/staff/login" in resp.headers["Location"]
    assert client.post("/staff/privacy/erase", data={"email": "a@b.c", "confirm": "yes"}).status_code == 302


def test_unknown_email_and_wrong_password_get_the_same_answer(client, staff_shop):
    unknown = staff_login(client, "nadie@barro.test")
    wrong = staff_login(client, "admin@barro.test", "otra clave cualquiera")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_data() == wrong.get_data().replace(b"admin@barro.test", b"nadie@barro.test")


def test_sign_in_shows_the_dashboard_of_the_users_store_in_their_language(client, staff_shop):
    resp = staff_login(client, "ADMIN@barro.test")
    assert resp.status_code == 302
    html = client.get("/staff/").get_data(as_text=True)
    assert "Barro &amp; Co" in html and "Tasa de respuesta" in html


def test_sign_in_renews_the_session(client, staff_shop):
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    staff_login(client, "admin@barro.test")
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_logout_revokes_a_copied_session_cookie(make_app, client, staff_shop):
    staff_login(client, "admin@barro.test")
    stolen = client.get_cookie("postventa_session").value
    client.post("/staff/logout")
    thief = make_app().test_client()  # its own app: nothing cached from our requests
    thief.set_cookie("postventa_session", stolen)
    assert thief.get("/staff/").status_code == 302


def test_password_change_and_disabling_revoke_sessions(make_app, staff_shop):
    client = make_app().test_client()  # its own app context per request, as in production
    staff_login(client, "admin@barro.test")
    assert client.get("/staff/").status_code == 200
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == "admin@barro.test"))
    create_staff_user(user.email, staff_shop[0], "admin", "una clave nueva y larga")
    db.session.commit()
    assert client.get("/staff/").status_code == 302
    staff_login(client, "admin@barro.test", "una clave nueva y larga")
    user.is_active = False
    db.session.commit()
    assert client.get("/staff/").status_code == 302


def test_idle_session_expires(client, staff_shop):
    staff_login(client, "admin@barro.test")
    with client.session_transaction() as sess:
        sess["seen"] = time.time() - 2 * 3600
    assert client.get("/staff/").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"])
def test_next_only_redirects_within_the_site(client, staff_shop, target):
    resp = staff_login(client, "admin@barro.test", next_url=target)
    assert resp.headers["Location"].endswith("/staff/")


def test_next_to_a_staff_page_is_kept(client, staff_shop):
    assert staff_login(client, "admin@barro.test", next_url="/staff/privacy").headers["Location"] == "/staff/privacy"


def test_login_is_throttled_per_account(make_app, staff_shop):
    throttled = make_app(LOGIN_RATE_LIMIT_ACCOUNT="3 per minute").test_client()
    codes = [staff_login(throttled, "admin@barro.test", "mal").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    assert staff_login(throttled, "agente@barro.test", "mal").status_code == 401  # other accounts unaffected


def test_login_is_throttled_per_client_address(make_app, staff_shop):
    throttled = make_app(LOGIN_RATE_LIMIT_IP="3 per minute").test_client()
    codes = [staff_login(throttled, f"u{n}@barro.test", "mal").status_code for n in range(4)]
    assert codes == [401, 401, 401, 429]


@pytest.mark.parametrize(
    ("email", "path", "method", "status"),
    [
        ("admin@barro.test", "/staff/", "get", 200),
        ("admin@barro.test", "/staff/privacy", "get", 200),
        ("agente@barro.test", "/staff/", "get", 200),
        ("agente@barro.test", "/staff/privacy", "get", 404),
        ("agente@barro.test", "/staff/privacy/export", "post", 404),
        ("agente@barro.test", "/staff/privacy/erase", "post", 404),
    ],
)
def test_role_access_matrix(client, staff_shop, email, path, method, status):
    staff_login(client, email)
    resp = getattr(client, method)(path, data={"email": "x@y.z", "confirm": "yes"} if method == "post" else None)
    assert resp.status_code == status


def test_a_store_you_do_not_belong_to_cannot_be_selected(client, staff_shop):
    staff_login(client, "admin@barro.test")
    assert client.post("/staff/store", data={"store_id": staff_shop[1].id}).status_code == 404


def test_admin_exports_and_erases_a_customer_of_their_store_only(client, staff_shop):
    store, other = staff_shop
    invitation = sent_invitation(store, email="ana@example.com")
    client.post(survey_path(invitation), data={"nps": "4", "comment": "Llegó tarde"})
    theirs = sent_invitation(other, email="ana@example.com")
    client.post(survey_path(theirs), data={"nps": "10", "comment": "Perfecto"})
    staff_login(client, "admin@barro.test")
    export = client.post("/staff/privacy/export", data={"email": "ana@example.com"})
    data = json.loads(export.get_data())
    assert export.headers["Content-Disposition"].startswith("attachment")
    assert [o["response"]["comment"] for o in data["orders"]] == ["Llegó tarde"]
    resp = client.post(
        "/staff/privacy/erase", data={"email": "ana@example.com", "confirm": "yes"}, follow_redirects=True
    )
    assert "Borrado: 1 cliente, 1 comentario, " in resp.get_data(as_text=True)  # one of each: singular
    emails = {c.store_id: c.email for c in db.session.scalars(select(Customer))}
    assert emails[store.id].startswith("erased:") and emails[other.id] == "ana@example.com"


def test_erase_without_confirmation_does_nothing(client, staff_shop):
    sent_invitation(staff_shop[0], email="ana@example.com")
    staff_login(client, "admin@barro.test")
    client.post("/staff/privacy/erase", data={"email": "ana@example.com"})
    assert db.session.scalar(select(Customer.email)) == "ana@example.com"


def test_session_loader_refuses_malformed_tokens(app):
    assert staff_auth.load_session_user("garbage") is None
    assert staff_auth.load_session_user("1:2:3") is None


def test_agent_works_a_task_from_the_queue_to_resolution(client, staff_shop):
    task = unhappy_task(client, staff_shop[0])
    staff_login(client, "agente@barro.test")
    queue = client.get("/staff/tasks").get_data(as_text=True)
    assert "Ana López" in queue and "Detractor" in queue and "vence en" in queue
    page = client.get(f"/staff/tasks/{task.id}").get_data(as_text=True)
    assert "Llegó roto y nadie contesta" in page
    client.post(f"/staff/tasks/{task.id}/note", data={"body": "Le escribí por WhatsApp"})
    client.post(f"/staff/tasks/{task.id}/contacted", data={"how": "WhatsApp"})
    resp = client.post(f"/staff/tasks/{task.id}/resolve", data={"resolution": "coupon"})
    coupon = field_state(resp.get_data(as_text=True), "coupon_code")
    assert resp.status_code == 422 and coupon["error"] == "Un cupón necesita su código."
    client.post(f"/staff/tasks/{task.id}/resolve", data={"resolution": "coupon", "coupon_code": "PERDON10"})
    db.session.refresh(task)
    assert task.status == "resolved" and task.coupon_code == "PERDON10"
    timeline = client.get(f"/staff/tasks/{task.id}").get_data(as_text=True)
    assert "Le escribí por WhatsApp" in timeline and "resuelta" in timeline


def test_another_stores_task_is_a_404_for_every_action(client, staff_shop):
    theirs = unhappy_task(client, staff_shop[1])
    staff_login(client, "admin@barro.test")
    assert client.get(f"/staff/tasks/{theirs.id}").status_code == 404
    for action in ("note", "contacted", "resolve", "dismiss", "assign"):
        assert client.post(f"/staff/tasks/{theirs.id}/{action}", data={"body": "x"}).status_code == 404
    assert client.post(f"/staff/tasks/{theirs.id}/explode").status_code == 404


def test_only_members_of_the_store_can_be_assigned(client, staff_shop):
    task = unhappy_task(client, staff_shop[0])
    outsider = db.session.scalar(select(StaffUser).where(StaffUser.email == "otra@otra.test"))
    staff_login(client, "admin@barro.test")
    assert client.post(f"/staff/tasks/{task.id}/assign", data={"assignee_id": outsider.id}).status_code == 404
    agent = db.session.scalar(select(StaffUser).where(StaffUser.email == "agente@barro.test"))
    client.post(f"/staff/tasks/{task.id}/assign", data={"assignee_id": agent.id})
    db.session.refresh(task)
    assert task.assignee_id == agent.id


def test_dashboard_draws_the_weekly_trend_and_distribution_from_the_data(client, staff_shop):
    for score in (10, 9, 3):
        invitation = sent_invitation(staff_shop[0], email=f"c{score}@example.com")
        client.post(survey_path(invitation), data={"nps": str(score)})
    staff_login(client, "admin@barro.test")
    html = client.get("/staff/").get_data(as_text=True)
    assert "<polyline" in html
    weekly = json.loads(data_attrs(html, "data-series", "weekly_nps")["values"].replace("&#34;", '"'))
    assert weekly[-1] == 33.3 and weekly[:-1] == [None] * (len(weekly) - 1)  # 2 promoters, 1 detractor, this week
    distribution = json.loads(data_attrs(html, "data-series", "distribution")["values"].replace("&#34;", '"'))
    assert distribution == [0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1]
    assert "10: 1;" in html and "3: 1;" in html and "0: 0;" in html  # the chart's text alternative says the same


def test_responses_are_filtered_and_exported_with_formulas_neutralised(client, staff_shop):
    store = staff_shop[0]
    for score, comment in ((2, '=HYPERLINK("http://evil")'), (10, "Todo perfecto")):
        invitation = sent_invitation(store, email=f"c{score}@example.com")
        client.post(survey_path(invitation), data={"nps": str(score), "comment": comment})
    other = sent_invitation(staff_shop[1], email="x@example.com")
    client.post(survey_path(other), data={"nps": "0", "comment": "de otra tienda"})
    staff_login(client, "agente@barro.test")
    page = client.get("/staff/responses?category=detractor").get_data(as_text=True)
    assert "HYPERLINK" in page and "Todo perfecto" not in page and "de otra tienda" not in page
    csv_text = client.get("/staff/responses.csv").get_data(as_text=True)
    lines = csv_text.strip().splitlines()
    assert len(lines) == 3 and "de otra tienda" not in csv_text
    assert "'=HYPERLINK" in csv_text and ",=HYPERLINK" not in csv_text


def test_another_stores_response_is_a_404(client, staff_shop):
    other = sent_invitation(staff_shop[1], email="x@example.com")
    client.post(survey_path(other), data={"nps": "5"})
    from surveys.models import Response

    rid = db.session.scalar(select(Response.id))
    staff_login(client, "admin@barro.test")
    assert client.get(f"/staff/responses/{rid}").status_code == 404


def test_the_task_page_offers_a_filled_in_reply_and_sends_it(client, staff_shop):
    task = unhappy_task(client, staff_shop[0])
    staff_login(client, "agente@barro.test")
    page = client.get(f"/staff/tasks/{task.id}").get_data(as_text=True)
    assert "Hola, Ana:" in page and "lamentamos lo de tu pedido" in page
    client.post(f"/staff/tasks/{task.id}/reply", data={"subject": "Lo sentimos", "body": "Te llamo hoy."})
    db.session.refresh(task)
    assert task.status == "contacted"
    from surveys.models import OutboxMessage

    assert db.session.scalar(select(OutboxMessage.kind).where(OutboxMessage.kind == "reply")) == "reply"


SETTINGS = {
    "survey_kind": "both",
    "send_delay_days": "3",
    "reminder_delay_days": "4",
    "send_window": "9-20",
    "brand_color": "#7c2d12",
    "timezone": "America/Argentina/Buenos_Aires",
    "opens": "10",
    "closes": "19",
    "open_saturday": "1",
    "holidays": "2026-12-25 2027-01-01",
    "sla_first_contact_hours": "2",
    "sla_resolution_hours": "24",
    "reply_register": "vos",
    "alert_emails": "alertas@barro.com.mx",
    "outbound_url": "",
}


def test_admin_saves_store_settings(client, staff_shop):
    staff_login(client, "admin@barro.test")
    assert client.post("/staff/settings", data=SETTINGS).status_code == 302
    store = staff_shop[0]
    db.session.refresh(store)
    assert (store.survey_kind, store.send_delay_minutes, store.reply_register) == ("both", 3 * 1440, "vos")
    assert store.opening_hours["5"] == [10, 19] and store.holidays == ["2026-12-25", "2027-01-01"]
    assert store.alert_emails == ["alertas@barro.com.mx"] and store.sla_first_contact_minutes == 120


def test_bad_settings_are_all_reported_and_nothing_changes(client, staff_shop):
    staff_login(client, "admin@barro.test")
    bad = {
        **SETTINGS,
        "timezone": "Mars/Base",
        "brand_color": "red",
        "closes": "8",
        "holidays": "mañana",
        "outbound_url": "http://insecure.example",
    }
    resp = client.post("/staff/settings", data=bad)
    assert resp.status_code == 422 and "Revisa los ajustes marcados" in resp.get_data(as_text=True)
    db.session.refresh(staff_shop[0])
    assert staff_shop[0].timezone == "America/Mexico_City" and staff_shop[0].brand_color == "#0f766e"


def test_admin_invites_and_switches_off_staff_and_cannot_lock_themselves_out(client, staff_shop):
    staff_login(client, "admin@barro.test")
    client.post("/staff/users", data={"email": "nuevo@barro.com.mx", "role": "agent"})
    assert db.session.scalar(select(StaffUser).where(StaffUser.email == "nuevo@barro.com.mx")) is None  # invited only
    agent = db.session.scalar(select(StaffUser).where(StaffUser.email == "agente@barro.test"))
    client.post("/staff/users", data={"user_id": agent.id, "role": "agent"})  # "active" unticked
    db.session.refresh(agent)
    assert agent.is_active is True  # the account stays; only this store's membership is off
    assert staff_auth.memberships(agent) == []
    me = db.session.scalar(select(StaffUser).where(StaffUser.email == "admin@barro.test"))
    resp = client.post("/staff/users", data={"user_id": me.id, "role": "agent"})
    assert resp.status_code == 422 and "No puedes cambiar tu propio acceso." in resp.get_data(as_text=True)
    outsider = db.session.scalar(select(StaffUser).where(StaffUser.email == "otra@otra.test"))
    assert client.post("/staff/users", data={"user_id": outsider.id, "role": "agent", "active": "1"}).status_code == 404
    assert client.post("/staff/users", data={"user_id": 2**41, "role": "agent", "active": "1"}).status_code == 404
    for page in ("/staff/responses?page=1000000000000", "/staff/reviews?page=1000000000000"):
        assert client.get(page).status_code == 200, page


def test_agents_cannot_reach_settings_or_staff(client, staff_shop):
    staff_login(client, "agente@barro.test")
    assert client.get("/staff/settings").status_code == 404
    assert (
        client.post("/staff/users", data={"email": "x@y.z", "role": "admin", "password": "x" * 12}).status_code == 404
    )


def test_each_member_chooses_their_language(client, staff_shop):
    staff_login(client, "agente@barro.test")
    client.post("/staff/me", data={"locale": "en"})
    assert "Response rate" in client.get("/staff/").get_data(as_text=True)


def test_new_tasks_go_round_robin_to_agents_on_shift(client, staff_shop):
    store = staff_shop[0]
    second = create_staff_user("agente2@barro.test", store, "agent", PASSWORD)
    db.session.commit()
    owners = [unhappy_task(client, store, email=f"c{n}@example.com").assignee_id for n in range(4)]
    agent = db.session.scalar(select(StaffUser).where(StaffUser.email == "agente@barro.test"))
    assert sorted(owners) == sorted([agent.id, second.id] * 2) and owners[0] != owners[1]
    staff_login(client, "agente2@barro.test")
    client.post("/staff/me", data={"on_shift": "0"})
    assert unhappy_task(client, store, email="c9@example.com").assignee_id == agent.id


def test_dashboard_breaks_answers_down_by_topic_sentiment_and_product(client, staff_shop):
    store = staff_shop[0]
    for n, (score, comment) in enumerate(
        [(2, "El envío tardó muchísimo"), (9, "Llegó rápido, gracias"), (3, "La talla no corresponde")]
    ):
        invitation = sent_invitation(store, email=f"t{n}@example.com")
        client.post(survey_path(invitation), data={"nps": str(score), "comment": comment})
    from surveys.services import metrics

    topics = {t["topic"]: (t["mentions"], t["negative"]) for t in metrics.topic_breakdown(store)}
    assert topics["delivery"] == (2, 1) and topics["size_fit"] == (1, 1)
    assert metrics.sentiment_breakdown(store)["negative"] == 2
    [product] = metrics.product_nps(store)
    assert (product["sku"], product["n"], product["nps"]) == ("TAZA-01", 3, round(100 * (1 - 2) / 3, 1))
    staff_login(client, "admin@barro.test")
    html = client.get("/staff/").get_data(as_text=True)
    row = data_attrs(html, "data-sku", "TAZA-01")
    assert (row["nps"], row["n"]) == (str(round(100 * (1 - 2) / 3, 1)), "3")
    assert data_attrs(html, "data-topic", "delivery") == {"topic": "delivery", "mentions": "2", "negative": "1"}
    assert data_attrs(html, "data-sentiment", "negative")["count"] == "2"


def test_custom_reply_templates_and_widget_origins_are_saved_and_used(client, staff_shop):
    store = staff_shop[0]
    staff_login(client, "admin@barro.test")
    form = {
        **SETTINGS,
        "reply_register": "usted",
        "tpl_es_subject": "Disculpe, {first_name}",
        "tpl_es_body": "Estimado/a {first_name}: su pedido {order} se repone {promise}. {agent}",
        "widget_origins": "https://barro.com.mx https://www.barro.com.mx/",
    }
    assert client.post("/staff/settings", data=form).status_code == 302
    db.session.refresh(store)
    assert store.widget_origins == ["https://barro.com.mx", "https://www.barro.com.mx"]
    task = unhappy_task(client, store)
    page = client.get(f"/staff/tasks/{task.id}").get_data(as_text=True)
    assert "Disculpe, Ana" in page and "se repone antes del" in page
    bad = {**form, "tpl_es_body": "Hola {first_name", "widget_origins": "javascript:alert(1)"}
    resp = client.post("/staff/settings", data=bad)
    assert resp.status_code == 422 and "llaves { } sin cerrar" in resp.get_data(as_text=True)  # in her language


def test_dashboard_shows_the_recovery_figures(client, staff_shop):
    unhappy_task(client, staff_shop[0])
    staff_login(client, "admin@barro.test")
    html = client.get("/staff/").get_data(as_text=True)
    tile = data_attrs(html, "data-metric", "recovery")
    assert (tile["open"], tile["overdue"]) == ("1", "0")


def data_attrs(html: str, selector_attr: str, value: str | None = None) -> dict:
    """The data-* attributes of the first element carrying ``selector_attr`` (="value")."""
    want = f'{selector_attr}="{value}"' if value is not None else selector_attr
    for tag in re.findall(r"<[a-z]+\s[^>]*>", html):
        if want in tag:
            return {k: v for k, v in re.findall(r'data-([a-z_-]+)="([^"]*)"', tag)}
    raise AssertionError(f"no element with {want}")


def test_dashboard_filters_apply_to_every_tile_chart_and_table(client, staff_shop):
    store = staff_shop[0]
    answers = [
        (10, "TAZA-01", "Me encantó la taza, llegó rapidísimo"),
        (0, "JARRO-02", "It arrived broken and late, terrible delivery"),
        (9, "TAZA-01", ""),
    ]
    for n, (score, sku, comment) in enumerate(answers):
        invitation = sent_invitation(store, email=f"f{n}@example.com", items=[{"sku": sku, "name": sku.title()}])
        client.post(survey_path(invitation), data={"nps": str(score), "comment": comment})
    staff_login(client, "admin@barro.test")

    def numbers(query=""):
        html = client.get("/staff/?" + query).get_data(as_text=True)
        tile = data_attrs(html, "data-metric", "nps")
        dist = json.loads(data_attrs(html, "data-series", "distribution")["values"].replace("&#34;", '"'))
        week = json.loads(data_attrs(html, "data-series", "weekly_nps")["values"].replace("&#34;", '"'))
        return float(tile["value"]) if tile["value"] else None, int(tile["n"]), sum(dist), week[-1]

    assert numbers() == (33.3, 3, 3, 33.3)
    assert 'data-metric="csat"' not in client.get("/staff/").get_data(as_text=True)  # an NPS-only store
    assert numbers("product=TAZA-01") == (100.0, 2, 2, 100.0)
    assert numbers("product=JARRO-02") == (-100.0, 1, 1, -100.0)
    assert numbers("category=detractor") == (-100.0, 1, 1, -100.0)
    assert numbers("language=en") == (-100.0, 1, 1, -100.0)
    assert numbers("language=es&category=promoter") == (100.0, 1, 1, 100.0)
    assert numbers("from=2000-01-01&to=2000-01-31") == (None, 0, 0, None)

    data = client.get("/staff/dashboard.json?product=JARRO-02").get_json()
    assert data["filters"] == {"product": "JARRO-02"}
    assert (data["metrics"]["nps"]["score"], data["metrics"]["invitations_sent"]) == (-100.0, 1)
    assert data["metrics"]["recovery"]["open"] == 1  # the detractor's task, not the promoters'
    assert [(p["sku"], p["nps"]) for p in data["products"]] == [("JARRO-02", -100.0)]
    assert data["sentiment"]["negative"] == 1 and data["sentiment"]["positive"] == 0
    topics = {t["topic"]: t["mentions"] for t in data["topics"]}
    assert topics["delivery"] == 1
    everyone = client.get("/staff/dashboard.json").get_json()
    assert everyone["metrics"]["recovery"]["open"] == 1 and everyone["metrics"]["response_rate"] == 1.0
    assert client.get("/staff/dashboard.json?product=TAZA-01").get_json()["metrics"]["recovery"]["open"] == 0
    by_answer = client.get("/staff/dashboard.json?category=promoter").get_json()
    assert by_answer["metrics"]["response_rate"] is None and by_answer["response_rate_applies"] is False
    listed = client.get("/staff/responses?product=JARRO-02").get_data(as_text=True)
    assert data_attrs(listed, "data-total")["total"] == "1"
    assert 'href="/staff/responses.csv?product=JARRO-02"' in listed  # the export keeps the filter


def test_absolute_session_age_is_capped(client, staff_shop):
    staff_login(client, "admin@barro.test")
    with client.session_transaction() as sess:
        sess["started"] = time.time() - 13 * 3600
    assert client.get("/staff/").status_code == 302


def test_csat_stores_get_a_weekly_csat_chart_with_the_right_value(client, app):
    store = make_store(survey_kind="csat")[0]
    create_staff_user("c@barro.test", store, "admin", PASSWORD)
    db.session.commit()
    for n, score in enumerate((5, 4, 1, 2)):
        client.post(survey_path(sent_invitation(store, email=f"s{n}@example.com")), data={"csat": str(score)})
    staff_login(client, "c@barro.test")
    html = client.get("/staff/").get_data(as_text=True)
    assert data_attrs(html, "data-metric", "csat")["value"] == "50.0"  # 2 of 4 satisfied
    weekly = json.loads(data_attrs(html, "data-series", "weekly_csat")["values"].replace("&#34;", '"'))
    assert weekly[-1] == 50.0
    assert 'data-metric="nps"' not in html and "CSAT por semana" in html  # a CSAT-only store sees no NPS tile


def _staff_routes(app):
    """Every staff endpoint with a sample URL, found from the URL map (new pages are covered automatically)."""
    from surveys.blueprints.staff import PUBLIC

    out = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("staff.") or rule.endpoint in PUBLIC:
            continue
        url = re.sub(r"<(?:int|id):\w+>", "1", rule.rule).replace("<action>", "note")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, url))
    return out


def test_every_staff_endpoint_fails_closed(app, client, staff_shop):
    from surveys.blueprints.staff import ADMIN_ONLY

    routes = _staff_routes(app)
    assert len(routes) >= 15
    for endpoint, method, url in routes:  # anonymous: always sent to sign in, never served
        resp = client.open(url, method=method)
        assert resp.status_code == 302 and "/staff/login" in resp.headers["Location"], (endpoint, method)
    staff_login(client, "agente@barro.test")
    for endpoint, method, url in routes:
        if endpoint in ADMIN_ONLY:
            assert client.open(url, method=method).status_code == 404, (endpoint, method)


@pytest.mark.parametrize(
    ("comment", "reason", "words"),
    [
        ("El producto es bueno, la caja llegó golpeada.", "failure", "el comentario cuenta una falla"),
        ("Pésima atención, muy groseros y lentos.", "words", "palabras claramente negativas"),
    ],
)
def test_a_hidden_detractor_says_why_it_is_one(client, staff_shop, comment, reason, words):
    client.post(survey_path(sent_invitation(staff_shop[0])), data={"nps": "9", "comment": comment})
    from surveys.models import Response

    rid = db.session.scalar(select(Response.id))
    staff_login(client, "admin@barro.test")
    html = client.get(f"/staff/responses/{rid}").get_data(as_text=True)
    found = re.search(r'<p class="warn" id="hidden-detractor" data-reason="(\w+)">([^<]*)</p>', html)
    assert found is not None and found.group(1) == reason and words in found.group(2)
