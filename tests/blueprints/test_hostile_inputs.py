"""Hostile inputs that used to answer 500: each now gets a clear 4xx (or is ignored where the
route ignores bad filters) and writes nothing."""

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from surveys.extensions import db
from surveys.models import OutboxMessage, Response, Review, Task, TaskEvent, WebhookEvent, utcnow
from surveys.services.tenancy import create_staff_user
from surveys.services.tokens import issue_token

from ..factories import SETTINGS_FORM, make_store, sent_invitation, survey_path

PASSWORD = "una clave muy larga"  # noqa: S105
DEEP = b"[" * 100_000 + b"]" * 100_000


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.fixture
def shop(app, client):
    store, key = make_store(slug="barro", reviews_auto_publish=True)
    create_staff_user("admin@barro.test", store, "admin", PASSWORD)
    db.session.commit()
    return store, key


def login(client, next_url=None):
    url = "/staff/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": "admin@barro.test", "password": PASSWORD})


def unhappy_task(client, store) -> Task:
    invitation = sent_invitation(store)
    client.post(survey_path(invitation), data={"nps": "2", "comment": "Llegó roto"})
    return db.session.scalar(select(Task).order_by(Task.id.desc()))


# -- superscript and other non-ASCII digits ------------------------------------------------------


@pytest.mark.parametrize("score", ["²", "٣", "1_0", "³"])
def test_a_superscript_score_in_the_survey_link_preselects_nothing(client, shop, score):
    invitation = sent_invitation(shop[0])
    resp = client.get(survey_path(invitation) + f"?score={score}")
    assert resp.status_code == 200
    assert 'data-autopost="1"' not in resp.get_data(as_text=True) and count(Response) == 0


def test_a_superscript_review_rating_is_a_field_error(client, shop):
    invitation = sent_invitation(shop[0])
    data = {"nps": "9", "review-TAZA-01-rating": "²", "review-TAZA-01-body": "Muy linda", "review-TAZA-01-publish": "1"}
    resp = client.post(survey_path(invitation), data=data)
    assert resp.status_code == 422 and count(Response) == 0 and count(Review) == 0


def test_a_superscript_follow_up_score_is_refused(client, shop):
    task = unhappy_task(client, shop[0])
    task.status, task.resolved_at = "resolved", utcnow()
    db.session.commit()
    path = f"/f/{issue_token('followup', task.public_id)}"
    assert client.get(path + "?score=²").status_code == 200
    assert client.post(path, data={"score": "²"}).status_code == 422
    db.session.refresh(task)
    assert task.followup_score is None


@pytest.mark.parametrize("query", ["page=²", "per_page=²", "page=٣", "page=0", "page=99999999999999999999999"])
def test_widget_paging_with_odd_digits_is_a_422(client, shop, query):
    resp = client.get(f"/widget/v1/{shop[0].widget_key}/products/TAZA-01/reviews.json?{query}")
    assert resp.status_code == 422 and resp.get_json()["error"] == "validation_failed"
    assert resp.headers["Cache-Control"] == "no-store"


def test_api_limit_with_a_superscript_is_a_422(client, shop):
    resp = client.get("/api/v1/responses?limit=²", headers=auth(shop[1]))
    assert resp.status_code == 422 and set(resp.get_json()["fields"]) == {"limit"}


# -- dates: naive, out of range, huge offsets ------------------------------------------------------


@pytest.mark.parametrize(
    "stamp",
    ["2026-11-01T00:00:00", "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59", "2026-11-01T00:00:00+20:00"],
)
def test_api_cursors_with_naive_or_out_of_range_times_are_a_422(client, shop, stamp):
    resp = client.get(f"/api/v1/responses?cursor={cursor(stamp + '|1')}", headers=auth(shop[1]))
    assert resp.status_code == 422 and set(resp.get_json()["fields"]) == {"cursor"}


