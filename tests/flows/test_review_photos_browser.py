"""Review photos in a real headless Chromium: the widget's thumbnails and viewer on a foreign
storefront (keyboard only), the survey form attaching photos (with and without JavaScript),
and the moderation page; screenshots of each in test-artifacts/."""

from __future__ import annotations

import io

import pytest
from flask import g
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Review, ReviewPhoto
from surveys.services.tenancy import create_staff_user

from ..browsing import ARTIFACTS, Storefront, watch
from ..factories import STAFF_PASSWORD, image_bytes, make_store, sent_invitation, survey_path
from ..live_server import LiveServer

pytestmark = pytest.mark.browser
ITEMS = [{"sku": "TAZA-01", "name": "Taza de barro"}]
SHADOW = "document.querySelector('[data-postventa-reviews]').shadowRoot"


def _review(client, store, n_photos: int, body: str, name: str = "Ana López"):
    invitation = sent_invitation(
        store,
        items=ITEMS,
        customer={"email": f"cliente{n_photos}@example.com", "name": name, "locale": "es"},
    )
    colors = [(200, 90, 40), (30, 120, 160), (90, 150, 60)]
    form = {
        "nps": "9",
        "review-TAZA-01-rating": "5",
        "review-TAZA-01-body": body,
        "review-TAZA-01-publish": "1",
        "review-TAZA-01-photos": [
            (io.BytesIO(image_bytes("JPEG", (1200, 900), colors[k])), f"p{k}.jpg") for k in range(n_photos)
        ],
    }
    path = survey_path(invitation)
    db.session.rollback()
    assert client.post(path, data=form, content_type="multipart/form-data").status_code == 200


@pytest.fixture
def shop(app, client):
    store = make_store(name="Barro & Co", reviews_auto_publish=True)[0]
    _review(client, store, 0, "Sin fotos pero muy linda")
    _review(client, store, 2, "Así llegó, perfecta", "Lucía Gómez")
    create_staff_user("admin@barro.test", store, "admin", STAFF_PASSWORD)
    db.session.commit()
    key = store.widget_key
    db.session.rollback()
    g.db_reads_only = True  # the test's reads take no SQLite write lock while the server writes
    return key


def _server(make_app, **config):
    app = make_app(**config)
    server = LiveServer(app)
    app.config["BASE_URL"] = server.url  # photo URLs in reviews.json are absolute, from BASE_URL
    return server


def test_widget_thumbnails_open_a_keyboard_viewer_on_a_foreign_storefront(browser, shop, make_app, tmp_path):
    with _server(make_app) as api, Storefront(tmp_path) as front:
        for lang, width in (("es", 1366), ("en", 390)):
            url = front.page(
                f"photos-{lang}.html",
                f'<div data-postventa-reviews data-key="{shop}" data-sku="TAZA-01" data-lang="{lang}"></div>'
                f'<script src="{api.url}/widget/v1/embed.js" defer></script>',
                lang,
            )
            page = browser.new_page(viewport={"width": width, "height": 900})
            problems = watch(page)
            page.goto(url)
            widget = page.locator("[data-postventa-reviews]")
            thumbs = widget.locator("ul.ph img")
            thumbs.first.wait_for()
            assert thumbs.count() == 2  # the review with two photos; the other shows none
            assert [thumbs.nth(i).get_attribute("loading") for i in range(2)] == ["lazy", "lazy"]
            first_alt = "Foto 1 de 2 de Lucía G." if lang == "es" else "Photo 1 of 2 from Lucía G."
            assert thumbs.first.get_attribute("alt") == first_alt
            page.wait_for_function(f"() => {SHADOW}.querySelector('ul.ph img').naturalWidth === 320")
            # keyboard: focus the first thumbnail, Enter opens the viewer with focus on "close"
            widget.locator("ul.ph a").first.focus()
            page.keyboard.press("Enter")
            dialog = widget.locator("dialog.vw")
            dialog.wait_for()
            assert page.evaluate(f"() => {SHADOW}.querySelector('dialog.vw').open") is True
            assert page.evaluate(f"() => {SHADOW}.activeElement.className") == "x"
            assert dialog.get_attribute("aria-label") == (
                "Fotos de Lucía G." if lang == "es" else "Photos from Lucía G."
            )
            page.wait_for_function(f"() => {SHADOW}.querySelector('dialog.vw img').naturalWidth === 1200")
            assert dialog.locator(".vc").inner_text() == ("1 de 2" if lang == "es" else "1 of 2")
            page.screenshot(path=str(ARTIFACTS / f"widget-photo-viewer-{lang}-{width}.png"))
            page.keyboard.press("ArrowRight")
            assert dialog.locator(".vc").inner_text() == ("2 de 2" if lang == "es" else "2 of 2")
            assert dialog.locator("img").get_attribute("alt").startswith("Foto 2" if lang == "es" else "Photo 2")
            page.keyboard.press("ArrowRight")  # wraps around
            assert dialog.locator(".vc").inner_text().startswith("1 ")
            page.keyboard.press("Escape")
            page.wait_for_function(f"() => !{SHADOW}.querySelector('dialog.vw')")
            focused = page.evaluate(
                f"() => {SHADOW}.activeElement && {SHADOW}.activeElement.querySelector('img').getAttribute('alt')"
            )
            assert focused == first_alt  # focus is back on the thumbnail that opened it
            # the visible close button closes it too
            widget.locator("ul.ph a").nth(1).focus()
            page.keyboard.press("Enter")
            dialog.wait_for()
            assert dialog.locator(".vc").inner_text().startswith("2 ")
            dialog.locator("button.x").click()
            page.wait_for_function(f"() => !{SHADOW}.querySelector('dialog.vw')")
            # sort=photos is offered and puts the review with photos first
            widget.locator("select").select_option("photos")
            page.wait_for_function(f"() => {SHADOW}.querySelector('ol.rv > li ul.ph') !== null")
            assert "ul.ph" in page.evaluate(
                f"() => {SHADOW}.querySelector('ol.rv > li').querySelector('ul.ph') ? 'ul.ph' : ''"
            )
            assert problems == []
            page.close()


