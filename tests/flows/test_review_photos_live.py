"""Customer photos on reviews through a live server: real multipart uploads with the CSRF token,
every refusal beside its product with the rest of the answer kept, the stored rows, the served
bytes (no EXIF), the widget JSON, store-scoped staff serving, the 413 page, erasure."""

from __future__ import annotations

import io
import json
import re
from urllib.parse import urlencode

import pytest
from flask import g
from PIL import Image
from sqlalchemy import func, select

from surveys.extensions import db
from surveys.models import AuditEntry, Response, Review, ReviewPhoto
from surveys.services import privacy, reviews
from surveys.services.tenancy import create_staff_user

from ..factories import WebClient, image_bytes, make_store, png_declaring, sent_invitation, survey_path
from ..live_server import LiveServer

ITEMS = [{"sku": "TAZA-01", "name": "Taza de barro"}, {"sku": "PLATO-02", "name": "Plato hondo"}]
GPS_EXIF = {0x0112: 6, 0x010F: "PhoneMaker", 0x8825: {1: "N", 2: (19.0, 26.0, 10.5), 3: "W", 4: (99.0, 8.0, 2.0)}}
PASSWORD = "correct horse battery staple"


@pytest.fixture
def shop(app):
    store = make_store(name="Barro & Co", reviews_auto_publish=True)[0]
    create_staff_user("admin@barro.test", store, "admin", PASSWORD)
    db.session.commit()
    return store


@pytest.fixture
def live(make_app):
    # The test's own reads take no SQLite write lock (the server writes meanwhile); each read
    # starts from a rollback, so it sees what the server committed.
    g.db_reads_only = True
    with LiveServer(make_app(WTF_CSRF_ENABLED=True)) as server:
        yield server


def _path(store, **kwargs) -> str:
    path = survey_path(sent_invitation(store, items=ITEMS, **kwargs))
    db.session.rollback()  # SQLite: no open transaction here while the server writes
    return path


def _answer(sku: str = "TAZA-01", body: str = "Preciosa, el esmalte brilla") -> list[tuple[str, str]]:
    return [
        ("nps", "9"),
        ("comment", "Llegó muy rápido"),
        (f"review-{sku}-rating", "5"),
        (f"review-{sku}-title", "Muy linda"),
        (f"review-{sku}-body", body),
        (f"review-{sku}-publish", "1"),
    ]


def _photos(sku: str = "TAZA-01") -> list[ReviewPhoto]:
    db.session.rollback()
    return db.session.scalars(
        select(ReviewPhoto)
        .join(Review, Review.id == ReviewPhoto.review_id)
        .where(Review.product.has(sku=sku))
        .order_by(ReviewPhoto.review_id, ReviewPhoto.position)
    ).all()


def _reasons(page: bytes, sku: str) -> list[str]:
    """The refusal codes listed inside that product's fieldset (and nowhere else)."""
    html = page.decode()
    start = html.index(f'name="review-{sku}-rating"')
    end = html.find("</fieldset>", start)
    return re.findall(r'<li data-reason="([a-z_]+)"', html[start:end])


def test_jpeg_png_and_webp_are_stored_re_encoded_with_the_rest_of_the_answer(shop, live):
    path = _path(shop)
    files = [
        ("review-TAZA-01-photos", "taza.jpg", image_bytes("JPEG", (4000, 3000)), "image/jpeg"),
        ("review-TAZA-01-photos", "taza.png", image_bytes("PNG", (640, 480)), "image/png"),
        ("review-TAZA-01-photos", "taza.webp", image_bytes("WEBP", (1200, 1600)), "image/webp"),
    ]
    status, _, page = WebClient(live.url).post_form(path, _answer(), files)
    assert status == 200 and b'data-review-status="published"' in page
    stored = _photos()
    assert [(p.position, p.width, p.height, p.content_type) for p in stored] == [
        (1, 1600, 1200, "image/jpeg"),
        (2, 640, 480, "image/jpeg"),
        (3, 1200, 1600, "image/jpeg"),
    ]
    assert [(p.thumb_width, p.thumb_height) for p in stored] == [(320, 240), (320, 240), (240, 320)]
    review = db.session.scalar(select(Review))
    assert (review.photo_count, review.body) == (3, "Preciosa, el esmalte brilla")
    assert review.response.comment == "Llegó muy rápido"
    for photo in stored:
        assert Image.open(io.BytesIO(photo.data)).format == "JPEG"
        assert Image.open(io.BytesIO(photo.data)).size == (photo.width, photo.height)


