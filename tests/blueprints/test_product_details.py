"""Product details (page URL, image, GTIN, MPN, brand) arrive with deliveries through the API,
CSV, Shopify and WooCommerce, are kept on the product, checked as field errors, and reach JSON-LD."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from surveys.extensions import db
from surveys.models import Order, Product
from surveys.worker import dispatch_once

from ..factories import delivery_payload, make_store, shopify, woo

FULL = {
    "sku": "TAZA-01",
    "name": "Taza de barro",
    "url": "https://tienda.example/productos/taza-de-barro",
    "image_url": "https://cdn.tienda.example/taza.jpg?v=2",
    "gtin": "7501234567893",
    "mpn": "TB-350",
    "brand": "Barro & Co",
}


@pytest.fixture
def shop(app):
    return make_store(slug="barro")


def post(client, key, payload):
    headers = {"Authorization": f"Bearer {key}", "Accept-Language": "en"}
    return client.post("/api/v1/deliveries", json=payload, headers=headers)


def product(store, sku: str) -> Product:
    db.session.expire_all()
    return db.session.scalar(select(Product).where(Product.store_id == store.id, Product.sku == sku))


def details(p: Product) -> dict:
    return {f: getattr(p, f) for f in ("url", "image_url", "gtin", "mpn", "brand")}


def test_the_api_keeps_every_detail_and_a_later_delivery_without_them_keeps_them(client, shop):
    store, key = shop
    assert post(client, key, delivery_payload(items=[FULL])).status_code == 201
    assert details(product(store, "TAZA-01")) == {k: v for k, v in FULL.items() if k not in ("sku", "name")}
    assert post(client, key, delivery_payload(items=[{"sku": "TAZA-01", "name": "Taza de barro"}])).status_code == 201
    assert product(store, "TAZA-01").gtin == "7501234567893"
    newer = {"sku": "TAZA-01", "name": "Taza de barro", "gtin": "4006381333931", "brand": None}
    assert post(client, key, delivery_payload(items=[newer])).status_code == 201
    assert (product(store, "TAZA-01").gtin, product(store, "TAZA-01").brand) == ("4006381333931", "Barro & Co")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("url", "ftp://tienda.example/taza", "must be an http(s) URL"),
        ("url", "javascript:alert(1)", "must be an http(s) URL"),
        ("url", "https://", "must be an http(s) URL"),
        ("url", "https://tienda.example/ taza", "must be an http(s) URL"),
        ("url", "https://tienda.example/" + "a" * 2030, "at most 2048 characters"),
        ("image_url", "data:image/png;base64,AAAA", "must be an http(s) URL"),
        ("gtin", "12345", "must be a GTIN: 8, 12, 13 or 14 digits"),
        ("gtin", "750123456789X", "must be a GTIN: 8, 12, 13 or 14 digits"),
        ("gtin", "7501234567890", "the GTIN's check digit does not match"),
        ("gtin", 7501234567893, "must be string or null"),
        ("mpn", "TB\n350", "must be a single line"),
        ("brand", "B" * 71, "at most 70 characters"),
        ("brand", "", "required"),
    ],
)
def test_bad_details_are_field_errors_and_write_nothing(client, shop, field, value, message):
    store, key = shop
    resp = post(client, key, delivery_payload(items=[{**FULL, field: value}]))
    assert resp.status_code == 422
    assert resp.get_json()["fields"] == {f"items.0.{field}": message}
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    assert product(store, "TAZA-01") is None


def test_the_openapi_document_describes_the_details(client):
    item = client.get("/api/openapi.json").get_json()
    text = json.dumps(item)
    for name in ("gtin", "mpn", "brand", "image_url"):
        assert f'"{name}": {{' in text


def test_csv_columns_product_url_gtin_brand(runner, shop, tmp_path):
    store, _ = shop
    path = tmp_path / "entregas.csv"
    path.write_text(
        "order_id,email,name,locale,delivered_at,sku,product_name,product_url,gtin,brand,mpn\n"
        "A1,ana@example.com,Ana,es,2026-11-20T10:00:00-06:00,TAZA-01,Taza,https://t.example/taza,7501234567893,Barro,TB-1\n"
        "A1,ana@example.com,Ana,es,2026-11-20T10:00:00-06:00,PLATO-02,Plato,,,,\n"
        "A2,beto@example.com,Beto,es,2026-11-20T10:00:00-06:00,JARRO-03,Jarro,http://x,123,,\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["deliveries", "import", str(path), "--store", "barro"])
    assert "created 1, duplicate 0, rejected 1" in result.output
    assert "line 4: rejected order A2 (items.0.gtin: must be a GTIN" in result.output
    taza = product(store, "TAZA-01")
    assert (taza.url, taza.gtin, taza.brand, taza.mpn) == ("https://t.example/taza", "7501234567893", "Barro", "TB-1")
    assert details(product(store, "PLATO-02")) == dict.fromkeys(("url", "image_url", "gtin", "mpn", "brand"))
    assert product(store, "JARRO-03") is None


def test_platform_payloads_bring_their_details_and_a_bad_one_never_loses_the_delivery(client, shop):
    store, _ = shop
    assert shopify(client, store, "fulfillment_delivered.json", topic="fulfillments/update").status_code == 200
    assert woo(client, store, "order_completed.json").status_code == 200
    dispatch_once()
    assert product(store, "MANTEL-03").brand == "Telar Oaxaqueño"
    bolsa, vela = product(store, "BOLSA-06"), product(store, "VELA-05")
    assert (bolsa.gtin, bolsa.image_url) == (
        "7501234567893",
        "https://tienda.example/wp-content/uploads/2026/10/bolsa-palma.jpg",
    )
    assert (vela.gtin, vela.image_url) == (None, None)  # wrong check digit, a javascript: URL: left out
    assert db.session.scalar(select(func.count()).select_from(Order).where(Order.order_ref == "727")) == 1


def test_jsonld_carries_the_details(client, shop):
    store, key = shop
    post(client, key, delivery_payload(items=[FULL]))
    doc = json.loads(client.get(f"/widget/v1/{store.widget_key}/products/TAZA-01/jsonld").get_data(as_text=True))
    assert doc["url"] == FULL["url"] and doc["image"] == FULL["image_url"]
    assert doc["gtin13"] == "7501234567893" and doc["mpn"] == "TB-350"
    assert doc["brand"] == {"@type": "Brand", "name": "Barro & Co"}
