"""Phone numbers and WhatsApp consent from every intake path; the store's channel settings and
their sealed secrets (CLI)."""

import json

import pytest
from sqlalchemy import func, select, text

from surveys.extensions import db
from surveys.models import Customer, Order, Store, StoreWhatsApp
from surveys.services.phones import InvalidPhone, normalize_phone, sender_candidates
from surveys.worker import dispatch_once

from ..factories import delivery_payload, make_store, sample, shopify, woo

TOKEN = "EAAG-secret-access-token-1234567890"  # noqa: S105 - test value
APP_SECRET = "app-secret-abcdef0123456789"  # noqa: S105
VERIFY = "verify-me-please"  # noqa: S105


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def customer(email):
    return db.session.scalar(select(Customer).where(Customer.email == email))


def orders() -> int:
    return db.session.scalar(select(func.count()).select_from(Order))


def configure(runner, slug, *extra, token=TOKEN, country="MX"):
    args = ["store", "whatsapp", slug, "--phone-number-id", "1061234567", "--app-secret", APP_SECRET]
    args += ["--verify-token", VERIFY, "--template", "es=encuesta_entrega", "--policy", "whatsapp_first"]
    args += ["--country", country] if country else []
    return runner.invoke(args=args + list(extra), input=token + "\n")


@pytest.mark.parametrize(
    ("raw", "country", "e164"),
    [
        ("55 1234 5678", "MX", "+525512345678"),
        ("+52 1 55 1234 5678", None, "+525512345678"),  # the old mobile prefix folds into +52
        ("(55) 1234-5678", "MX", "+525512345678"),
        ("612 34 56 78", "ES", "+34612345678"),
        ("011 15-2345-6789", "AR", "+5491123456789"),
        ("+34 600 000 303", "MX", "+34600000303"),
    ],
)
def test_phone_numbers_in_common_notations_become_e164(raw, country, e164):
    assert normalize_phone(raw, country) == e164


@pytest.mark.parametrize(("raw", "country"), [("123", "MX"), ("55 1234 5678", None), ("hola", "MX"), ("", "MX")])
def test_numbers_that_cannot_be_sent_to_are_refused(raw, country):
    with pytest.raises(InvalidPhone):
        normalize_phone(raw, country)


def test_a_mexican_sender_reported_as_521_matches_the_52_number():
    assert "+525512345678" in sender_candidates("5215512345678")
    assert "+5215512345678" in sender_candidates("525512345678")


def test_api_delivery_stores_the_phone_in_e164_with_the_store_country_and_the_opt_in(client, app, runner):
    store, key = make_store()
    assert configure(runner, store.slug).exit_code == 0
    payload = delivery_payload(email="ana@example.com")
    payload["customer"].update(phone="55 1234 5678", whatsapp_opt_in=True)
    resp = client.post("/api/v1/deliveries", json=payload, headers=auth(key))
    assert resp.status_code == 201
    row = customer("ana@example.com")
    assert (row.phone, row.whatsapp_opt_in) == ("+525512345678", True)


def test_without_a_country_setting_the_store_time_zone_decides(client, app):
    store, key = make_store(timezone="Europe/Madrid")
    payload = delivery_payload(email="ines@example.com")
    payload["customer"]["phone"] = "612 34 56 78"
    assert client.post("/api/v1/deliveries", json=payload, headers=auth(key)).status_code == 201
    row = customer("ines@example.com")
    assert (row.phone, row.whatsapp_opt_in) == ("+34612345678", False)  # no opt-in said: none


def test_an_invalid_phone_is_a_field_error_and_writes_nothing(client, app):
    store, key = make_store()
    payload = delivery_payload(email="bad@example.com")
    payload["customer"].update(phone="12", whatsapp_opt_in=True)
    resp = client.post("/api/v1/deliveries", json=payload, headers=auth(key))
    assert resp.status_code == 422
    assert list(resp.get_json()["fields"]) == ["customer.phone"]
    assert orders() == 0 and customer("bad@example.com") is None


