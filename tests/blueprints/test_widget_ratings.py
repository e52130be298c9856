"""Star badges for product cards: many SKUs in one request, exact numbers, unknown SKUs absent,
bad queries refused with field errors, the same CORS and caching rules as reviews.json."""

from __future__ import annotations

import pytest

from surveys.extensions import db
from surveys.microcache import widget_cache

from ..factories import make_store, sent_invitation, survey_path


def review(client, store, sku: str, rating: int, publish: bool = True) -> None:
    invitation = sent_invitation(store, items=[{"sku": sku, "name": f"Producto {sku}"}])
    data = {"nps": "9", f"review-{sku}-rating": str(rating), f"review-{sku}-body": "Muy bonito, llegó bien"}
    if publish:
        data[f"review-{sku}-publish"] = "1"
    path = survey_path(invitation)
    db.session.rollback()
    assert client.post(path, data=data).status_code == 200


@pytest.fixture
def store(app):
    return make_store(name="Barro & Co")[0]


def ratings(store, skus) -> str:
    return f"/widget/v1/{store.widget_key}/ratings.json?skus=" + ",".join(skus)


def test_one_request_answers_many_skus_with_exact_numbers(client, store):
    for value in (5, 4, 4):
        review(client, store, "TAZA-01", value)
    review(client, store, "PLATO-02", 2)
    review(client, store, "PLATO-02", 5, publish=False)  # private: not counted
    sent_invitation(store, items=[{"sku": "VASO-03", "name": "Vaso"}])  # known, never reviewed
    many = ["TAZA-01", "PLATO-02", "VASO-03"] + [f"NO-EXISTE-{n}" for n in range(97)]
    resp = client.get(ratings(store, many))
    assert resp.status_code == 200
    assert resp.get_json() == {
        "TAZA-01": {"average": 4.3, "count": 3},
        "PLATO-02": {"average": 2.0, "count": 1},
        "VASO-03": {"average": None, "count": 0},
    }
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert resp.headers["Cache-Control"] == "public, max-age=60"
    assert "Set-Cookie" not in resp.headers and "Access-Control-Allow-Credentials" not in resp.headers


def test_another_stores_products_are_never_counted(client, store):
    other = make_store(name="Otra")[0]
    review(client, other, "TAZA-01", 1)
    assert client.get(ratings(store, ["TAZA-01"])).get_json() == {}
    assert client.get(ratings(other, ["TAZA-01"])).get_json() == {"TAZA-01": {"average": 1.0, "count": 1}}
    unknown = client.get("/widget/v1/wk_nadie/ratings.json?skus=TAZA-01")
    assert unknown.status_code == 404 and unknown.is_json


@pytest.mark.parametrize(
    "query",
    ["", "?skus=", "?skus=,,", "?skus=" + ",".join(f"S{n}" for n in range(101)), "?skus=" + "X" * 65],
)
def test_bad_sku_lists_get_a_422_with_the_field_like_any_bad_query(client, store, query):
    resp = client.get(f"/widget/v1/{store.widget_key}/ratings.json{query}")
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["error"] == "validation_failed" and set(body["fields"]) == {"skus"}
    assert resp.headers["Cache-Control"] == "no-store"


def test_etag_gives_304_until_one_of_the_products_changes(client, store):
    review(client, store, "TAZA-01", 5)
    review(client, store, "PLATO-02", 3)
    url = ratings(store, ["TAZA-01", "PLATO-02"])
    first = client.get(url)
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(ratings(store, ["TAZA-01"])).headers["ETag"] != etag  # another list, another tag
    review(client, store, "PLATO-02", 1)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["PLATO-02"] == {"average": 2.0, "count": 2}


def test_micro_cache_keeps_one_answer_per_sku_list(make_app, store):
    writer = make_app().test_client()
    client = make_app(WIDGET_CACHE_SECONDS=30).test_client()
    try:
        review(writer, store, "TAZA-01", 5)
        review(writer, store, "PLATO-02", 1)
        db.session.rollback()
        one, two = client.get(ratings(store, ["TAZA-01"])), client.get(ratings(store, ["PLATO-02"]))
        assert one.get_json() == {"TAZA-01": {"average": 5.0, "count": 1}}
        assert two.get_json() == {"PLATO-02": {"average": 1.0, "count": 1}}
        cached = client.get(ratings(store, ["PLATO-02"]))  # answered in front of Flask
        assert cached.get_json() == two.get_json() and cached.headers["Access-Control-Allow-Origin"] == "*"
        review(writer, store, "PLATO-02", 5)  # a change in this process empties the cache
        db.session.rollback()
        assert client.get(ratings(store, ["PLATO-02"])).get_json()["PLATO-02"]["count"] == 2
    finally:
        widget_cache.clear()
