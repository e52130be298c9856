"""Platform webhooks with real HMAC signatures over the raw body, as Shopify and WooCommerce send them."""

import concurrent.futures
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from surveys.extensions import db
from surveys.models import Customer, Invitation, Order, PrivacyRequest, WebhookEvent, utcnow
from surveys.worker import dispatch_once

from ..factories import make_store, sample, shopify, sign, woo


def invitation_for(order_ref):
    return db.session.scalar(select(Invitation).join(Order).where(Order.order_ref == order_ref))


@pytest.fixture
def store(app):
    # a week's delay keeps invitations scheduled, so withdrawals and moves are visible
    return make_store(slug="barro", fallback_transit_days=4, send_delay_minutes=7 * 24 * 60)[0]


def test_delivered_fulfillment_schedules_a_survey_after_the_worker_runs(client, store):
    resp = shopify(client, store, "fulfillment_delivered.json", topic="fulfillments/update")
    assert resp.status_code == 200 and resp.get_json()["status"] == "queued"
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0  # answered first, applied after
    assert dispatch_once()["events"] == 1
    invitation = invitation_for("5820000001002")
    assert invitation.status in ("scheduled", "sent") and invitation.locale == "es"
    customer = db.session.get(Customer, invitation.customer_id)
    assert (customer.email, customer.name) == ("jose.pena@example.com", "José Peña")
    assert [i.product.sku for i in invitation.order.items] == ["MANTEL-03"]


def test_only_what_the_product_needs_is_kept_from_the_body(client, store):
    shopify(client, store, "orders_fulfilled.json")
    dispatch_once()
    stored = json.dumps([e.data for e in db.session.scalars(select(WebhookEvent))])
    assert "Reforma" not in stored and "+52" not in stored and "749" not in stored


def test_fulfilled_order_uses_the_fallback_transit_then_a_delivered_event_moves_the_send_time(client, store):
    shopify(client, store, "fulfillment_in_transit.json", topic="fulfillments/create")
    dispatch_once()
    first = invitation_for("5820000001002").send_at
    shopify(client, store, "fulfillment_delivered.json", topic="fulfillments/update")
    dispatch_once()
    moved = invitation_for("5820000001002").send_at
    assert moved < first  # the parcel arrived sooner than the 4-day fallback assumed


def test_second_parcel_of_a_multi_fulfillment_order_asks_nothing_more(client, store):
    shopify(client, store, "fulfillment_delivered.json", topic="fulfillments/update")
    resp = shopify(client, store, "fulfillment_delivered_second_parcel.json", topic="fulfillments/update")
    assert resp.get_json()["status"] == "duplicate"
    dispatch_once()
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1


def test_customer_without_a_name_and_non_ascii_names_are_fine(client, store):
    shopify(client, store, "fulfillment_delivered_no_name.json")
    woo(client, store, "order_completed.json")
    dispatch_once()
    names = dict(db.session.execute(select(Customer.email, Customer.name)).all())
    assert names == {"compras.anonimas@example.com": None, "inigo.g@example.com": "Íñigo Garaikoetxea"}


@pytest.mark.parametrize("tamper", ["forged_body", "reserialised", "other_secret", "no_header", "unknown_store"])
def test_bad_signatures_are_401_and_record_nothing(client, store, tamper):
    raw = sample("shopify/fulfillment_delivered.json")
    other = make_store(slug="otra")[0]
    if tamper == "forged_body":
        resp = client.post(
            "/hooks/shopify/barro",
            data=raw.replace(b"jose.pena", b"eve"),
            headers={"X-Shopify-Hmac-Sha256": sign(store.webhook_secret, raw)},
        )
    elif tamper == "reserialised":
        again = json.dumps(json.loads(raw)).encode()  # same data, different bytes
        resp = client.post(
            "/hooks/shopify/barro", data=again, headers={"X-Shopify-Hmac-Sha256": sign(store.webhook_secret, raw)}
        )
    elif tamper == "other_secret":
        resp = shopify(client, store, "fulfillment_delivered.json", secret=other.webhook_secret)
    elif tamper == "no_header":
        resp = client.post("/hooks/shopify/barro", data=raw)
    else:
        resp = client.post(
            "/hooks/shopify/nadie", data=raw, headers={"X-Shopify-Hmac-Sha256": sign(store.webhook_secret, raw)}
        )
    assert resp.status_code == 401
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