def test_opt_in_must_be_a_boolean(client, app):
    store, key = make_store()
    payload = delivery_payload()
    payload["customer"]["whatsapp_opt_in"] = "maybe"
    resp = client.post("/api/v1/deliveries", json=payload, headers=auth(key))
    assert resp.status_code == 422 and "customer.whatsapp_opt_in" in resp.get_json()["fields"]


def test_batch_rejects_only_the_item_with_a_bad_phone(client, app):
    store, key = make_store()
    good, bad = delivery_payload(email="g@example.com"), delivery_payload(email="b@example.com")
    good["customer"].update(phone="+52 33 3333 0202", whatsapp_opt_in=True)
    bad["customer"]["phone"] = "not a phone"
    english = {**auth(key), "Accept-Language": "en"}
    body = client.post("/api/v1/deliveries/batch", json={"deliveries": [good, bad]}, headers=english).get_json()
    assert (body["created"], body["rejected"]) == (1, 1)
    assert body["results"][1]["fields"] == {"customer.phone": "not a valid phone number"}
    assert customer("g@example.com").phone == "+523333330202"


def test_a_later_delivery_keeps_the_phone_unless_it_says_otherwise(client, app):
    store, key = make_store()
    first = delivery_payload(email="ana@example.com")
    first["customer"].update(phone="55 1234 5678", whatsapp_opt_in=True)
    client.post("/api/v1/deliveries", json=first, headers=auth(key))
    client.post("/api/v1/deliveries", json=delivery_payload(email="ana@example.com"), headers=auth(key))
    db.session.expire_all()
    assert (customer("ana@example.com").phone, customer("ana@example.com").whatsapp_opt_in) == ("+525512345678", True)
    revoked = delivery_payload(email="ana@example.com")
    revoked["customer"]["whatsapp_opt_in"] = False
    client.post("/api/v1/deliveries", json=revoked, headers=auth(key))
    db.session.expire_all()
    assert customer("ana@example.com").whatsapp_opt_in is False