def test_the_survey_form_attaches_photos_with_previews_and_without_javascript(browser, app, make_app):
    store = make_store(name="Barro & Co", reviews_auto_publish=True)[0]
    paths = {
        lang: survey_path(
            sent_invitation(
                store, items=ITEMS, customer={"email": f"{lang}@example.com", "name": "Ana", "locale": lang}
            )
        )
        for lang in ("es", "en")
    }
    nojs = survey_path(sent_invitation(store, items=ITEMS))
    db.session.rollback()
    g.db_reads_only = True
    big = image_bytes("JPEG", (64, 64)) + b"\0" * (10 * 1024 * 1024 + 1)
    files = [
        {"name": "taza.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG", (1200, 900))},
        {"name": "taza-2.png", "mimeType": "image/png", "buffer": image_bytes("PNG", (700, 900), (30, 120, 160))},
        {"name": "enorme.jpg", "mimeType": "image/jpeg", "buffer": big},
    ]
    with _server(make_app, WTF_CSRF_ENABLED=True) as server:
        for lang, path in paths.items():
            for width in (390, 1366):
                page = browser.new_page(viewport={"width": width, "height": 900})
                problems = watch(page)
                page.goto(server.url + path)
                page.click("label.option:has(input[name=nps][value='9'])")
                page.click(".stars label.star:nth-child(5)")
                page.fill("#review-TAZA-01-body", "Preciosa" if lang == "es" else "Lovely")
                page.set_input_files("#review-TAZA-01-photos", files)
                page.wait_for_function("() => document.querySelectorAll('.photo-previews img').length === 2")
                warning = page.locator(".photo-warning").inner_text()
                assert (
                    "«enorme.jpg» pesa más de 10 MB" if lang == "es" else "“enorme.jpg” is larger than 10 MB"
                ) in warning
                assert page.evaluate("document.getElementById('review-TAZA-01-photos').files.length") == 2
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.photo-previews img')].every(i => i.naturalWidth > 0)"
                )
                page.screenshot(path=str(ARTIFACTS / f"survey-photos-{lang}-{width}.png"), full_page=True)
                if width == 1366:
                    page.click("button[type=submit]")
                    page.wait_for_selector("ul.review-fates")
                    page.goto(server.url + path)  # the edit form shows the saved photos
                    page.wait_for_function(
                        "() => document.querySelectorAll('.photo-list img').length === 2"
                        " && [...document.querySelectorAll('.photo-list img')].every(i => i.naturalWidth > 0)"
                    )
                    page.screenshot(path=str(ARTIFACTS / f"survey-photos-saved-{lang}-{width}.png"), full_page=True)
                assert problems == []
                page.close()
        # without JavaScript: a plain file input, the files go with the form
        context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 900})
        page = context.new_page()
        page.goto(server.url + nojs)
        page.click("label.option:has(input[name=nps][value='8'])")
        page.click(".stars label.star:nth-child(4)")
        page.set_input_files("#review-TAZA-01-photos", files[:1] + [{**files[2], "name": "grande.jpg"}])
        page.click("button[type=submit]")
        page.wait_for_selector("ul.photo-errors")
        assert page.locator("ul.photo-errors li").inner_text().startswith("«grande.jpg» pesa más de 10 MB")
        page.screenshot(path=str(ARTIFACTS / "survey-photos-nojs-refused-es-390.png"), full_page=True)
        context.close()
    db.session.rollback()
    widths = [
        sorted(db.session.scalars(select(ReviewPhoto.width).where(ReviewPhoto.review_id == review_id)))
        for review_id in db.session.scalars(select(Review.id).order_by(Review.id))
    ]
    assert widths == [[700, 1200], [700, 1200], [1200]]  # es, en, and the one sent without JavaScript


def test_moderation_page_shows_the_photos(browser, shop, make_app):
    with _server(make_app, WTF_CSRF_ENABLED=True) as server:
        for lang, width in (("es", 1366), ("en", 390)):
            page = browser.new_page(viewport={"width": width, "height": 900}, locale=lang)
            problems = watch(page)
            page.goto(server.url + "/staff/login")
            page.fill("input[name=email]", "admin@barro.test")
            page.fill("input[name=password]", STAFF_PASSWORD)
            page.click("button[type=submit]")
            page.goto(server.url + "/staff/reviews?status=published")
            images = page.locator(".review-photos img")
            assert images.count() == 2
            page.wait_for_function(
                "() => [...document.querySelectorAll('.review-photos img')].every(i => i.naturalWidth === 320)"
            )
            overflow = page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
            assert overflow is False
            page.screenshot(path=str(ARTIFACTS / f"staff-review-photos-{lang}-{width}.png"), full_page=True)
            assert problems == []
            page.close()
