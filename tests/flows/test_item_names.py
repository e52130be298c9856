"""The customer hears about the item by the name the shop sent with THEIR order (their language,
what they bought), not by the product's catalogue name, which stays the first one ever sent."""

from __future__ import annotations

import re
from datetime import timedelta
from email.utils import parseaddr
from html import unescape

import pytest
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Invitation, Product, Task, utcnow
from surveys.worker import dispatch_once

from ..factories import STAFF_PASSWORD, delivery_payload, make_due, make_store, staff_login, survey_path


@pytest.fixture
def shop(app, smtp_sink):
    from surveys.services.tenancy import create_staff_user

    app.config.update(smtp_sink.config())
    store, key = make_store(name="Barro & Co")
    create_staff_user("admin@barro.test", store, "admin", STAFF_PASSWORD)
    db.session.commit()
    return store, key


def _deliver(client, key, order_id, email, name, locale, item_name):
    payload = delivery_payload(
        order_id,
        customer={"email": email, "name": name, "locale": locale},
        items=[{"sku": "TAZA-01", "name": item_name}],
    )
    assert (
        client.post("/api/v1/deliveries", json=payload, headers={"Authorization": f"Bearer {key}"}).status_code == 201
    )
    return db.session.scalar(select(Invitation).order_by(Invitation.id.desc()))


def _mail_to(smtp_sink, address):
    [msg] = [m for m in smtp_sink.messages if parseaddr(m["To"])[1] == address]
    return msg


def _order_line(html: str) -> str:
    """The survey page's "Your order:" line, as text."""
    return unescape(re.search(r'<p class="muted">[^<]*:\s*([^<]*)</p>', html).group(1)).strip()


def test_an_english_order_is_surveyed_with_the_name_sent_with_it(client, shop, smtp_sink):
    store, key = shop
    spanish = _deliver(client, key, "W-1", "ana@example.com", "Ana López", "es-MX", "Taza de barro")
    english = _deliver(client, key, "W-2", "john@example.com", "John Smith", "en-US", "Mug")
    for invitation in (spanish, english):
        make_due(invitation)
    dispatch_once()

    assert db.session.scalar(select(Product.name)) == "Taza de barro"  # the catalogue keeps the first name
    john = _mail_to(smtp_sink, "john@example.com")
    assert john["Subject"] == "John, how did your Mug arrive?"
    assert "Your Mug from Barro & Co should have arrived" in john.get_body(("plain",)).get_content()
    assert _mail_to(smtp_sink, "ana@example.com")["Subject"] == "Ana, ¿cómo llegó tu Taza de barro?"

    page = client.get(survey_path(english)).get_data(as_text=True)
    assert _order_line(page) == "Mug"
    legends = re.findall(r"<legend[^>]*>([^<]*)</legend>", page)  # the questions, then one per product
    assert [x for x in legends if x in ("Mug", "Taza de barro")] == ["Mug"]
    assert _order_line(client.get(survey_path(spanish)).get_data(as_text=True)) == "Taza de barro"

    form = {"nps": "3", "review-TAZA-01-rating": "2", "review-TAZA-01-body": "Cracked"}
    thanks = client.post(survey_path(english), data=form).get_data(as_text=True)
    assert re.findall(r'data-review-status="\w+"><strong>([^<]*)</strong>', thanks) == ["Mug"]

    task = db.session.scalar(select(Task))
    staff_login(client, "admin@barro.test")
    task_page = client.get(f"/staff/tasks/{task.id}").get_data(as_text=True)
    draft = unescape(re.search(r'<textarea[^>]*id="reply-body"[^>]*>(.*?)</textarea>', task_page, re.S).group(1))
    assert "Mug" in draft and "Taza de barro" not in draft


def test_an_item_sent_without_a_name_of_its_own_is_called_by_the_catalogue_name(
    client, runner, shop, smtp_sink, tmp_path
):
    store, key = shop
    _deliver(client, key, "W-1", "ana@example.com", "Ana López", "es-MX", "Taza de barro")
    csv = tmp_path / "entregas.csv"
    delivered = (utcnow() - timedelta(days=2)).isoformat()
    csv.write_text(
        "order_id,email,name,locale,delivered_at,sku,product_name\n"
        f"W-3,luis@example.com,Luis Pérez,es-MX,{delivered},TAZA-01,\n"
    )
    assert runner.invoke(args=["deliveries", "import", str(csv), "--store", store.slug]).exit_code == 0
    luis = db.session.scalar(select(Invitation).order_by(Invitation.id.desc()))
    make_due(luis)
    dispatch_once()
    assert _mail_to(smtp_sink, "luis@example.com")["Subject"] == "Luis, ¿cómo llegó tu Taza de barro?"  # not TAZA-01
    assert _order_line(client.get(survey_path(luis)).get_data(as_text=True)) == "Taza de barro"
