"""Addresses and headers: an address plain SMTP cannot carry is refused at every intake path
with a field error (IDN domains become their ASCII form), and text shaped like an encoded
header never turns into a line break or a second recipient."""

import email
import json
from email import policy

import pytest
from sqlalchemy import func, select

from surveys.extensions import db
from surveys.models import Customer, Order, WebhookEvent
from surveys.services import mail
from surveys.worker import dispatch_once

from ..factories import delivery_payload, make_due, make_store, sample, shopify, woo

EVIL = "=?UTF-8?Q?Ana=0D=0ABcc:_robo@evil.test?="
EVIL_TITLE = "=?utf-8?q?Taza=0D=0ABcc:_otro@evil.test=0D=0A?="


@pytest.fixture
def smtp_app(app, smtp_sink):
    app.config.update(smtp_sink.config())
    return app


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def parsed(raw: str) -> email.message.EmailMessage:
    return email.message_from_string(raw, policy=policy.default)


def rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_name_and_a_product_title_shaped_like_encoded_headers_add_no_recipient(smtp_app, smtp_sink, client):
    store, key = make_store()
    payload = delivery_payload(email="ana@example.com", items=[{"sku": "T-1", "name": EVIL_TITLE}])
    payload["customer"]["name"] = EVIL
    assert client.post("/api/v1/deliveries", json=payload, headers=auth(key)).status_code == 201
    make_due(_invitation())
    assert dispatch_once()["delivered"] == 1
    [raw] = smtp_sink.raw
    msg = parsed(raw)
    assert msg.get_all("Bcc") is None and msg.get_all("Cc") is None
    assert [a.addr_spec for a in msg["To"].addresses] == ["ana@example.com"]
    assert msg["To"].addresses[0].display_name == EVIL  # shown exactly as given, not decoded
    assert msg["Subject"] == f"{EVIL}, ¿cómo llegó tu {EVIL_TITLE}?"
    assert "\r\n" not in str(msg["Subject"]) and "\n" not in msg["To"].addresses[0].display_name
    assert smtp_sink.envelopes[0][1] == ["ana@example.com"]
    headers = raw.split("\r\n\r\n", 1)[0]
    assert not any(line.lower().startswith(("bcc:", "cc:")) for line in headers.split("\r\n"))


def _invitation():
    from surveys.models import Invitation

    return db.session.scalar(select(Invitation))


def test_build_message_headers_come_out_of_the_stdlib_parser_as_given(app):
    raw = mail.build_message(
        sender="Barro & Co <hola@tienda.test>",
        to=(EVIL, "ana@exámple.com"),
        subject=f"Hola {EVIL} ¿qué tal?",
        text="hola",
        html="<p>hola</p>",
        message_id="<1@survey.test>",
        headers={"Reply-To": "Agente <agente@tienda.test>", "List-Unsubscribe": "<https://survey.test/u/abc>"},
    )
    msg = parsed(raw)
    assert msg.get_all("Bcc") is None and len(msg.get_all("To")) == 1
    assert [(a.display_name, a.addr_spec) for a in msg["To"].addresses] == [(EVIL, "ana@xn--exmple-qta.com")]
    assert [(a.display_name, a.addr_spec) for a in msg["From"].addresses] == [("Barro & Co", "hola@tienda.test")]
    assert msg["Subject"] == f"Hola {EVIL} ¿qué tal?"
    assert msg["List-Unsubscribe"] == "<https://survey.test/u/abc>"
    assert msg.get_body(("plain",)).get_content().strip() == "hola"
    with pytest.raises(ValueError):
        mail.build_message(
            sender="a@b.test", to=("", "josé@example.com"), subject="x", text="", html="", message_id="<2@x>"
        )
    with pytest.raises(ValueError):
        mail.build_message(
            sender="a@b.test",
            to=("Ana\r\nBcc: x@y.test", "a@b.test"),
            subject="x",
            text="",
            html="",
            message_id="<3@x>",
        )


def test_the_api_refuses_an_address_smtp_cannot_carry_and_keeps_an_idn_domain_in_ascii(smtp_app, smtp_sink, client):
    store, key = make_store()
    resp = client.post("/api/v1/deliveries", json=delivery_payload(email="josé@example.com"), headers=auth(key))
    body = resp.get_json()
    assert resp.status_code == 422 and set(body["fields"]) == {"customer.email"}
    assert "ASCII" in body["fields"]["customer.email"] and body["error"] and body["message"]
    assert rows(Order) == 0 and rows(Customer) == 0

    resp = client.post("/api/v1/deliveries", json=delivery_payload(email="Ana@Exámple.com"), headers=auth(key))
    assert resp.status_code == 201
    assert db.session.scalar(select(Customer.email)) == "ana@xn--exmple-qta.com"
    make_due(_invitation())
    assert dispatch_once()["delivered"] == 1
    assert smtp_sink.envelopes[0][1] == ["ana@xn--exmple-qta.com"]


def test_a_batch_refuses_only_the_item_with_such_an_address(client, app):
    store, key = make_store()
    items = [delivery_payload(email="ana@example.com"), delivery_payload(email="josé@example.com")]
    body = client.post("/api/v1/deliveries/batch", json={"deliveries": items}, headers=auth(key)).get_json()
    assert [r["status_code"] for r in body["results"]] == [201, 422]
    assert set(body["results"][1]["fields"]) == {"customer.email"}
    assert db.session.scalars(select(Customer.email)).all() == ["ana@example.com"]


def test_csv_import_rejects_the_line_with_such_an_address(runner, tmp_path, app):
    make_store(slug="csv-shop")
    path = tmp_path / "entregas.csv"
    path.write_text(
        "order_id,email,name,locale,delivered_at,sku,product_name\n"
        "C-1,ana@example.com,Ana,es,2026-11-28T10:00:00-06:00,T,Taza\n"
        "C-2,josé@example.com,José,es,2026-11-28T10:00:00-06:00,T,Taza\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["deliveries", "import", str(path), "--store", "csv-shop"])
    assert "created 1, duplicate 0, rejected 1" in result.output
    assert "line 3: rejected order C-2 (customer.email" in result.output
    assert db.session.scalars(select(Customer.email)).all() == ["ana@example.com"]


def test_signed_platform_webhooks_with_such_an_address_get_a_field_error_and_store_nothing(client, app):
    store = make_store(slug="barro")[0]
    body = json.loads(sample("shopify/fulfillment_delivered.json"))
    body["email"] = "josé.peña@example.com"
    resp = shopify(client, store, None, topic="fulfillments/update", raw=json.dumps(body).encode())
    assert resp.status_code == 422 and set(resp.get_json()["fields"]) == {"customer.email"}
    body = json.loads(sample("woocommerce/order_completed.json"))
    body["billing"]["email"] = "íñigo@example.com"
    resp = woo(client, store, None, raw=json.dumps(body).encode())
    assert resp.status_code == 422 and set(resp.get_json()["fields"]) == {"customer.email"}
    assert rows(WebhookEvent) == 0

    body["billing"]["email"] = "inigo@exámple.com"
    assert woo(client, store, None, raw=json.dumps(body).encode()).status_code == 200
    dispatch_once()
    assert db.session.scalars(select(Customer.email)).all() == ["inigo@xn--exmple-qta.com"]
