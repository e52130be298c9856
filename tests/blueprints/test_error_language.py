"""Every API and webhook error speaks one language, the client's (Accept-Language; Spanish by
default): its message and each of its field errors, whatever part of the code found them."""

from __future__ import annotations

import json

import pytest
from flask import g

from ..factories import delivery_payload, make_store, sign


@pytest.fixture
def shop(app):
    store, key = make_store(slug="barro")
    return store, key


def _api(client, key, path, body, **headers):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json", **headers}
    return client.post(f"/api/v1/{path}", data=raw, headers=headers)


def _shopify(client, store, raw, secret=None, **headers):
    signed = {"X-Shopify-Hmac-Sha256": sign(secret or store.webhook_secret, raw), "X-Shopify-Topic": "orders/fulfilled"}
    return client.post(f"/hooks/shopify/{store.slug}", data=raw, headers={**signed, **headers})


def _customer(**fields):
    return delivery_payload(customer={"email": "ana@example.com", "name": "Ana", **fields})


CASES = {
    "email": lambda c, s, k, h: _api(c, k, "deliveries", _customer(email="foo"), **h),
    "email_non_ascii": lambda c, s, k, h: _api(c, k, "deliveries", _customer(email="josé@example.com"), **h),
    "phone": lambda c, s, k, h: _api(c, k, "deliveries", _customer(phone="12"), **h),
    "single_line_and_length": lambda c, s, k, h: _api(
        c, k, "deliveries", delivery_payload(items=[{"sku": "X" * 65, "name": "Taza\nde barro"}]), **h
    ),
    "required": lambda c, s, k, h: _api(c, k, "deliveries", delivery_payload(items=[{"name": "Taza"}]), **h),
    "not_an_object": lambda c, s, k, h: _api(c, k, "deliveries", [1, 2], **h),
    "batch_not_an_array": lambda c, s, k, h: _api(c, k, "deliveries/batch", {"deliveries": "x"}, **h),
    "batch_empty": lambda c, s, k, h: _api(c, k, "deliveries/batch", {"deliveries": []}, **h),
    "batch_too_long": lambda c, s, k, h: _api(c, k, "deliveries/batch", {"deliveries": [{}] * 1001}, **h),
    "shopify_bad_signature": lambda c, s, k, h: _shopify(c, s, b"{}", secret="not-the-secret", **h),
    "shopify_not_json": lambda c, s, k, h: _shopify(c, s, b"{not json", **h),
    "shopify_array": lambda c, s, k, h: _shopify(c, s, b"[1,2]", **h),
    "whatsapp_verify_token": lambda c, s, k, h: c.get(
        f"/hooks/whatsapp/{s.slug}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1", headers=h
    ),
    "whatsapp_bad_signature": lambda c, s, k, h: c.post(
        f"/hooks/whatsapp/{s.slug}", data=b"{}", headers={"X-Hub-Signature-256": "sha256=00", **h}
    ),
}


def _ask(case, client, store, key, headers):
    # The test's app context outlives each request (a server's does not): forget the locale
    # the previous request settled on, as a new request would.
    g.pop("_flask_babel", None)
    g.pop("locale", None)
    return CASES[case](client, store, key, headers)


def _texts(resp) -> dict:
    body = resp.get_json()
    return {"message": body["message"], **{f"fields.{k}": v for k, v in (body.get("fields") or {}).items()}}


@pytest.mark.parametrize("case", sorted(CASES))
def test_message_and_every_field_speak_the_clients_language(client, shop, case):
    store, key = shop
    spanish = _ask(case, client, store, key, {"Accept-Language": "es"})
    english = _ask(case, client, store, key, {"Accept-Language": "en"})
    default = _ask(case, client, store, key, {})
    assert spanish.status_code == english.status_code == default.status_code and spanish.status_code >= 400
    es, en = _texts(spanish), _texts(english)
    assert es.keys() == en.keys() and len(es) > (0 if case.startswith(("shopify", "whatsapp")) else 1)
    assert [k for k in es if es[k] == en[k]] == []  # nothing left in the other language
    assert _texts(default) == es  # no Accept-Language: Spanish


def test_the_words_are_the_catalogues(client, shop):
    store, key = shop
    es = _texts(_ask("email", client, store, key, {"Accept-Language": "es"}))
    en = _texts(_ask("email", client, store, key, {"Accept-Language": "en"}))
    assert (es["fields.customer.email"], en["fields.customer.email"]) == (
        "no es un correo válido",
        "not a valid email address",
    )
    assert _texts(_ask("batch_empty", client, store, key, {"Accept-Language": "en"}))["fields.deliveries"] == (
        "at least 1 item"
    )


def test_a_reused_idempotency_key_speaks_the_clients_language(client, shop):
    _, key = shop
    answers = {}
    for lang in ("es", "en"):
        g.pop("_flask_babel", None)
        g.pop("locale", None)
        headers = {"Idempotency-Key": f"clave-{lang}", "Accept-Language": lang}
        assert _api(client, key, "deliveries", delivery_payload(), **headers).status_code == 201
        reused = _api(client, key, "deliveries", delivery_payload(), **headers)
        assert reused.status_code == 422
        answers[lang] = reused.get_json()["message"]
    assert answers["en"] == "this Idempotency-Key was used with another body"
    assert answers["es"] == "Esta Idempotency-Key ya se usó con otro cuerpo."
