"""The storefront widget's HTTP side: exact JSON fields, CORS without credentials, ETag/304 and
invalidation, store isolation, JSON-LD equal to the JSON, framing rules, no cookies."""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import column, literal, select, table

from surveys.extensions import db
from surveys.models import Review
from surveys.services import reviews
from surveys.services.tenancy import create_staff_user

from ..factories import make_store, sent_invitation, survey_path

ITEMS = [{"sku": "TAZA-01", "name": "Taza de barro"}]
REVIEW_FIELDS = {"id", "rating", "title", "body", "author", "verified", "created_at", "reply", "photos"}


def write_review(client, store, rating, body="Muy bonita y bien empacada", publish=True, nps=9):
    invitation = sent_invitation(store, items=ITEMS)
    data = {"nps": str(nps), "review-TAZA-01-rating": str(rating), "review-TAZA-01-body": body}
    if publish:
        data["review-TAZA-01-publish"] = "1"
    path = survey_path(invitation)
    db.session.rollback()  # SQLite: no open transaction here while another app may write
    assert client.post(path, data=data).status_code == 200
    return db.session.query(Review).order_by(Review.id.desc()).first()


@pytest.fixture
def store(app):
    return make_store(name="Barro & Co")[0]


def url(store, what="reviews.json", sku="TAZA-01"):
    return f"/widget/v1/{store.widget_key}/products/{sku}/{what}"