def test_heic_from_a_phone_is_taken(shop, live):
    path = _path(shop)
    files = [("review-TAZA-01-photos", "IMG_0042.HEIC", image_bytes("HEIF", (1008, 756)), "image/heic")]
    status, _, _ = WebClient(live.url).post_form(path, _answer(), files)
    assert status == 200
    assert [(p.width, p.height) for p in _photos()] == [(1008, 756)]


def test_gps_and_camera_data_never_reach_the_storefront_and_the_rotation_is_applied(shop, live):
    path = _path(shop)
    original = image_bytes("JPEG", (800, 600), exif=GPS_EXIF)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the upload does carry GPS
    status, _, _ = WebClient(live.url).post_form(
        path, _answer(), [("review-TAZA-01-photos", "gps.jpg", original, "image/jpeg")]
    )
    assert status == 200
    (photo,) = _photos()
    assert (photo.width, photo.height) == (600, 800)  # EXIF orientation 6: turned upright
    listing = WebClient(live.url).request(f"/widget/v1/{shop.widget_key}/products/TAZA-01/reviews.json")
    (shown,) = json.loads(listing[2])["reviews"][0]["photos"]
    assert shown["url"].startswith("http://survey.test/widget/v1/")  # absolute, from BASE_URL
    for url in (shown["url"], shown["thumb_url"]):
        status, headers, body = WebClient(live.url).request(url.removeprefix("http://survey.test"))
        assert status == 200 and headers["Content-Type"] == "image/jpeg"
        served = Image.open(io.BytesIO(body))
        assert dict(served.getexif()) == {} and "exif" not in served.info and "icc_profile" not in served.info
        assert b"PhoneMaker" not in body and b"Exif" not in body
    assert served.size == (240, 320)  # the thumbnail, upright too
    # the stripe drawn on the left edge is now at the top: the pixels really turned
    full = Image.open(io.BytesIO(photo.data)).convert("L")
    assert full.getpixel((300, 20)) < 60 and full.getpixel((300, 780)) > 60


