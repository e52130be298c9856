"""Intake API: validation with field errors, idempotency, suppression, nothing half-written."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from surveys.extensions import db
from surveys.models import Customer, Invitation, Order, utcnow
from surveys.services import intake

from ..factories import delivery_payload, make_store


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def store_key(app):
    return make_store()


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def test_delivery_is_scheduled_two_days_after_delivery(client, store_key):
    store, key = store_key
    delivered = utcnow() - timedelta(hours=1)
    resp = client.post(
        "/api/v1/deliveries", json=delivery_payload("1001", delivered_at=delivered.isoformat()), headers=auth(key)
    )
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["order_id"] == "1001" and body["status"] == "scheduled"
    from datetime import datetime

    send_at = datetime.fromisoformat(body["send_at"])
    assert abs((send_at - (delivered + timedelta(days=2))).total_seconds()) < 2


def test_same_order_again_returns_200_with_the_same_body_and_no_second_invitation(client, store_key):
    _, key = store_key
    payload = delivery_payload("1002")
    first = client.post("/api/v1/deliveries", json=payload, headers=auth(key))
    again = client.post("/api/v1/deliveries", json=payload, headers=auth(key))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json() == again.get_json()
    assert count(Invitation) == 1


def test_invalid_fields_are_all_reported_and_nothing_is_written(client, store_key):
    _, key = store_key
    bad = {
        "order_id": "",
        "delivered_at": "2026-11-20T15:04:00",
        "customer": {"email": "not-an-email"},
        "items": [{"sku": "", "name": "x", "url": "javascript:alert(1)"}],
    }
    resp = client.post("/api/v1/deliveries", json=bad, headers=auth(key))
    assert resp.status_code == 422
    fields = resp.get_json()["fields"]
    assert set(fields) == {"order_id", "delivered_at", "customer.email", "items.0.sku", "items.0.url"}
    assert "timezone" in fields["delivered_at"]
    assert count(Order) == count(Customer) == count(Invitation) == 0


@pytest.mark.parametrize(
    "body",
    [[], "text", 42, {"order_id": 5.5}, {"customer": "ana@example.com"}, {"items": "TAZA"}, {"items": [{"sku": 1}]}],
)
def test_wrong_json_types_get_422_not_500(client, store_key, body):
    _, key = store_key
    resp = client.post("/api/v1/deliveries", data=json.dumps(body), content_type="application/json", headers=auth(key))
    assert resp.status_code == 422
    assert resp.get_json()["error"] == "validation_failed"


def test_missing_or_wrong_api_key_is_401(client, store_key):
    assert client.post("/api/v1/deliveries", json=delivery_payload()).status_code == 401
    resp = client.post("/api/v1/deliveries", json=delivery_payload(), headers=auth("pv_dead_beef"))
    assert resp.status_code == 401 and resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_key_is_refused_on_the_next_request_after_revocation_and_with_a_forged_secret(client, app):
    from surveys.services import tenancy

    store, key = make_store()
    _, other_key = make_store()
    assert client.post("/api/v1/deliveries", json=delivery_payload("7001"), headers=auth(key)).status_code == 201
    forged = key.rsplit("_", 1)[0] + "_" + "A" * 32  # a live key's prefix with another secret
    assert client.post("/api/v1/deliveries", json=delivery_payload("7002"), headers=auth(forged)).status_code == 401
    # the other store's key records into the other store only
    assert client.post("/api/v1/deliveries", json=delivery_payload("7001"), headers=auth(other_key)).status_code == 201
    assert db.session.scalar(select(func.count()).where(Order.store_id == store.id)) == 1
    tenancy.revoke_api_keys(store, "default")
    db.session.commit()
    assert client.post("/api/v1/deliveries", json=delivery_payload("7003"), headers=auth(key)).status_code == 401
    assert client.post("/api/v1/deliveries", json=delivery_payload("7003"), headers=auth(other_key)).status_code == 201
    assert count(Order) == 3


def test_non_json_body_is_415(client, store_key):
    _, key = store_key
    resp = client.post(
        "/api/v1/deliveries", data="order_id=1", content_type="application/x-www-form-urlencoded", headers=auth(key)
    )
    assert resp.status_code == 415


def test_malformed_json_is_422(client, store_key):
    _, key = store_key
    resp = client.post("/api/v1/deliveries", data="{nope", content_type="application/json", headers=auth(key))
    assert resp.status_code == 422


def test_body_over_the_limit_is_413_json(client, store_key):
    _, key = store_key
    huge = json.dumps({"deliveries": ["x" * 1024] * 3000})
    resp = client.post("/api/v1/deliveries/batch", data=huge, content_type="application/json", headers=auth(key))
    assert resp.status_code == 413
    assert resp.get_json()["error"]


def test_idempotency_key_replays_and_refuses_another_body(client, store_key):
    _, key = store_key
    headers = {**auth(key), "Idempotency-Key": "abc-1"}
    payload = delivery_payload("2001")
    first = client.post("/api/v1/deliveries", json=payload, headers=headers)
    replay = client.post("/api/v1/deliveries", json=payload, headers=headers)
    other = client.post("/api/v1/deliveries", json=delivery_payload("2002"), headers=headers)
    assert first.status_code == 201 and replay.status_code == 201
    assert replay.get_json() == first.get_json()
    assert other.status_code == 422 and other.get_json()["error"] == "idempotency_key_reused"
    assert count(Order) == 1


def test_second_order_within_the_throttle_window_is_suppressed(client, store_key):
    _, key = store_key
    client.post("/api/v1/deliveries", json=delivery_payload("3001", email="ana@example.com"), headers=auth(key))
    resp = client.post("/api/v1/deliveries", json=delivery_payload("3002", email="ANA@example.com"), headers=auth(key))
    assert resp.get_json()["status"] == "suppressed"
    assert resp.get_json()["suppressed_reason"] == "throttled"


def test_unsubscribed_customer_is_suppressed(client, store_key):
    store, key = store_key
    db.session.add(Customer(store_id=store.id, email="baja@example.com", unsubscribed_at=utcnow()))
    db.session.commit()
    resp = client.post("/api/v1/deliveries", json=delivery_payload(email="baja@example.com"), headers=auth(key))
    assert resp.get_json()["status"] == "suppressed"
    assert resp.get_json()["suppressed_reason"] == "unsubscribed"


def test_send_window_moves_send_time_into_local_opening_hours(client, app):
    store, key = make_store(send_window="9-20", timezone="America/Mexico_City", send_delay_minutes=0)
    delivered = "2026-11-18T23:30:00-06:00"  # 23:30 local, outside 9-20
    resp = client.post("/api/v1/deliveries", json=delivery_payload(delivered_at=delivered), headers=auth(key))
    from datetime import datetime
    from zoneinfo import ZoneInfo

    send_local = datetime.fromisoformat(resp.get_json()["send_at"]).astimezone(ZoneInfo("America/Mexico_City"))
    assert 9 <= send_local.hour < 20


def test_cancel_withdraws_a_pending_invitation(client, store_key):
    _, key = store_key
    client.post("/api/v1/deliveries", json=delivery_payload("4001"), headers=auth(key))
    resp = client.post("/api/v1/deliveries/4001/cancel", headers=auth(key))
    assert resp.status_code == 200 and resp.get_json()["status"] == "withdrawn"
    assert client.post("/api/v1/deliveries/nope/cancel", headers=auth(key)).status_code == 404


@pytest.mark.parametrize("answered", [False, True])
def test_cancel_after_sending_reports_the_invitations_true_status(client, store_key, answered):
    from surveys.worker import dispatch_once

    from ..factories import make_due, survey_path

    _, key = store_key
    client.post("/api/v1/deliveries", json=delivery_payload("4002"), headers=auth(key))
    invitation = db.session.scalar(select(Invitation))
    make_due(invitation)
    dispatch_once()
    if answered:
        assert client.post(survey_path(invitation), data={"nps": "9"}).status_code == 200
    expected = "answered" if answered else "sent"
    resp = client.post("/api/v1/deliveries/4002/cancel", headers=auth(key))
    body = resp.get_json()
    assert resp.status_code == 200 and body["status"] == expected
    assert set(body) == {"id", "order_id", "status", "send_at", "suppressed_reason"}
    assert client.get("/api/v1/invitations/4002", headers=auth(key)).get_json()["status"] == expected
    db.session.refresh(invitation)
    assert invitation.reminder_due_at is None and db.session.scalar(select(Order.status)) == "cancelled"


def test_another_stores_key_cannot_cancel_my_order(client, app):
    _, key_a = make_store()
    _, key_b = make_store()
    client.post("/api/v1/deliveries", json=delivery_payload("5001"), headers=auth(key_a))
    assert client.post("/api/v1/deliveries/5001/cancel", headers=auth(key_b)).status_code == 404


def test_batch_reports_each_item_and_keeps_the_good_ones(client, store_key):
    _, key = store_key
    items = [delivery_payload("6001"), {"order_id": "6002"}, delivery_payload("6001")]
    resp = client.post("/api/v1/deliveries/batch", json={"deliveries": items}, headers=auth(key))
    body = resp.get_json()
    assert resp.status_code == 200
    assert [r["status_code"] for r in body["results"]] == [201, 422, 200]
    assert (body["created"], body["rejected"], body["duplicate"]) == (1, 1, 1)
    assert "delivered_at" in body["results"][1]["fields"]


def test_a_batch_longer_than_a_slice_answers_each_item_in_order_across_the_slices(client, store_key):
    _, key = store_key
    n = 2 * intake.SLICE + 10  # recorded a slice at a time: repeats and errors fall in different slices
    items = [delivery_payload(f"7{k:03d}") for k in range(n)]
    items[n - 1] = delivery_payload("7003")  # the same order again, two slices later
    items[intake.SLICE + 1] = {"order_id": "bad"}
    items[intake.SLICE + 2] = delivery_payload("7999", email=items[2]["customer"]["email"])  # asked already
    resp = client.post("/api/v1/deliveries/batch", json={"deliveries": items}, headers=auth(key))
    results = resp.get_json()["results"]
    assert [r["index"] for r in results] == list(range(n))
    assert results[n - 1]["status_code"] == 200 and results[n - 1]["id"] == results[3]["id"]
    assert results[intake.SLICE + 1]["status_code"] == 422 and results[intake.SLICE + 1]["order_id"] == "bad"
    assert results[intake.SLICE + 2]["suppressed_reason"] == "throttled"
    assert resp.get_json()["created"] == n - 2 and count(Order) == n - 2 and count(Invitation) == n - 2


def test_batch_over_1000_is_refused_whole(client, store_key):
    _, key = store_key
    resp = client.post("/api/v1/deliveries/batch", json={"deliveries": [{}] * 1001}, headers=auth(key))
    assert resp.status_code == 422 and count(Order) == 0


def test_openapi_document_lists_every_route(client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert {
        "/api/v1/deliveries",
        "/api/v1/deliveries/batch",
        "/api/v1/deliveries/{order_id}/cancel",
        "/api/v1/responses",
        "/api/v1/metrics",
    } <= set(doc["paths"])


def test_every_openapi_operation_has_a_success_example(client):
    doc = client.get("/api/openapi.json").get_json()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            ok = next(v for k, v in op["responses"].items() if k.startswith("2"))
            assert "example" in ok["content"]["application/json"], (method, path)


def test_a_delivery_in_another_language_does_not_rename_the_catalogue_product(client, store_key):
    from surveys.models import Product

    from ..factories import sent_invitation, survey_path

    store, key = store_key
    spanish = [{"sku": "JARRO-02", "name": "Jarro de talavera"}]
    english = [{"sku": "JARRO-02", "name": "Talavera jug"}, {"sku": "MUG-9", "name": "Clay mug"}]
    assert client.post("/api/v1/deliveries", json=delivery_payload(items=spanish), headers=auth(key)).status_code == 201
    customer = {"email": "emily@example.com", "name": "Emily", "locale": "en"}
    payload = delivery_payload(items=english, customer=customer)
    assert client.post("/api/v1/deliveries", json=payload, headers=auth(key)).status_code == 201
    names = dict(db.session.execute(select(Product.sku, Product.name).where(Product.store_id == store.id)).all())
    assert names == {"JARRO-02": "Jarro de talavera", "MUG-9": "Clay mug"}  # a new product takes its first name
    page = client.get(survey_path(sent_invitation(store, items=spanish))).get_data(as_text=True)
    assert "Jarro de talavera" in page and "Talavera jug" not in page
    widget = client.get(f"/widget/v1/{store.widget_key}/products/JARRO-02/reviews.json").get_json()
    assert widget["product"]["name"] == "Jarro de talavera"


@pytest.mark.parametrize(
    ("lang", "future", "past"),
    [("es", "está en el futuro", "es demasiado antigua"), ("en", "is in the future", "is too far in the past")],
)
def test_a_delivery_dated_past_year_9999_in_utc_is_in_the_future_not_too_old(client, store_key, lang, future, past):
    _, key = store_key
    headers = {**auth(key), "Accept-Language": lang}
    for delivered_at, message in [("9999-12-31T23:59:59-12:00", future), ("0001-01-01T00:00:00+14:00", past)]:
        resp = client.post("/api/v1/deliveries", json=delivery_payload(delivered_at=delivered_at), headers=headers)
        body = resp.get_json()
        assert resp.status_code == 422, delivered_at
        assert (body["error"], body["fields"]) == ("validation_failed", {"delivered_at": message}), delivered_at
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


@pytest.mark.parametrize(
    ("lang", "message", "field"),
    [
        ("es", "La entrega tiene campos no válidos.", "está en el futuro"),
        ("en", "The delivery has invalid fields.", "is in the future"),
    ],
)
def test_an_error_speaks_one_language_the_clients(client, store_key, lang, message, field):
    _, key = store_key
    future = (utcnow() + timedelta(days=400)).isoformat()
    headers = {**auth(key), "Accept-Language": lang}
    resp = client.post("/api/v1/deliveries", json=delivery_payload(delivered_at=future), headers=headers)
    body = resp.get_json()
    assert resp.status_code == 422
    assert (body["message"], body["fields"]["delivered_at"]) == (message, field)
    unknown = client.post(
        "/api/v1/deliveries", json=delivery_payload(), headers={**auth("pv_dead_beef"), "Accept-Language": lang}
    )
    assert unknown.status_code == 401
    assert unknown.get_json()["message"].startswith({"es": "Hace falta una clave", "en": "A valid API key"}[lang])
