"""The settings page in a real Chromium over a live server: the time zone picked from the
IANA list, the colour input, and the live widget preview that follows the colour."""

from __future__ import annotations

from zoneinfo import available_timezones

import pytest
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import StaffUser, Store
from surveys.services.tenancy import create_staff_user

from ..browsing import ARTIFACTS
from ..factories import make_store, sent_invitation, survey_path
from ..live_server import LiveServer

pytestmark = pytest.mark.browser
PASSWORD = "una clave muy larga"  # noqa: S105
SHOTS = ARTIFACTS / "settings"


@pytest.fixture
def shop(app, client):
    store = make_store(name="Barro & Co")[0]
    create_staff_user("admin@barro.test", store, "admin", PASSWORD)
    db.session.commit()
    for n, rating in enumerate([5, 4, 2]):
        data = {
            "nps": "9",
            "review-TAZA-01-rating": str(rating),
            "review-TAZA-01-title": f"Reseña {n}",
            "review-TAZA-01-body": "Llegó bien empacada y el esmalte es precioso.",
            "review-TAZA-01-publish": "1",
        }
        invitation = sent_invitation(store, items=[{"sku": "TAZA-01", "name": "Taza de barro"}])
        assert client.post(survey_path(invitation), data=data).status_code == 200
    store_id = store.id
    db.session.rollback()  # SQLite: no open transaction while the server writes
    return store_id


def _watch(page):
    problems = []
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: msg.type == "error" and problems.append(f"console: {msg.text}"))
    return problems


def _sign_in(page, base, locale):
    db.session.execute(StaffUser.__table__.update().where(StaffUser.email == "admin@barro.test").values(locale=locale))
    db.session.commit()
    page.goto(f"{base}/staff/login")
    page.fill("#email", "admin@barro.test")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/staff/")


def test_time_zone_list_colour_input_and_live_preview(browser, shop, make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with LiveServer(app) as server:
        for locale in ("es", "en"):
            for width in (390, 1366):
                page = browser.new_page(viewport={"width": width, "height": 900})
                problems = _watch(page)
                _sign_in(page, server.url, locale)
                page.goto(f"{server.url}/staff/settings")
                # the time zone input offers the whole IANA list, and the browser filters it
                zone = page.locator("#timezone")
                assert zone.evaluate("el => el.list && el.list.id") == "time-zones"
                assert zone.evaluate("el => el.list.options.length") == len(available_timezones())
                # the preview is the real widget with the store's key and product, reviews included
                preview = page.locator("#widget-preview")
                assert preview.get_attribute("data-sku") == "TAZA-01"
                page.wait_for_function(
                    "() => { const r = document.querySelector('#widget-preview').shadowRoot;"
                    " return r && r.querySelectorAll('ol.rv > li').length === 3; }"
                )
                # the colour input changes the preview's accent as it changes
                assert page.locator("#brand_color").get_attribute("type") == "color"
                page.locator("#brand_color").fill("#7c2d12")
                accent = preview.evaluate("el => getComputedStyle(el).getPropertyValue('--pv-accent').trim()")
                assert accent == "#7c2d12"
                button = preview.evaluate(
                    "el => { const b = el.shadowRoot.querySelector('a'); return b ? getComputedStyle(b).color : null; }"
                )
                assert button == "rgb(124, 45, 18)"
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0
                page.screenshot(path=str(SHOTS / f"settings-{locale}-{width}.png"), full_page=True)
                assert problems == []
                page.close()

        # a zone that is not on the list comes back beside its field, as typed; nothing saved
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        _sign_in(page, server.url, "es")
        page.goto(f"{server.url}/staff/settings")
        page.fill("#timezone", "America/Ciudad_Gotica")
        page.fill("#brand_color", "#1d4ed8")
        page.click("form.settings button[type=submit]")
        page.wait_for_selector("#timezone-err")
        assert page.locator("#timezone").input_value() == "America/Ciudad_Gotica"
        assert page.locator("#timezone").get_attribute("aria-invalid") == "true"
        assert "timezone-err" in page.locator("#timezone").get_attribute("aria-describedby")
        assert page.locator("#brand_color").input_value() == "#1d4ed8"
        page.screenshot(path=str(SHOTS / "settings-es-1366-error.png"), full_page=True)
        db.session.rollback()
        assert db.session.scalar(select(Store.timezone).where(Store.id == shop)) == "America/Mexico_City"
        db.session.rollback()  # SQLite: let the server write
        # picked from the list: saved
        page.fill("#timezone", "America/Argentina/Buenos_Aires")
        page.click("form.settings button[type=submit]")
        page.wait_for_selector(".flash.ok, .flash:not(.error)")
        db.session.rollback()
        row = db.session.execute(select(Store.timezone, Store.brand_color).where(Store.id == shop)).one()
        assert tuple(row) == ("America/Argentina/Buenos_Aires", "#1d4ed8")
        page.close()
