"""Google's product reviews feed over a live server: valid against schema 2.3 (an XSD written
from Google's documentation), published and deleted reviews, awkward text, a SKU-only product,
the secret key and its regeneration, and a 100,000-review store streamed in flat memory."""

from __future__ import annotations

import json
import tracemalloc
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import insert, select

from surveys.extensions import db
from surveys.models import AuditEntry, Product, Review, Store, utcnow
from surveys.services import feeds, privacy, reviews
from surveys.services.tenancy import create_staff_user

from ..factories import make_store, sent_invitation, survey_path
from ..live_server import LiveServer

XSD = etree.XMLSchema(etree.parse(str(Path(__file__).parents[1] / "data" / "google" / "product_reviews_2.3.xsd")))
TRICKY = 'Llegó "perfecta" & <b>rápida</b> — 10/10 ☕ ]]> \x07fin'
FULL_ITEM = {
    "sku": "TAZA-01",
    "name": "Taza <de> barro & café",
    "url": "https://tienda.example/taza?color=rojo&talla=m",
    "gtin": "7501234567893",
    "mpn": "TB-350",
    "brand": "Barro & Co",
}


def answer(client, store, item, rating, title=None, body="Muy buena, llegó bien", publish=True, email=None):
    invitation = sent_invitation(store, items=[item], email=email)
    sku = item["sku"]
    data = {"nps": "9", f"review-{sku}-rating": str(rating), f"review-{sku}-body": body or ""}
    if title:
        data[f"review-{sku}-title"] = title
    if publish:
        data[f"review-{sku}-publish"] = "1"
    path = survey_path(invitation)
    db.session.rollback()
    assert client.post(path, data=data).status_code == 200
    return db.session.scalar(select(Review).order_by(Review.id.desc()))


def fetch(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:  # noqa: S310  (loopback test server)
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def feed_url(api, key: str) -> str:
    return f"{api.url}/feeds/v1/{key}/google-product-reviews.xml"


@pytest.fixture
def store(app):
    return make_store(name="Barro & Co <Oaxaca>")[0]


def test_the_feed_is_valid_and_says_what_was_published_and_what_was_taken_down(client, store, make_app):
    full = answer(client, store, FULL_ITEM, 5, title="¡Preciosa!", body=TRICKY)
    reviews.moderate(full, "api", "publish")  # its markup waits for a person; published, it stays text
    db.session.commit()
    sku_only = answer(client, store, {"sku": "VELA-05", "name": "Vela"}, 2, body="Se rompió")
    rejected = answer(client, store, {"sku": "VELA-05", "name": "Vela"}, 4, body="Bonita pero tardó")
    erased = answer(client, store, {"sku": "VELA-05", "name": "Vela"}, 3, email="borrar@example.com")
    private = answer(client, store, {"sku": "VELA-05", "name": "Vela"}, 1, body="Solo para la tienda", publish=False)
    stars_only = answer(client, store, {"sku": "VELA-05", "name": "Vela"}, 5, body=None)
    admin = create_staff_user("admin@barro.test", store, "admin", "correct horse battery staple")
    reviews.moderate(db.session.get(Review, rejected.id), admin, "reject", "off_topic")
    db.session.commit()
    privacy.erase_customer(store, "borrar@example.com")
    db.session.commit()
    key = store.feed_key
    db.session.rollback()

    with LiveServer(make_app()) as api:
        status, headers, body = fetch(feed_url(api, key))
    assert status == 200 and headers["Content-Type"].startswith("application/xml")
    assert headers["Cache-Control"] == "no-store" and "Set-Cookie" not in headers
    doc = etree.fromstring(body)
    XSD.assertValid(doc)
    assert doc.findtext("version") == "2.3" and doc.findtext("publisher/name") == "Barro & Co <Oaxaca>"
    shown = {r.findtext("review_id"): r for r in doc.iterfind("reviews/review")}
    assert set(shown) == {str(full.id), str(sku_only.id)}  # no private, rejected, erased or text-less review
    first = shown[str(full.id)]
    assert first.findtext("content") == TRICKY.replace("\x07", "")  # the one character XML cannot carry
    assert first.findtext("title") == "¡Preciosa!" and first.findtext("reviewer/name") == "Ana L."
    assert first.find("ratings/overall").attrib == {"min": "1", "max": "5"}
    assert first.findtext("ratings/overall") == "5"
    assert first.findtext("collection_method") == "post_fulfillment"
    product = first.find("products/product")
    assert product.findtext("product_ids/gtins/gtin") == "7501234567893"
    assert product.findtext("product_ids/mpns/mpn") == "TB-350"
    assert product.findtext("product_ids/skus/sku") == "TAZA-01"
    assert product.findtext("product_ids/brands/brand") == "Barro & Co"
    assert product.findtext("product_name") == "Taza <de> barro & café"
    assert product.findtext("product_url") == FULL_ITEM["url"] == first.findtext("review_url")
    assert first.find("review_url").get("type") == "group"
    lone = shown[str(sku_only.id)].find("products/product")
    assert [e.tag for e in lone.find("product_ids")] == ["skus"]
    assert lone.findtext("product_url") == f"http://survey.test/widget/v1/{store.widget_key}/products/VELA-05/frame"
    deleted = {e.text for e in doc.iterfind("deleted_reviews/review_id")}
    assert deleted == {str(rejected.id), str(erased.id)}
    assert str(private.id) not in deleted and str(stars_only.id) not in shown


def test_only_the_secret_feed_key_opens_it_and_a_new_key_closes_the_old(client, store, make_app):
    answer(client, store, FULL_ITEM, 4)
    admin = create_staff_user("admin@barro.test", store, "admin", "correct horse battery staple")
    old, widget_key = store.feed_key, store.widget_key
    assert old != widget_key and len(old) >= 32
    db.session.commit()
    with LiveServer(make_app()) as api:
        assert fetch(feed_url(api, old))[0] == 200
        assert fetch(feed_url(api, widget_key))[0] == 404
        assert fetch(feed_url(api, "fk_" + "x" * 60))[0] == 404
        new = feeds.regenerate_feed_key(db.session.get(Store, store.id), db.session.merge(admin))
        db.session.commit()
        assert fetch(feed_url(api, old))[0] == 404
        status, _, body = fetch(feed_url(api, new))
        assert status == 200 and len(etree.fromstring(body).findall("reviews/review")) == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "feed_key_regenerated"))
    assert entry.store_id == store.id and new not in json.dumps(entry.details or {})


