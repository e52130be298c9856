"""Star badges on a foreign collection page in real Chromium: one request for every card,
half stars, an accessible label in the page's language, nothing for unreviewed products."""

from __future__ import annotations

import pytest

from surveys.extensions import db

from ..browsing import ARTIFACTS, Storefront, watch
from ..factories import make_store, sent_invitation, survey_path
from ..live_server import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def key(app, client):
    store = make_store(name="Barro & Co")[0]
    for sku, values in (("TAZA-01", (5, 4, 4)), ("PLATO-02", (4, 3))):
        for value in values:
            invitation = sent_invitation(store, items=[{"sku": sku, "name": sku}])
            data = {"nps": "9", f"review-{sku}-rating": str(value), f"review-{sku}-publish": "1"}
            assert client.post(survey_path(invitation), data=data).status_code == 200
    sent_invitation(store, items=[{"sku": "VASO-03", "name": "Vaso"}])
    key = store.widget_key
    db.session.rollback()
    return key


def test_a_collection_page_gets_every_badge_from_one_request(browser, key, make_app, tmp_path):
    with LiveServer(make_app()) as api, Storefront(tmp_path) as front:
        skus = ["TAZA-01", "PLATO-02", "VASO-03"] + [f"OTRO-{n}" for n in range(57)]
        cards = "".join(
            f'<article><h2>{sku}</h2><span data-postventa-stars data-key="{key}" data-sku="{sku}"></span></article>'
            for sku in skus * 2  # the same product twice on the page (title and grid)
        )
        for lang, labels in (
            ("es", ("4,3 de 5 estrellas, 3 reseñas", "3,5 de 5 estrellas, 2 reseñas")),
            ("en", ("4.3 out of 5 stars, 3 reviews", "3.5 out of 5 stars, 2 reviews")),
        ):
            url = front.page(
                f"coleccion-{lang}.html", cards + f'<script src="{api.url}/widget/v1/embed.js" defer></script>', lang
            )
            page = browser.new_page(viewport={"width": 390, "height": 844})
            problems = watch(page)
            requests = []
            page.on("request", lambda r: "/ratings.json" in r.url and requests.append(r.url))  # noqa: B023
            page.goto(url)
            page.wait_for_function(
                "() => document.querySelectorAll('[data-postventa-stars]')[61].shadowRoot?.querySelector('.st')"
            )
            page.wait_for_timeout(300)
            assert len(requests) == 1
            shown = page.evaluate(
                """() => [...document.querySelectorAll('[data-postventa-stars]')].map(e => {
                    const st = e.shadowRoot && e.shadowRoot.querySelector('.st');
                    return st ? [e.dataset.sku, st.getAttribute('aria-label'), st.getAttribute('role'),
                                 [...st.children].map(c => c.className).join('')] : null; })"""
            )
            taza, plato = labels
            assert shown[0] == ["TAZA-01", taza, "img", "ffffh"]  # 4.3 is nearer 4.5 than 4
            assert shown[1] == ["PLATO-02", plato, "img", "fffhe"]  # 3.5: three stars and a half, not four
            assert shown[60] == shown[0] and shown[61] == shown[1]
            assert [s for s in shown if s is not None and s[0] not in ("TAZA-01", "PLATO-02")] == []
            assert problems == []
            page.screenshot(path=str(ARTIFACTS / f"badges-{lang}.png"))
            page.close()