@pytest.mark.parametrize("since", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "2026-11-01"])
def test_updated_since_out_of_range_is_a_422(client, shop, since):
    resp = client.get("/api/v1/responses", query_string={"updated_since": since}, headers=auth(shop[1]))
    assert resp.status_code == 422 and set(resp.get_json()["fields"]) == {"updated_since"}


@pytest.mark.parametrize(
    "query",
    ["from=9999-12-31", "to=9999-12-31", "from=0001-01-01&to=9999-12-31", "to=20261101", "from=2026-W01-1"],
)
def test_metrics_with_dates_out_of_range_are_a_422(client, shop, query):
    resp = client.get(f"/api/v1/metrics?{query}", headers=auth(shop[1]))
    assert resp.status_code == 422 and resp.get_json()["fields"]


def test_metrics_with_empty_dates_answer_for_all_time(client, shop):
    resp = client.get("/api/v1/metrics?from=&to=", headers=auth(shop[1]))
    assert resp.status_code == 200 and resp.get_json()["invitations_sent"] == 0


@pytest.mark.parametrize("path, status", [("/staff/", 422), ("/staff/responses", 422), ("/staff/responses.csv", 400)])
def test_staff_filters_with_dates_out_of_range_are_refused_never_a_500(client, shop, path, status):
    login(client)
    resp = client.get(f"{path}?from=0001-01-01&to=9999-12-31")
    assert resp.status_code == status and resp.mimetype == "text/html"  # said, not silently unfiltered


def _signed_shopify(client, store, body: bytes):
    sig = base64.b64encode(hmac.new(store.webhook_secret.encode(), body, hashlib.sha256).digest()).decode()
    headers = {"X-Shopify-Hmac-Sha256": sig, "Content-Type": "application/json"}
    return client.post(f"/hooks/shopify/{store.slug}", data=body, headers=headers)


@pytest.mark.parametrize("stamp", ["9999-12-31T23:59:59-23:59", "10000-01-01T00:00:00Z", "0001-01-01T00:00:00+23:59"])
def test_a_signed_fulfilment_dated_out_of_range_is_a_422_and_queues_nothing(client, shop, stamp):
    body = {
        "id": 1,
        "order_id": 4501,
        "status": "success",
        "created_at": stamp,
        "email": "ana@example.com",
        "line_items": [{"sku": "TAZA-01", "title": "Taza"}],
    }
    resp = _signed_shopify(client, shop[0], json.dumps(body).encode())
    assert resp.status_code == 422 and count(WebhookEvent) == 0


def test_a_signed_woocommerce_order_far_in_the_future_is_a_422(client, shop):
    store = shop[0]
    body = json.dumps({"id": 7, "status": "completed", "date_completed_gmt": "9999-12-31T23:59:59"}).encode()
    sig = base64.b64encode(hmac.new(store.webhook_secret.encode(), body, hashlib.sha256).digest()).decode()
    resp = client.post(
        f"/hooks/woocommerce/{store.slug}",
        data=body,
        headers={"X-WC-Webhook-Signature": sig, "Content-Type": "application/json"},
    )
    assert resp.status_code == 422 and count(WebhookEvent) == 0


# -- deeply nested JSON --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/deliveries", "/api/v1/deliveries/batch", "/api/v1/reviews/1/moderation"])
def test_deeply_nested_json_is_a_422(client, shop, path):
    headers = {**auth(shop[1]), "Content-Type": "application/json"}
    resp = client.post(path, data=DEEP, headers=headers)
    assert resp.status_code == 422 and resp.get_json()["error"] == "validation_failed"


def test_json_nested_just_past_the_limit_is_refused_before_the_schema_sees_it(client, shop):
    body = json.dumps({"deliveries": [json.loads("[" * 40 + "]" * 40)]}).encode()
    resp = client.post(
        "/api/v1/deliveries/batch", data=body, headers={**auth(shop[1]), "Content-Type": "application/json"}
    )
    assert resp.status_code == 422