def test_admins_see_the_feed_address_and_regenerate_it_in_settings(make_app, store):
    create_staff_user("admin@barro.test", store, "admin", "correct horse battery staple")
    create_staff_user("agente@barro.test", store, "agent", "correct horse battery staple")
    old = store.feed_key
    db.session.commit()
    db.session.rollback()
    app = make_app()
    client = app.test_client()
    client.post("/staff/login", data={"email": "admin@barro.test", "password": "correct horse battery staple"})
    page = client.get("/staff/settings").get_data(as_text=True)
    assert f"http://survey.test/feeds/v1/{old}/google-product-reviews.xml" in page
    resp = client.post("/staff/settings/feed-key")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/staff/settings#feed")
    db.session.expire_all()
    new = db.session.get(Store, store.id).feed_key
    db.session.rollback()  # SQLite: hold no lock while the other app serves
    assert new != old and new in client.get("/staff/settings").get_data(as_text=True)
    agent = make_app().test_client()
    agent.post("/staff/login", data={"email": "agente@barro.test", "password": "correct horse battery staple"})
    assert agent.post("/staff/settings/feed-key").status_code == 404
    db.session.rollback()
    assert db.session.get(Store, store.id).feed_key == new


def test_store_create_prints_the_feed_key(runner):
    result = runner.invoke(args=["store", "create", "Barro", "--slug", "barro-feed", "--json"])
    out = json.loads(result.output)
    assert set(out) >= {"slug", "api_key", "webhook_secret", "widget_key", "feed_key"}
    assert out["feed_key"].startswith("fk_") and out["feed_key"] != out["widget_key"]


@pytest.mark.slow
def test_a_store_with_100000_reviews_streams_in_flat_memory(client, store, make_app):
    first = answer(client, store, FULL_ITEM, 5)  # one real response; the rest are bulk rows
    now = utcnow() - timedelta(days=1)
    n_reviews = 100_000
    db.session.execute(
        insert(Product), [{"store_id": store.id, "sku": f"SKU-{n}", "name": f"Producto {n}"} for n in range(n_reviews)]
    )
    ids = db.session.scalars(select(Product.id).where(Product.store_id == store.id, Product.sku.like("SKU-%"))).all()
    db.session.execute(
        insert(Review),
        [
            {
                "store_id": store.id,
                "product_id": product_id,
                "response_id": first.response_id,
                "rating": 1 + n % 5,
                "title": f"Reseña {n}",
                "body": f'Texto de la reseña número {n} con <marcas> & comillas "así"',
                "author": "Ana L.",
                "consent": True,
                "status": "published",
                "flags": [],
                "published_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for n, product_id in enumerate(ids)
        ],
    )
    db.session.commit()
    key = store.feed_key
    db.session.rollback()

    server_app = make_app()
    tracemalloc.start()  # traces the live server's thread too: the view, the generator, the rows
    try:
        with LiveServer(server_app) as api:
            count, size = 0, 0
            with urllib.request.urlopen(feed_url(api, key), timeout=600) as resp:  # noqa: S310
                for _, element in etree.iterparse(_Counting(resp), tag="review", huge_tree=True):
                    count += 1
                    element.clear()
                size = resp.length_read
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"feed: {count} reviews, {size / 1e6:.1f} MB streamed, peak traced Python memory {peak / 1e6:.2f} MB")
    assert count == n_reviews + 1
    assert size > 50_000_000 and peak < 12_000_000, (size, peak)  # tens of MB out, a few MB held


class _Counting:
    """A file-like wrapper that counts the bytes lxml reads from the response."""

    def __init__(self, resp):
        self.resp, resp.length_read = resp, 0

    def read(self, n=-1):
        data = self.resp.read(n)
        self.resp.length_read += len(data)
        return data