def test_every_refused_file_is_named_beside_its_product_and_the_rest_is_kept(shop, live):
    path = _path(shop)
    files = [
        ("review-TAZA-01-photos", "huge.jpg", image_bytes("JPEG", (64, 64)) + b"\0" * (10 * 1024 * 1024), "image/jpeg"),
        ("review-TAZA-01-photos", "bomb.png", png_declaring(100_000, 100_000), "image/png"),
        ("review-TAZA-01-photos", "page.jpg", b"<!doctype html><html><script>alert(1)</script></html>", "image/jpeg"),
        ("review-PLATO-02-photos", "logo.jpg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/jpeg"),
        ("review-PLATO-02-photos", "plato.jpg", image_bytes("JPEG"), "image/jpeg"),
        ("review-PLATO-02-photos", "anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
    ]
    fields = _answer() + _answer("PLATO-02", "Hondo y bonito")[2:]
    status, _, page = WebClient(live.url).post_form(path, fields, files)
    assert status == 200  # saved; the form shows again with the reasons
    assert _reasons(page, "TAZA-01") == ["too_large", "too_many_pixels", "not_an_image"]
    assert _reasons(page, "PLATO-02") == ["not_an_image", "unsupported"]
    assert "«huge.jpg» pesa más de 10 MB".encode() in page and "«bomb.png» tiene demasiados píxeles".encode() in page
    db.session.rollback()
    response = db.session.scalar(select(Response))
    assert (response.nps, response.comment) == (9, "Llegó muy rápido")
    texts = {r.product.sku: (r.rating, r.body, r.status, r.photo_count) for r in db.session.scalars(select(Review))}
    assert texts == {
        "TAZA-01": (5, "Preciosa, el esmalte brilla", "published", 0),
        "PLATO-02": (5, "Hondo y bonito", "published", 1),
    }
    assert len(_photos("TAZA-01")) == 0 and len(_photos("PLATO-02")) == 1


def test_more_than_40_megapixels_is_refused(shop, live):
    path = _path(shop)
    big = image_bytes("JPEG", (8200, 5000), color=(250, 250, 250))  # 41 MP, a few hundred KB
    files = [("review-TAZA-01-photos", "big.jpg", big, "image/jpeg")]
    status, _, page = WebClient(live.url).post_form(path, _answer(), files)
    assert status == 200 and _reasons(page, "TAZA-01") == ["too_many_pixels"]
    assert _photos() == [] and db.session.scalar(select(Review.body)) == "Preciosa, el esmalte brilla"


def test_a_fourth_photo_is_refused_and_an_edit_keeps_removes_and_adds_up_to_three(shop, live):
    path = _path(shop)
    client = WebClient(live.url)
    four = [("review-TAZA-01-photos", f"f{n}.jpg", image_bytes("JPEG", (300 + n, 200)), "image/jpeg") for n in range(4)]
    status, _, page = client.post_form(path, _answer(), four)
    assert status == 200 and _reasons(page, "TAZA-01") == ["too_many"]
    assert "«f3.jpg» no se agregó: 3 fotos por producto como máximo.".encode() in page
    assert [p.width for p in _photos()] == [300, 301, 302]
    first = _photos()[0].public_id
    # the edit: remove the first, add two; only one fits (3 in all), the other is refused
    more = [("review-TAZA-01-photos", f"g{n}.jpg", image_bytes("PNG", (400 + n, 200)), "image/png") for n in range(2)]
    status, _, page = client.post_form(path, [*_answer(), ("review-TAZA-01-photos-remove", first)], more)
    assert status == 200 and _reasons(page, "TAZA-01") == ["too_many"]
    assert [p.width for p in _photos()] == [301, 302, 400]
    assert db.session.scalar(select(Review.photo_count)) == 3
    # the form shows the customer's own photos, served through their link only
    status, _, page = client.request(path)
    thumbs = re.findall(rb'src="(/s/[^"]+/photos/[^"]+/thumb\.jpg)"', page)
    assert len(thumbs) == 3 and client.request(thumbs[0].decode())[0] == 200
    other = _path(shop)
    assert client.request(other + thumbs[0].decode()[thumbs[0].decode().index("/photos/") :])[0] == 404


def test_a_field_error_keeps_the_answer_and_asks_to_attach_the_photos_again(shop, live):
    path = _path(shop)
    fields = [("nps", "9"), ("comment", "Bien"), ("review-TAZA-01-body", "Sin estrellas")]
    files = [("review-TAZA-01-photos", "ok.jpg", image_bytes(), "image/jpeg")]
    status, _, page = WebClient(live.url).post_form(path, fields, files)
    assert status == 422 and _reasons(page, "TAZA-01") == ["again"]
    assert "Sin estrellas".encode() in page and _photos() == []


def test_a_request_over_the_limit_is_a_friendly_page_in_the_customers_language(shop, live):
    path = _path(shop)
    client = WebClient(live.url)
    assert client.post_form(path, _answer())[0] == 200  # an earlier answer, kept
    blob = b"\xff" * (9 * 1024 * 1024)
    files = [("review-TAZA-01-photos", f"p{n}.jpg", blob, "image/jpeg") for n in range(4)]  # 36 MB
    status, headers, page = client.post_form(path, _answer(body="otra cosa"), files)
    assert status == 413 and headers["Content-Type"].startswith("text/html")
    assert "Tus fotos pesaban demasiado para enviarlas juntas (32 MB como máximo)".encode() in page
    assert b"Preciosa, el esmalte brilla" in page  # the saved answer is on the page again
    assert db.session.scalar(select(Review.body)) == "Preciosa, el esmalte brilla" and _photos() == []


def test_widget_lists_only_published_visible_photos_and_staff_see_their_own_store_only(shop, live):
    path = _path(shop)
    files = [("review-TAZA-01-photos", f"f{n}.jpg", image_bytes("JPEG", (500, 400)), "image/jpeg") for n in range(2)]
    assert WebClient(live.url).post_form(path, _answer(), files)[0] == 200
    api = WebClient(live.url)
    url = f"/widget/v1/{shop.widget_key}/products/TAZA-01/reviews.json"
    status, headers, body = api.request(url)
    listed = json.loads(body)["reviews"][0]["photos"]
    assert [(p["width"], p["height"]) for p in listed] == [(500, 400), (500, 400)]
    etag = headers["ETag"]
    photo_path = listed[0]["url"].removeprefix("http://survey.test")
    status, headers, body = api.request(photo_path)
    assert status == 200 and headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Access-Control-Allow-Origin"] == "*"
    assert api.request(photo_path, headers={"If-None-Match": headers["ETag"]})[0] == 304
    assert api.request(photo_path.replace(".jpg", ".png"))[0] == 404
    # staff hide one photo: the JSON changes (new ETag) and the hidden photo is gone for the public
    staff = WebClient(live.url)
    token = staff.csrf_token("/staff/login")
    form = urlencode({"email": "admin@barro.test", "password": PASSWORD, "csrf_token": token}).encode()
    assert staff.request("/staff/login", form)[0] == 200
    page = staff.request("/staff/reviews?status=published")[2].decode()
    public_ids = [p.public_id for p in _photos()]
    assert page.count("/staff/reviews/photos/") == 4  # two thumbnails, each linked to its full size
    review_id = db.session.scalar(select(Review.id))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    hide = urlencode({"csrf_token": token}).encode()
    status, _, hidden_page = staff.request(f"/staff/reviews/{review_id}/photos/{public_ids[0]}/hide", hide)
    assert status == 200 and re.findall(r'<p class="flash (\w+)" role="status">([^<]*)</p>', hidden_page.decode()) == [
        ("ok", "Guardado.")
    ]
    status, headers, body = api.request(url)
    assert headers["ETag"] != etag and len(json.loads(body)["reviews"][0]["photos"]) == 1
    assert api.request(photo_path)[0] == 404
    assert staff.request(f"/staff/reviews/photos/{public_ids[0]}.jpg")[0] == 200  # staff still see it
    # another store's staff: 404 for the photo, not 403
    db.session.rollback()
    other = make_store(name="Otra")[0]
    create_staff_user("otra@otra.test", other, "admin", PASSWORD)
    db.session.commit()
    outsider = WebClient(live.url)
    token = outsider.csrf_token("/staff/login")
    form = urlencode({"email": "otra@otra.test", "password": PASSWORD, "csrf_token": token}).encode()
    assert outsider.request("/staff/login", form)[0] == 200
    assert outsider.request(f"/staff/reviews/photos/{public_ids[1]}.jpg")[0] == 404
    assert api.request(f"/widget/v1/{other.widget_key}/photos/{public_ids[1]}.jpg")[0] == 404
    # rejected: never served; the log says who hid and who rejected
    page = staff.request("/staff/reviews?status=published")[2].decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    reject = urlencode({"csrf_token": token, "reason": "off_topic"}).encode()
    assert staff.request(f"/staff/reviews/{review_id}/reject", reject)[0] == 200
    assert api.request(listed[1]["url"].removeprefix("http://survey.test"))[0] == 404
    assert api.request(listed[1]["thumb_url"].removeprefix("http://survey.test"))[0] == 404
    db.session.rollback()
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == review_id)).all()
    assert "photo_hidden" in actions and "rejected" in actions


def test_publish_without_photos_and_erasure(shop, live):
    shop.reviews_auto_publish = False
    db.session.commit()
    path = _path(shop, email="ana@example.com")
    files = [("review-TAZA-01-photos", "f.jpg", image_bytes(), "image/jpeg")]
    assert WebClient(live.url).post_form(path, _answer(), files)[0] == 200
    db.session.rollback()
    review = db.session.scalar(select(Review))
    assert (review.status, review.photo_count) == ("pending", 1)
    db.session.rollback()
    (photo,) = _photos()
    assert WebClient(live.url).request(f"/widget/v1/{shop.widget_key}/photos/{photo.public_id}.jpg")[0] == 404
    reviews.moderate(review, "api:test", "publish_without_photos")
    db.session.commit()
    db.session.expire_all()
    assert (review.status, review.photo_count, _photos()[0].hidden) == ("published", 0, True)
    assert WebClient(live.url).request(f"/widget/v1/{shop.widget_key}/photos/{photo.public_id}.jpg")[0] == 404
    privacy.erase_customer(shop, "ana@example.com", "test")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ReviewPhoto)) == 0
