"""Reviews: collection on the survey form, rating-neutral moderation, consent, replies, the log,
the API, recovery for negative reviews, erasure."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from surveys.extensions import db
from surveys.models import AuditEntry, ProductRating, Review, Task
from surveys.services import audit
from surveys.services.privacy import erase_customer
from surveys.services.tenancy import create_staff_user

from ..factories import make_store, sent_invitation, survey_path

PASSWORD = "correct horse battery staple"
ITEMS = [{"sku": "TAZA-01", "name": "Taza de barro"}, {"sku": "JARRO-02", "name": "Jarro de talavera"}]


@pytest.fixture
def shop(app):
    store, key = make_store(name="Barro & Co")
    create_staff_user("admin@barro.test", store, "admin", PASSWORD)
    db.session.commit()
    return store, key


def answer(client, invitation, nps=9, **fields):
    data = {"nps": str(nps), "comment": ""}
    data.update(fields)
    return client.post(survey_path(invitation), data=data)


def review_fields(sku="TAZA-01", rating=5, title="Muy bonita", body="Llegó bien empacada.", publish=True):
    out = {f"review-{sku}-rating": str(rating), f"review-{sku}-title": title, f"review-{sku}-body": body}
    if publish:
        out[f"review-{sku}-publish"] = "1"
    return out


def reviews_of(store) -> list[Review]:
    return db.session.scalars(select(Review).where(Review.store_id == store.id).order_by(Review.id)).all()


def test_the_form_offers_stars_title_body_consent_and_name_for_each_item_whatever_the_score(client, shop):
    store, _ = shop
    invitation = sent_invitation(store, items=ITEMS)
    for score in (0, 10):  # detractor or promoter: the same offer
        html = client.get(survey_path(invitation, score)).get_data(as_text=True)
        for sku in ("TAZA-01", "JARRO-02"):
            for field in ("rating", "title", "body", "publish"):
                assert f'name="review-{sku}-{field}"' in html
        assert 'name="display_name"' in html and 'value="Ana L."' in html
        assert "Reseña lo que compraste" in html


def test_a_review_is_saved_analysed_published_and_counted(client, shop):
    store, _ = shop
    invitation = sent_invitation(store, items=ITEMS)
    resp = answer(client, invitation, **review_fields(body="Excelente calidad, llegó rapidísimo."))
    assert resp.status_code == 200
    [review] = reviews_of(store)
    assert (review.rating, review.status, review.author, review.consent) == (5, "published", "Ana L.", True)
    assert review.language == "es" and review.sentiment_label == "positive"
    assert review.product.sku == "TAZA-01"
    rating = db.session.get(ProductRating, review.product_id)
    assert (rating.count, rating.total, rating.distribution["5"]) == (1, 5, 1)


def test_editing_within_the_window_updates_the_review_never_duplicates(client, shop):
    store, _ = shop
    invitation = sent_invitation(store, items=ITEMS)
    answer(client, invitation, **review_fields(rating=5, title="Bien"))
    answer(client, invitation, **review_fields(rating=3, title="Regular al final"))
    [review] = reviews_of(store)
    assert (review.rating, review.title) == (3, "Regular al final")
    rating = db.session.get(ProductRating, review.product_id)
    assert (rating.count, rating.total) == (1, 3)
    html = client.get(survey_path(invitation)).get_data(as_text=True)
    assert 'name="review-TAZA-01-rating" value="3" checked' in html and "Regular al final" in html


def test_without_consent_a_review_is_never_public(client, shop):
    store, key = shop
    invitation = sent_invitation(store, items=ITEMS)
    answer(client, invitation, **review_fields(publish=False))
    [review] = reviews_of(store)
    assert review.status == "private"
    api = {"Authorization": f"Bearer {key}"}
    resp = client.post(f"/api/v1/reviews/{review.id}/moderation", json={"action": "publish"}, headers=api)
    assert resp.status_code == 422 and resp.get_json()["fields"] == {"action": "no_consent"}
    assert db.session.get(Review, review.id).status == "private"
    data = client.get(f"/widget/v1/{store.widget_key}/products/TAZA-01/reviews.json").get_json()
    assert data["rating"]["count"] == 0 and data["reviews"] == []
    # withdrawing consent later takes a published review down
    other = sent_invitation(store, items=ITEMS)
    answer(client, other, **review_fields(title="Primero sí"))
    assert client.get(f"/widget/v1/{store.widget_key}/products/TAZA-01/reviews.json").get_json()["rating"]["count"] == 1
    answer(client, other, **review_fields(title="Primero sí", publish=False))
    data = client.get(f"/widget/v1/{store.widget_key}/products/TAZA-01/reviews.json").get_json()
    assert data["rating"]["count"] == 0 and data["reviews"] == []


@pytest.mark.parametrize(
    "text, flag",
    [
        ("Excelente taza pero son unos pendejos en atención", "abuse"),
        ("Si quieres una igual escríbeme al 55 1234 5678", "personal_data"),
        ("Great mug, write me at ana.lopez@gmail.com", "personal_data"),
        ("Mejor cómprala en www.otra-tienda.com.mx", "link"),
        ("Las elecciones del domingo van a cambiar todo en este país", "off_topic"),
        ("Buena calidad y llegó rápido", None),
    ],
)
def test_moderation_is_rating_neutral_one_star_and_five_stars_take_the_same_path(client, shop, text, flag):
    store, _ = shop
    outcomes = []
    for stars in (1, 5):
        invitation = sent_invitation(store, items=ITEMS)
        answer(client, invitation, nps=5 if stars == 1 else 10, **review_fields(rating=stars, title="", body=text))
        review = reviews_of(store)[-1]
        outcomes.append((review.status, review.flags))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0] == (("pending", [flag]) if flag else ("published", []))


def test_with_auto_publish_off_every_review_waits_whatever_the_rating(client, shop):
    store, _ = shop
    store.reviews_auto_publish = False
    db.session.commit()
    for stars in (1, 5):
        answer(client, sent_invitation(store, items=ITEMS), **review_fields(rating=stars, body="Todo bien"))
    assert [r.status for r in reviews_of(store)] == ["pending", "pending"]


def test_a_negative_review_opens_a_recovery_task_even_from_a_promoter(client, shop):
    store, _ = shop
    invitation = sent_invitation(store, items=ITEMS)
    answer(client, invitation, nps=9, **review_fields(rating=1, title="Llegó rota", body="La taza llegó rota."))
    task = db.session.scalar(select(Task).where(Task.store_id == store.id))
    assert task is not None and task.reason == "negative_review"
    assert reviews_of(store)[0].status == "published"  # recovery in addition to publication, never instead


def test_bad_review_input_gets_field_errors_and_saves_nothing(client, shop):
    store, _ = shop
    invitation = sent_invitation(store, items=ITEMS)
    resp = answer(client, invitation, **{"review-TAZA-01-title": "Sin estrellas", "review-TAZA-01-body": "x"})
    assert resp.status_code == 422
    assert "Elige de 1 a 5 estrellas para este producto." in resp.get_data(as_text=True)
    resp = answer(client, invitation, **review_fields(rating=9))
    assert resp.status_code == 422
    resp = answer(client, invitation, **review_fields(body="x" * 5001))
    assert resp.status_code == 422 and "demasiado largo" in resp.get_data(as_text=True)
    assert reviews_of(store) == []
    # a SKU that is not in the order cannot be reviewed
    answer(client, invitation, **review_fields(sku="OTRO-99"))
    assert reviews_of(store) == []


def test_staff_publish_reject_reply_and_the_moderation_log(client, shop):
    store, _ = shop
    answer(client, sent_invitation(store, items=ITEMS), **review_fields(rating=2, body="Mi cel 55 1234 5678"))
    [review] = reviews_of(store)
    assert review.status == "pending" and review.flags == ["personal_data"]
    client.post("/staff/login", data={"email": "admin@barro.test", "password": PASSWORD})
    page = client.get("/staff/reviews").get_data(as_text=True)
    assert "Mi cel 55 1234 5678" in page and "Datos personales" in page
    resp = client.post(f"/staff/reviews/{review.id}/reject", data={"reason": "nonsense"})
    assert db.session.get(Review, review.id).status == "pending"  # invalid reason: nothing changes
    client.post(f"/staff/reviews/{review.id}/reject", data={"reason": "personal_data", "note": "teléfono"})
    db.session.expire_all()
    assert (review.status, review.reject_reason) == ("rejected", "personal_data")
    client.post(f"/staff/reviews/{review.id}/publish", data={})
    client.post(f"/staff/reviews/{review.id}/reply", data={"reply": "¡Gracias! Te escribimos por correo."})
    db.session.expire_all()
    assert review.status == "published" and review.reply_body == "¡Gracias! Te escribimos por correo."
    widget = client.get(f"/widget/v1/{store.widget_key}/products/TAZA-01/reviews.json").get_json()
    assert widget["reviews"][0]["reply"]["body"] == "¡Gracias! Te escribimos por correo."
    resp = client.get("/staff/reviews/log.csv")
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    written, turned_down, published, replied = (
        "Reseña escrita",
        "Reseña rechazada",
        "Reseña publicada",
        "Respuesta pública escrita",
    )
    assert [r["Qué"] for r in rows] == [written, turned_down, published, replied]
    assert (rows[1]["Quién"], rows[1]["Por qué"]) == ("admin@barro.test", "Datos personales — teléfono")
    assert rows[0]["Quién"] == "Postventa (automático)" and "avisos: Datos personales" in rows[0]["Detalles"]


def test_the_audit_log_is_append_only(app):
    with pytest.raises(RuntimeError):
        entry = db.session.scalars(select(AuditEntry)).first() or audit.record(None, None, "x", "review", 1)
        db.session.flush()
        entry.reason = "rewritten"
        db.session.flush()
    db.session.rollback()


def test_api_lists_and_moderates_with_the_same_rules_and_log(client, shop):
    store, key = shop
    other, other_key = make_store(name="Otra")
    answer(client, sent_invitation(store, items=ITEMS), **review_fields(body="Visiten barato.mx"))
    [review] = reviews_of(store)
    api = {"Authorization": f"Bearer {key}"}
    data = client.get("/api/v1/reviews?status=pending", headers=api).get_json()
    assert [r["id"] for r in data["data"]] == [review.id]
    assert set(data["data"][0]) >= {"id", "sku", "rating", "title", "body", "author", "status", "flags", "created_at"}
    assert data["data"][0]["flags"] == ["link"]
    foreign = {"Authorization": f"Bearer {other_key}"}
    assert client.get("/api/v1/reviews", headers=foreign).get_json()["data"] == []
    resp = client.post(f"/api/v1/reviews/{review.id}/moderation", json={"action": "publish"}, headers=foreign)
    assert resp.status_code == 404
    resp = client.post(f"/api/v1/reviews/{review.id}/moderation", json={"action": "reject"}, headers=api)
    assert resp.status_code == 422 and "reason" in resp.get_json()["fields"]
    resp = client.post(f"/api/v1/reviews/{review.id}/moderation", json={"action": "delete"}, headers=api)
    assert resp.status_code == 422 and "action" in resp.get_json()["fields"]
    resp = client.post(
        f"/api/v1/reviews/{review.id}/moderation",
        json={"action": "reject", "reason": "link", "note": "publicidad"},
        headers=api,
    )
    assert resp.status_code == 200 and resp.get_json()["status"] == "rejected"
    log = audit.entries(store.id, "review", review.id)
    assert log[0].action == "rejected" and log[0].actor.startswith("api:") and log[0].reason == "link — publicidad"
    assert client.get("/api/v1/reviews?status=bogus", headers=api).status_code == 422
    for absurd in ("22973288630424831000576", "2199023255552", "0", "-3"):
        resp = client.post(f"/api/v1/reviews/{absurd}/moderation", json={"action": "publish"}, headers=api)
        assert resp.status_code == 404 and resp.get_json()["error"] == "not_found"


def test_erasure_removes_the_review_and_recounts_the_product(client, shop):
    store, _ = shop
    invitation = sent_invitation(store, items=ITEMS, email="borrar@barro.com.mx")
    answer(client, invitation, **review_fields(rating=1))
    answer(client, sent_invitation(store, items=ITEMS), **review_fields(rating=5))
    erase_customer(store, "borrar@barro.com.mx")
    db.session.commit()
    data = client.get(f"/widget/v1/{store.widget_key}/products/TAZA-01/reviews.json").get_json()
    assert data["rating"]["count"] == 1 and data["rating"]["average"] == 5.0
    assert db.session.scalar(select(func.count()).select_from(Review)) == 1


@pytest.mark.parametrize(
    "fields, name",
    [
        ({"title": "Broken <script>alert(1)</script>", "body": "Llegó rota."}, ""),
        ({"title": "Rota", "body": 'Llegó rota <img src=x onerror="alert(1)">'}, ""),
        ({"title": "Rota", "body": "Ver detalles en javascript:alert(document.cookie)"}, ""),
        ({"title": "Rota", "body": "Llegó rota, muy mal empacada."}, "<svg onload=alert(3)>"),
    ],
)
def test_markup_in_title_body_or_name_waits_for_a_moderator_and_stays_escaped(client, shop, fields, name):
    store, _ = shop
    invitation = sent_invitation(store, items=ITEMS)
    data = review_fields(rating=1, **fields)
    if name:
        data["display_name"] = name
    answer(client, invitation, nps=3, **data)
    [review] = reviews_of(store)
    assert (review.status, review.flags) == ("pending", ["markup"])
    client.post("/staff/login", data={"email": "admin@barro.test", "password": PASSWORD})
    html = client.get("/staff/reviews?status=pending").get_data(as_text=True)
    assert "⚑ Código o etiquetas HTML" in html
    assert "<script>alert" not in html and "<svg onload" not in html and "<img src=x" not in html