def test_a_signed_deeply_nested_webhook_is_a_422(client, shop):
    resp = _signed_shopify(client, shop[0], DEEP)
    assert resp.status_code == 422 and count(WebhookEvent) == 0


# -- redirects -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target", ["/staff/%0d%0aSet-Cookie:%20x=1", "/staff/%0aLocation:%20//evil.example", "/%09/evil"]
)
def test_line_breaks_in_next_fall_back_to_the_dashboard(client, shop, target):
    resp = login(client, next_url=target)
    assert resp.status_code == 302 and resp.headers["Location"] == "/staff/"
    assert "Set-Cookie: x" not in str(resp.headers)


def test_line_breaks_in_the_moderation_back_link_fall_back_to_the_queue(client, shop):
    login(client)
    resp = client.post("/staff/reviews/1/publish", data={"back": "/staff/reviews\r\nSet-Cookie: x=1"})
    assert resp.status_code in (302, 404)
    assert "\n" not in resp.headers.get("Location", "")


# -- reply templates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    ["{first_name.__class__}", "{0.__class__}", "{agent.__init__.__globals__}", "{first_name[9]}", "{x:>999999999}"],
)
def test_reply_templates_with_attribute_or_index_placeholders_are_refused(client, shop, template):
    login(client)
    resp = client.post("/staff/settings", data={**SETTINGS_FORM, "tpl_es_body": f"Hola {template}"})
    assert resp.status_code == 422
    db.session.refresh(shop[0])
    assert shop[0].reply_templates is None


@pytest.mark.parametrize("template", ["{first_name.__class__}", "{0.__class__}", "{first_name[99]}", "{x:>999999999}"])
def test_a_stored_template_with_odd_placeholders_renders_them_as_written(client, shop, template):
    store = shop[0]
    task = unhappy_task(client, store)
    store.reply_templates = {"es-tu": {"subject": "Hola {first_name}", "body": f"Dato: {template} fin"}}
    db.session.commit()
    login(client)
    resp = client.get(f"/staff/tasks/{task.id}")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Hola Ana" in page and f"Dato: {escape(template)} fin" in page


@pytest.mark.parametrize("subject", ["Hola\x00", "Hola\x0bBcc: x@evil.example", "Hola\u2028Bcc: x@evil.example"])
def test_control_characters_in_a_reply_subject_send_nothing(client, shop, subject):
    task = unhappy_task(client, shop[0])
    login(client)
    events = count(TaskEvent)
    resp = client.post(f"/staff/tasks/{task.id}/reply", data={"subject": subject, "body": "Te llamo hoy."})
    assert 400 <= resp.status_code < 500 or resp.status_code == 302
    assert db.session.scalar(select(func.count()).where(OutboxMessage.kind == "reply")) == 0
    assert count(TaskEvent) == events


def test_a_nul_in_any_staff_form_field_writes_nothing(client, shop):
    task = unhappy_task(client, shop[0])
    login(client)
    events = count(TaskEvent)
    resp = client.post(f"/staff/tasks/{task.id}/note", data={"body": "nota\x00"})
    assert resp.status_code == 422 and count(TaskEvent) == events  # the note comes back with the error beside it


def test_a_nul_in_an_api_query_is_a_422(client, shop):
    resp = client.get("/api/v1/reviews", query_string={"cursor": "a\x00b"}, headers=auth(shop[1]))
    assert resp.status_code == 422 and resp.get_json()["fields"] == {"cursor": resp.get_json()["message"]}


def test_a_nul_in_a_delivery_is_a_422(client, shop):
    body = {
        "order_id": "N-1",
        "delivered_at": (utcnow() - timedelta(days=1)).isoformat(),
        "customer": {"email": "ana@example.com"},
        "items": [{"sku": "T", "name": "Taza", "url": "https://shop.example/\x00"}],
    }
    resp = client.post("/api/v1/deliveries", json=body, headers=auth(shop[1]))
    assert resp.status_code == 422