def test_previous_secret_still_verifies_during_a_rotation(client, store):
    old = store.webhook_secret
    store.webhook_secret_previous, store.webhook_secret = old, "a-brand-new-secret"
    db.session.commit()
    assert shopify(client, store, "fulfillment_delivered.json", secret=old).status_code == 200


def test_a_tampered_topic_header_cannot_turn_a_delivery_into_a_cancellation(client, store):
    shopify(client, store, "fulfillment_delivered.json", topic="orders/cancelled")
    dispatch_once()
    assert invitation_for("5820000001002").status in ("scheduled", "sent")


def test_cancel_after_fulfil_withdraws_the_pending_invitation(client, store):
    shopify(client, store, "orders_fulfilled.json")
    dispatch_once()
    assert invitation_for("5820000001001").status == "scheduled"
    shopify(client, store, "order_cancelled.json", topic="orders/cancelled")
    dispatch_once()
    assert invitation_for("5820000001001").status == "withdrawn"


def test_duplicate_storm_sent_concurrently_creates_one_event_and_one_invitation(app, make_app, store):
    raw = sample("shopify/fulfillment_delivered.json")
    headers = {"X-Shopify-Hmac-Sha256": sign(store.webhook_secret, raw)}
    db.session.rollback()  # no open transaction of ours: SQLite writers would queue behind it
    storm_app = make_app()

    def post(_):
        with storm_app.test_client() as c:
            return c.post("/hooks/shopify/barro", data=raw, headers=headers).get_json()["status"]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(post, range(16)))
    assert statuses.count("queued") == 1 and statuses.count("duplicate") == 15
    dispatch_once()
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1


def test_stale_event_is_recorded_but_never_mailed(client, store):
    raw = sample("woocommerce/order_completed.json")
    old = (utcnow() - timedelta(days=60)).strftime("%Y-%m-%dT%H:%M:%S")
    raw = re.sub(rb'"date_completed_gmt": "[^"]+"', f'"date_completed_gmt": "{old}"'.encode(), raw)
    woo(client, store, "", raw=raw)
    dispatch_once()
    invitation = invitation_for("727")
    assert (invitation.status, invitation.suppressed_reason) == ("suppressed", "stale")


def test_woocommerce_ping_is_answered_and_does_nothing(client, store):
    resp = client.post("/hooks/woocommerce/barro", data={"webhook_id": "12"})
    assert resp.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


def test_woocommerce_completed_delivers_processing_is_ignored_refunded_withdraws(client, store):
    assert woo(client, store, "order_processing.json").get_json()["status"] == "ignored"
    assert woo(client, store, "order_completed.json").get_json()["status"] == "queued"
    assert woo(client, store, "order_completed.json").get_json()["status"] == "duplicate"
    dispatch_once()
    assert invitation_for("727").status in ("scheduled", "sent")
    woo(client, store, "order_refunded.json")
    dispatch_once()
    assert invitation_for("727").status == "withdrawn"


def test_woocommerce_bad_signature_is_401(client, store):
    raw = sample("woocommerce/order_completed.json")
    resp = client.post("/hooks/woocommerce/barro", data=raw, headers={"X-WC-Webhook-Signature": "AAAA"})
    assert resp.status_code == 401


def test_signed_garbage_is_422_not_500(client, store):
    for raw in (b"not json", b"[1,2]", b"\xff\xfe"):
        assert shopify(client, store, "", raw=raw).status_code == 422


def test_shopify_privacy_webhooks(client, store):
    shopify(client, store, "orders_fulfilled.json")
    dispatch_once()
    assert (
        shopify(client, store, "customers_data_request.json", topic="customers/data_request").get_json()["status"]
        == "export_requested"
    )
    assert shopify(client, store, "customers_redact.json", topic="customers/redact").get_json()["status"] == "erased"
    assert db.session.scalar(select(Customer.email)).startswith("erased:")
    kinds = sorted(r.kind for r in db.session.scalars(select(PrivacyRequest)))
    assert kinds == ["erase", "export"]
    assert shopify(client, store, "shop_redact.json", topic="shop/redact").get_json()["status"] == "shop_erased"


def test_a_refund_withdraws_the_pending_invitation(client, store):
    shopify(client, store, "orders_fulfilled.json")
    dispatch_once()
    shopify(client, store, "refund_created.json", topic="refunds/create")
    dispatch_once()
    assert invitation_for("5820000001001").status == "withdrawn"