def test_json_has_exactly_the_contract_fields_and_only_published_reviews(client, store):
    write_review(client, store, 5)
    write_review(client, store, 4, body="Sin permiso", publish=False)
    write_review(client, store, 2, body="Escríbeme a ana@gmail.com")  # flagged: pending
    resp = client.get(url(store))
    data = resp.get_json()
    assert resp.status_code == 200
    assert set(data) == {"product", "rating", "reviews", "page", "pages"}
    assert set(data["product"]) == {"sku", "name"} and set(data["rating"]) == {"average", "count", "distribution"}
    assert data["rating"] == {"average": 5.0, "count": 1, "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}}
    [review] = data["reviews"]
    assert set(review) == REVIEW_FIELDS
    assert review["verified"] is True and review["author"] == "Ana L."
    assert "ana@gmail.com" not in resp.get_data(as_text=True) and "Sin permiso" not in resp.get_data(as_text=True)


def test_cors_for_any_origin_without_credentials_and_no_cookies(client, store):
    write_review(client, store, 5)
    resp = client.get(url(store), headers={"Origin": "https://tienda.example"})
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in resp.headers
    assert "Set-Cookie" not in resp.headers
    assert resp.headers["Cache-Control"] == "public, max-age=60"
    pre = client.options(url(store), headers={"Origin": "https://x.example", "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 200 and pre.headers["Access-Control-Allow-Origin"] == "*"  # no preflight is needed
    missing = client.get(url(store, sku="NO-EXISTE"))
    assert missing.status_code == 404 and missing.is_json and missing.headers["Access-Control-Allow-Origin"] == "*"


def test_etag_304_and_invalidation_when_a_review_or_reply_changes(client, store):
    first = write_review(client, store, 5)
    resp = client.get(url(store))
    etag = resp.headers["ETag"]
    again = client.get(url(store), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    write_review(client, store, 3)  # a new published review
    changed = client.get(url(store), headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["rating"]["count"] == 2
    etag = changed.headers["ETag"]
    admin = create_staff_user("admin@barro.test", store, "admin", "correct horse battery staple")
    reviews.set_reply(db.session.get(Review, first.id), admin, "¡Gracias!")
    db.session.commit()
    replied = client.get(url(store), headers={"If-None-Match": etag})
    assert replied.status_code == 200
    assert any(r["reply"] and r["reply"]["body"] == "¡Gracias!" for r in replied.get_json()["reviews"])
    # each page has its own tag
    assert client.get(url(store) + "?per_page=1&page=2").headers["ETag"] != replied.headers["ETag"]


def test_paging_is_capped_and_bad_queries_get_json_errors(client, store):
    for n in range(3):
        write_review(client, store, 5 - n)
    data = client.get(url(store) + "?per_page=2&page=2").get_json()
    assert (data["page"], data["pages"], len(data["reviews"])) == (2, 2, 1)
    assert len(client.get(url(store) + "?per_page=50").get_json()["reviews"]) == 3
    for bad in ("?page=0", "?page=abc", "?per_page=-1", "?per_page=0", "?per_page=51", "?per_page=100000"):
        resp = client.get(url(store) + bad + "&lang=en")
        body = resp.get_json()
        assert (resp.status_code, body["error"], len(body["fields"])) == (422, "validation_failed", 1), bad
    too_many = client.get(url(store) + "?per_page=1000&lang=en").get_json()["fields"]
    assert too_many == {"per_page": "from 1 to 50"}


def test_keys_are_isolated_between_stores(client, store):
    other = make_store(name="Otra")[0]
    write_review(client, store, 1, body="Solo de Barro")
    assert client.get(url(other)).status_code == 404  # the other store has no such product
    write_review(client, other, 5, body="Solo de Otra")
    mine, theirs = client.get(url(store)).get_json(), client.get(url(other)).get_json()
    assert [r["body"] for r in mine["reviews"]] == ["Solo de Barro"]
    assert [r["body"] for r in theirs["reviews"]] == ["Solo de Otra"]
    assert client.get("/widget/v1/wk_unknown/products/TAZA-01/reviews.json").status_code == 404


def test_jsonld_numbers_equal_the_json_numbers(client, store):
    for rating in (5, 4, 4, 2, 5, 3):
        write_review(client, store, rating)
    data = client.get(url(store)).get_json()
    resp = client.get(url(store, "jsonld"))
    assert resp.mimetype == "application/ld+json"
    doc = json.loads(resp.get_data(as_text=True))
    assert doc["@type"] == "Product" and doc["@type"] not in ("Organization", "LocalBusiness")
    assert doc["sku"] == data["product"]["sku"] and doc["name"] == data["product"]["name"]
    assert doc["aggregateRating"]["ratingValue"] == data["rating"]["average"] == 3.8
    assert doc["aggregateRating"]["reviewCount"] == data["rating"]["count"] == 6
    assert [r["reviewRating"]["ratingValue"] for r in doc["review"]] == [r["rating"] for r in data["reviews"][:5]]
    empty = make_store(name="Sin reseñas")[0]
    sent_invitation(empty, items=ITEMS)
    assert "aggregateRating" not in client.get(url(empty, "jsonld")).get_json(force=True)


def test_frame_may_be_framed_only_by_the_stores_origins_and_other_pages_never(client, store):
    write_review(client, store, 5)
    resp = client.get(url(store, "frame") + "?lang=en")
    assert resp.status_code == 200 and "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    store.widget_origins = ["https://tienda.example", "https://www.tienda.example"]
    db.session.commit()
    resp = client.get(url(store, "frame") + "?lang=en")
    csp = resp.headers["Content-Security-Policy"]
    assert "frame-ancestors https://tienda.example https://www.tienda.example" in csp
    assert "X-Frame-Options" not in resp.headers and 'lang="en"' in resp.get_data(as_text=True)
    for path in ("/healthz", survey_path(sent_invitation(store, items=ITEMS)), "/staff/login"):
        other = client.get(path)
        assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"], path
        assert other.headers["X-Frame-Options"] == "DENY", path


def test_embed_script_is_small_public_and_cacheable(client):
    resp = client.get("/widget/v1/embed.js")
    assert resp.status_code == 200 and resp.mimetype == "text/javascript"
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert len(resp.data) < 24_000 and len(gzip.compress(resp.data)) < 8_000
    body = resp.get_data(as_text=True)
    assert "innerHTML" not in body and "insertAdjacentHTML" not in body  # review text only via text nodes
    resp.close()


def test_embed_script_carries_the_widgets_words_from_the_catalogues_and_revalidates(client):
    resp = client.get("/widget/v1/embed.js")
    body = resp.get_data(as_text=True)
    table = json.loads(re.search(r"var T = (\{.*?\});\n", body).group(1))
    assert set(table) == {"es", "en"} and table["es"].keys() == table["en"].keys()
    assert table["es"]["reviews"] == ["reseña", "reseñas"] and table["en"]["reviews"] == ["review", "reviews"]
    assert table["es"]["prev"] == "Anteriores" and table["es"]["sorts"]["lowest"] == "Peor calificadas"
    assert table["es"]["bar"] == ["{s} estrella: {c}. Ver solo estas", "{s} estrellas: {c}. Ver solo estas"]
    assert table["es"]["only"] == ["Reseñas de {s} estrella. ", "Reseñas de {s} estrellas. "]
    assert table["en"]["bar"] == ["{s} star: {c}. Show only these", "{s} stars: {c}. Show only these"]
    leaves = lambda t: [v for k in sorted(t) for v in (leaves(t[k]) if isinstance(t[k], dict) else [t[k]])]  # noqa: E731
    assert all(es != en for es, en in zip(leaves(table["es"]), leaves(table["en"]), strict=True))
    static = (Path(__file__).resolve().parents[2] / "surveys" / "static" / "widget" / "embed.js").read_text()
    assert "var T = {/* strings */};" in static and "reseña" not in static  # no words written in the script
    assert resp.headers["Cache-Control"] == "public, max-age=300" and resp.headers["ETag"]
    again = client.get("/widget/v1/embed.js", headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_disclosure_page_in_both_languages(client, store):
    es = client.get(f"/widget/v1/{store.widget_key}/policy?lang=es").get_data(as_text=True)
    en = client.get(f"/widget/v1/{store.widget_key}/policy?lang=en").get_data(as_text=True)
    assert "compra verificada" in es and "nunca decide si una reseña aparece" in es
    assert "verified purchase" in en and "never decides whether a review appears" in en
    assert client.get("/widget/v1/wk_nope/policy").status_code == 404


def test_demo_storefront_only_in_development(make_app):
    prod = make_app(ENV="production", SECRET_KEY="x" * 40)
    assert "demo.storefront" not in {r.endpoint for r in prod.url_map.iter_rules()}
    dev = make_app()
    assert "demo.storefront" in {r.endpoint for r in dev.url_map.iter_rules()}


def test_micro_cache_answers_like_flask_and_forgets_on_a_change(make_app, store):
    from surveys.microcache import widget_cache

    writer = make_app().test_client()
    client = make_app(WIDGET_CACHE_SECONDS=30).test_client()
    try:
        write_review(writer, store, 5)
        db.session.rollback()  # SQLite: let the other app write
        first = client.get(url(store))
        etag = first.headers["ETag"]
        assert widget_cache.get((url(store), "")) is not None
        again = client.get(url(store))  # answered before Flask: same body and public headers
        assert again.data == first.data and again.headers["ETag"] == etag
        for name in ("Access-Control-Allow-Origin", "Cache-Control", "X-Content-Type-Options"):
            assert again.headers[name] == first.headers[name]
        assert "Set-Cookie" not in again.headers
        not_modified = client.get(url(store), headers={"If-None-Match": etag})
        assert not_modified.status_code == 304 and not_modified.headers["ETag"] == etag
        write_review(writer, store, 1)  # a change in this process empties the cache at once
        db.session.rollback()
        fresh = client.get(url(store), headers={"If-None-Match": etag})
        assert fresh.status_code == 200 and fresh.get_json()["rating"]["count"] == 2
    finally:
        widget_cache.clear()


def test_rating_filter_and_sort_choose_and_order_the_reviews(client, store):
    for rating in (3, 5, 1, 5, 4, 5):
        write_review(client, store, rating)
    only_fives = client.get(url(store) + "?rating=5&per_page=2").get_json()
    assert [r["rating"] for r in only_fives["reviews"]] == [5, 5] and only_fives["pages"] == 2
    assert only_fives["rating"]["count"] == 6  # the summary stays the product's
    assert client.get(url(store) + "?rating=2").get_json()["reviews"] == []
    ids = [r["id"] for r in client.get(url(store)).get_json()["reviews"]]
    assert ids == sorted(ids, reverse=True)  # newest first by default
    highest = client.get(url(store) + "?sort=highest").get_json()["reviews"]
    lowest = client.get(url(store) + "?sort=lowest").get_json()["reviews"]
    assert [r["rating"] for r in highest] == [5, 5, 5, 4, 3, 1]
    assert [r["rating"] for r in lowest] == [1, 3, 4, 5, 5, 5]
    assert [r["id"] for r in highest[:3]] == sorted((r["id"] for r in highest[:3]), reverse=True)
    fours = client.get(url(store) + "?rating=4&sort=lowest").get_json()
    assert [r["rating"] for r in fours["reviews"]] == [4] and fours["pages"] == 1


def test_each_filter_and_sort_has_its_own_etag(client, store):
    write_review(client, store, 5)
    write_review(client, store, 2)
    tags = {client.get(url(store) + q).headers["ETag"] for q in ("", "?rating=5", "?rating=2", "?sort=lowest")}
    assert len(tags) == 4
    tag = client.get(url(store) + "?rating=2").headers["ETag"]
    assert client.get(url(store) + "?rating=2", headers={"If-None-Match": tag}).status_code == 304
    assert client.get(url(store) + "?rating=5", headers={"If-None-Match": tag}).status_code == 200


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("?rating=0", {"rating"}),
        ("?rating=6", {"rating"}),
        ("?rating=cinco", {"rating"}),
        ("?sort=random", {"sort"}),
        ("?rating=9&sort=oldest", {"rating", "sort"}),
    ],
)
def test_bad_filter_or_sort_gets_the_same_422_as_bad_paging_naming_the_field(client, store, query, fields):
    write_review(client, store, 5)
    resp = client.get(url(store) + query)
    body = resp.get_json()
    assert (resp.status_code, body["error"], set(body["fields"])) == (422, "validation_failed", fields)
    assert resp.headers["Cache-Control"] == "no-store"


def test_micro_cache_keeps_one_answer_per_filter_and_sort(make_app, store):
    from surveys.microcache import widget_cache

    writer = make_app().test_client()
    client = make_app(WIDGET_CACHE_SECONDS=30).test_client()
    try:
        write_review(writer, store, 5)
        write_review(writer, store, 1)
        db.session.rollback()
        for _ in range(2):  # the second round is answered in front of Flask
            fives = client.get(url(store) + "?rating=5").get_json()["reviews"]
            ones = client.get(url(store) + "?rating=1").get_json()["reviews"]
            lowest = client.get(url(store) + "?sort=lowest").get_json()["reviews"]
            assert ([r["rating"] for r in fives], [r["rating"] for r in ones]) == ([5], [1])
            assert [r["rating"] for r in lowest] == [1, 5]
        assert widget_cache.get((url(store), "rating=5")) is not None
    finally:
        widget_cache.clear()


@pytest.mark.parametrize(
    ("lang", "message"), [("es", "La consulta tiene valores no válidos."), ("en", "The query has invalid values.")]
)
def test_a_query_error_speaks_the_widgets_language_only(client, store, lang, message):
    english = client.get(url(store) + "?page=0&lang=en").get_json()["fields"]["page"]
    resp = client.get(url(store) + f"?page=0&lang={lang}", headers={"Accept-Language": "en" if lang == "es" else "es"})
    body = resp.get_json()
    assert resp.status_code == 422 and body["message"] == message
    assert (body["fields"]["page"] == english) == (lang == "en")


def test_no_widget_route_declares_a_rate_limit_the_limiters_filter_would_skip(app):
    """The widget skips Flask-Limiter's per-request resolution (widget._not_counted): a limit
    declared on one of its routes would silently not count, so there must be none."""
    from flask_limiter.util import get_qualified_name

    from surveys.extensions import limiter

    views = {name: fn for name, fn in app.view_functions.items() if name.startswith("widget.")}
    assert len(views) >= 5
    declared = {name for name, fn in views.items() if limiter.limit_manager.decorated_limits(get_qualified_name(fn))}
    assert declared == set()


def test_a_nameless_buyers_review_stores_no_name_and_each_viewer_reads_the_fallback_in_their_language(client, store):
    nameless = {"email": "sin-nombre@example.com", "locale": "en"}
    invitation = sent_invitation(store, items=ITEMS, customer=nameless)
    form = client.get(survey_path(invitation)).get_data(as_text=True)
    assert re.search(r'id="display_name" name="display_name" maxlength="40" value=""', form)
    data = {"nps": "9", "review-TAZA-01-rating": "4", "review-TAZA-01-body": "Great mug", "review-TAZA-01-publish": "1"}
    assert client.post(survey_path(invitation), data=data).status_code == 200
    # a form shown before the change still carries the old fallback: it is not a name either
    older = sent_invitation(store, items=ITEMS, customer={**nameless, "email": "otro@example.com", "locale": "es"})
    assert client.post(survey_path(older), data={**data, "display_name": "Comprador verificado"}).status_code == 200
    assert [r.author for r in db.session.query(Review).order_by(Review.id)] == ["", ""]
    for lang, fallback in (("es", "Cliente"), ("en", "Customer")):
        shown = client.get(url(store) + f"?lang={lang}").get_json()["reviews"]
        assert [(r["author"], r["verified"]) for r in shown] == [(fallback, True)] * 2
        ld = client.get(url(store, "jsonld") + f"?lang={lang}").get_json()
        assert [r["author"] for r in ld["review"]] == [{"@type": "Person", "name": fallback}] * 2
    assert client.get(url(store) + "?lang=es").headers["ETag"] != client.get(url(store) + "?lang=en").headers["ETag"]
    assert client.get(url(store, "jsonld")).get_json()["review"][0]["author"]["name"] == "Cliente"


def test_the_migration_clears_a_stored_fallback_author_and_leaves_real_names(client, store):
    import importlib.util

    from flask_migrate import downgrade, upgrade

    path = Path(__file__).resolve().parents[2] / "migrations/versions/d7a4e2c9b1f3_reviews_store_no_fallback_author.py"
    spec = importlib.util.spec_from_file_location("fallback_author", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for name in ("Comprador verificado", "Verified buyer", "Ana L."):
        write_review(client, store, 5).author = name
    db.session.commit()
    reviews_url = url(store) + "?lang=en"
    db.session.remove()
    downgrade(revision=migration.down_revision)
    upgrade()
    assert [r.author for r in db.session.query(Review).order_by(Review.id)] == ["", "", "Ana L."]
    assert [r["author"] for r in client.get(reviews_url).get_json()["reviews"]] == [
        "Ana L.",
        "Customer",
        "Customer",
    ]


def test_a_sku_with_a_slash_has_its_reviews_jsonld_and_frame_and_a_widget_404_stays_readable(client, store):
    invitation = sent_invitation(store, items=[{"sku": "CAMISA/M", "name": "Camisa M"}])
    data = {
        "nps": "9",
        "review-CAMISA/M-rating": "4",
        "review-CAMISA/M-body": "Buena tela",
        "review-CAMISA/M-publish": "1",
    }
    assert client.post(survey_path(invitation), data=data).status_code == 200
    for sku in ("CAMISA/M", "CAMISA%2FM"):
        body = client.get(url(store, sku=sku)).get_json()
        assert (body["product"]["sku"], body["rating"]["count"], [r["body"] for r in body["reviews"]]) == (
            "CAMISA/M",
            1,
            ["Buena tela"],
        )
        ld = client.get(url(store, "jsonld", sku=sku)).get_json()
        assert (ld["sku"], ld["aggregateRating"]["reviewCount"]) == ("CAMISA/M", 1)
        assert client.get(url(store, "frame", sku=sku)).status_code == 200
    write_review(client, store, 5)
    assert client.get(url(store)).get_json()["rating"]["count"] == 1  # a plain SKU as before
    for missing in (url(store, sku="NADA/X"), f"/widget/v1/{store.widget_key}/products/", "/widget/v1/x/nada"):
        resp = client.get(missing)
        assert (resp.status_code, resp.headers.get("Access-Control-Allow-Origin")) == (404, "*"), missing


def test_a_weak_or_listed_etag_gets_the_304_as_if_none_match_compares_weakly(client, store):
    write_review(client, store, 5)
    etag = client.get(url(store)).headers["ETag"]  # '"..."'
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        resp = client.get(url(store), headers={"If-None-Match": header})
        assert (resp.status_code, resp.headers["ETag"]) == (304, etag), header
    assert client.get(url(store), headers={"If-None-Match": '"other"'}).status_code == 200


def test_the_widgets_reads_take_no_transaction_and_hand_back_a_transactional_connection(app):
    from surveys.services.widget_read import Reads

    with Reads() as reads:
        dbapi = reads._fairy.dbapi_connection
        assert reads.first(select(literal(1)), {}) == (1,)
        if db.engine.dialect.name == "sqlite":
            assert dbapi.in_transaction is False  # no BEGIN: a plain read takes no lock
        else:
            assert dbapi.autocommit is True  # no BEGIN and no ROLLBACK round trips
    if db.engine.dialect.name != "sqlite":
        assert dbapi.autocommit is False  # the pool's next user gets transactions as before


def test_a_driver_error_in_the_widgets_read_is_sqlalchemys_and_a_busy_sqlite_is_a_readable_503(
    client, store, monkeypatch
):
    from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

    from surveys.services import widget_read

    missing = select(column("x")).select_from(table("no_such_table"))
    with widget_read.Reads() as reads:
        with pytest.raises(DBAPIError) as caught:
            reads.rows(missing, {})
        expected = OperationalError if db.engine.dialect.name == "sqlite" else ProgrammingError
        assert type(caught.value) is expected  # as SQLAlchemy's own execution raises it
        assert reads.first(select(literal(1)), {}) == (1,)  # the connection is still usable

    def locked(self, statement, params):  # a database busy past its wait, as the driver says it
        raise OperationalError("SELECT", params, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(widget_read.Reads, "rows", locked)
    resp = client.get(url(store))
    assert (resp.status_code, resp.get_json()["error"]) == (503, "unavailable")
    assert resp.headers["Access-Control-Allow-Origin"] == "*" and resp.headers["Retry-After"] == "5"