def test_csv_import_reads_phone_and_opt_in_columns_and_reports_bad_numbers_by_line(runner, app, tmp_path):
    store, _ = make_store()
    configure(runner, store.slug)
    path = tmp_path / "d.csv"
    path.write_text(
        "order_id,email,name,locale,delivered_at,sku,product_name,phone,whatsapp_opt_in\n"
        "A1,uno@example.com,Uno,es,2026-11-28T10:00:00-06:00,T1,Taza,55 1234 5678,sí\n"
        "A2,dos@example.com,Dos,es,2026-11-28T10:00:00-06:00,T1,Taza,,\n"
        "A3,tres@example.com,Tres,es,2026-11-28T10:00:00-06:00,T1,Taza,999,yes\n"
        "A4,cuatro@example.com,Cuatro,es,2026-11-28T10:00:00-06:00,T1,Taza,5512345679,quizás\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["deliveries", "import", str(path), "--store", store.slug])
    assert "created 2, duplicate 0, rejected 2" in result.output
    assert "line 4: rejected order A3 (customer.phone: not a valid phone number)" in result.output
    assert "line 5: rejected order A4 (customer.whatsapp_opt_in" in result.output
    assert (customer("uno@example.com").phone, customer("uno@example.com").whatsapp_opt_in) == ("+525512345678", True)
    assert (customer("dos@example.com").phone, customer("dos@example.com").whatsapp_opt_in) == (None, False)


def test_shopify_order_brings_phone_and_sms_marketing_consent(client, app):
    store, _ = make_store()
    body = json.loads(sample("shopify/orders_fulfilled.json"))
    body["customer"]["sms_marketing_consent"] = {"state": "subscribed", "opt_in_level": "single_opt_in"}
    assert shopify(client, store, None, raw=json.dumps(body).encode()).status_code == 200
    dispatch_once()
    row = customer("lucia.nunez@example.com")
    assert (row.phone, row.whatsapp_opt_in) == ("+525555550101", True)


def test_shopify_without_consent_records_the_phone_but_no_opt_in(client, app):
    store, _ = make_store()
    shopify(client, store, "orders_fulfilled.json")
    dispatch_once()
    row = customer("lucia.nunez@example.com")
    assert (row.phone, row.whatsapp_opt_in) == ("+525555550101", False)


def test_woocommerce_order_brings_billing_phone_and_whatsapp_opt_in_meta(client, app):
    store, _ = make_store()
    body = json.loads(sample("woocommerce/order_completed.json"))
    body["meta_data"] = [{"id": 9, "key": "_billing_whatsapp_optin", "value": "yes"}]
    assert woo(client, store, None, raw=json.dumps(body).encode()).status_code == 200
    dispatch_once()
    row = customer("inigo.g@example.com")
    assert (row.phone, row.whatsapp_opt_in) == ("+34600000303", True)


def test_a_platform_order_with_a_bad_phone_is_still_surveyed_by_email_and_says_why(client, app):
    from surveys.models import WebhookEvent

    store, _ = make_store()
    body = json.loads(sample("woocommerce/order_completed.json"))
    body["billing"]["phone"] = "12"
    woo(client, store, None, raw=json.dumps(body).encode())
    dispatch_once()
    row = customer("inigo.g@example.com")
    assert row is not None and row.phone is None
    assert "phone ignored" in db.session.scalar(select(WebhookEvent.outcome))


def test_cli_sets_the_channel_reads_the_token_from_stdin_and_prints_no_secret(runner, app):
    store, _ = make_store()
    result = configure(runner, store.slug, "--template", "en_US=delivery_survey")
    assert result.exit_code == 0, result.output
    for secret in (TOKEN, APP_SECRET, VERIFY):
        assert secret not in result.output
    info = json.loads(result.output)
    assert info["policy"] == "whatsapp_first" and info["country"] == "MX"
    assert info["templates"] == {
        "es": {"name": "encuesta_entrega", "language": "es"},
        "en": {"name": "delivery_survey", "language": "en_US"},
    }
    assert info["webhook_url"].endswith(f"/hooks/whatsapp/{store.slug}")


def test_secrets_are_stored_encrypted_and_survive_a_key_rotation(runner, app, make_app):
    from surveys.services.whatsapp.settings import credentials, get_channel

    store, _ = make_store()
    configure(runner, store.slug)
    dump = json.dumps([list(r) for r in db.session.execute(text("SELECT * FROM store_whatsapp")).all()], default=str)
    for secret in (TOKEN, APP_SECRET, VERIFY):
        assert secret not in dump
    store_id = store.id
    db.session.rollback()
    rotated = make_app(SECRET_KEY="a-brand-new-key-987654321", SECRET_KEY_FALLBACKS=[app.config["SECRET_KEY"]])
    with rotated.app_context():
        creds = credentials(get_channel(db.session.get(Store, store_id)))
        assert (creds.access_token, creds.app_secret, creds.verify_token) == (TOKEN, APP_SECRET, VERIFY)
        assert TOKEN not in repr(creds)


def test_cli_refuses_an_incomplete_or_bad_channel_and_changes_nothing(runner, app):
    store, _ = make_store()
    result = configure(runner, store.slug, token="")
    assert result.exit_code != 0 and "access_token: required" in result.output
    bad = runner.invoke(
        args=["store", "whatsapp", store.slug, "--policy", "whatsapp_only", "--template", "fr=x", "--country", "ZZ"],
        input="\n",
    )
    assert bad.exit_code != 0 and "template" in bad.output
    assert db.session.scalar(select(func.count()).select_from(StoreWhatsApp)) == 0
    off = runner.invoke(args=["store", "whatsapp", store.slug, "--policy", "email"], input="\n")
    assert off.exit_code == 0 and json.loads(off.output)["policy"] == "email"


def test_export_shows_and_erasure_removes_the_phone(client, app, runner):
    from surveys.services import privacy

    store, key = make_store()
    payload = delivery_payload(email="ana@example.com")
    payload["customer"].update(phone="+52 55 1234 5678", whatsapp_opt_in=True)
    client.post("/api/v1/deliveries", json=payload, headers=auth(key))
    exported = privacy.export_customer(store, "ana@example.com")["customer"]
    assert (exported["phone"], exported["whatsapp_opt_in"]) == ("+525512345678", True)
    privacy.erase_customer(store, "ana@example.com")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Customer).where(Customer.phone.is_not(None))) == 0
