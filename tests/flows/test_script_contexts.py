"""JSON meant for a <script> element (JSON-LD that shops paste into their pages, the widget's
JSON, templates' tojson) cannot close the element: <, >, &, ' and U+2028/2029 travel as \\u escapes,
the same strings once parsed. Checked on the bytes and in a real Chromium."""

from __future__ import annotations

import json

import pytest

from surveys.extensions import db
from surveys.models import Review
from surveys.services import reviews

from ..factories import make_store, sent_invitation, survey_path

BREAKOUT = "</script><script>window.__pwned=1</script>"
TITLE = "Linda <!-- & 'taza' -->"
NAME = "Taza <b>& 'barro'</b> \u2028 línea \u2029 fin"
UNSAFE = ("<", ">", "&", "'", "\u2028", "\u2029")


@pytest.fixture
def product(app, client):
    store = make_store(name="Barro & Co", reviews_auto_publish=True)[0]
    items = [{"sku": "TAZA-01", "name": NAME}]
    data = {
        "nps": "9",
        "review-TAZA-01-rating": "5",
        "review-TAZA-01-title": TITLE,
        "review-TAZA-01-body": BREAKOUT,
        "review-TAZA-01-publish": "1",
    }
    assert client.post(survey_path(sent_invitation(store, items=items)), data=data).status_code == 200
    review = db.session.query(Review).one()
    assert review.status == "pending" and review.flags == ["markup"]  # a person looks at markup first
    reviews.moderate(review, "api", "publish")
    db.session.commit()
    assert review.status == "published" and review.body == BREAKOUT
    return f"/widget/v1/{store.widget_key}/products/TAZA-01"


@pytest.mark.parametrize("what", ["jsonld", "reviews.json"])
def test_widget_json_carries_no_character_that_ends_a_script(client, product, what):
    resp = client.get(f"{product}/{what}")
    raw = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert [ch for ch in UNSAFE if ch in raw] == []
    assert "\\u003c/script\\u003e" in raw
    parsed = json.loads(raw)
    reviews = parsed["review"] if what == "jsonld" else parsed["reviews"]
    assert reviews[0][("reviewBody" if what == "jsonld" else "body")] == BREAKOUT
    assert (reviews[0]["name"] if what == "jsonld" else reviews[0]["title"]) == TITLE
    assert (parsed["name"] if what == "jsonld" else parsed["product"]["name"]) == NAME


def test_api_json_is_script_safe_too(client, app):
    _, key = make_store()
    db.session.commit()
    resp = client.get("/api/v1/responses?limit=<script>", headers={"Authorization": f"Bearer {key}"})
    raw = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "<" not in raw and json.loads(raw)["fields"]["limit"]


@pytest.mark.browser
def test_jsonld_pasted_into_a_page_runs_nothing_in_a_browser(browser, client, product):
    """What a shop does: fetch the JSON-LD server-side and paste it into its product page."""
    pasted = client.get(f"{product}/jsonld").get_data(as_text=True)
    html = (
        '<!doctype html><html><head><meta charset="utf-8"><title>Taza</title>'
        f'<script type="application/ld+json" id="ld">{pasted}</script></head>'
        "<body><h1>Taza</h1></body></html>"
    )
    page = browser.new_page()
    try:
        page.set_content(html)
        assert page.evaluate("window.__pwned") is None
        assert page.locator("script").count() == 1
        data = page.evaluate("JSON.parse(document.getElementById('ld').textContent)")
        assert data["review"][0]["reviewBody"] == BREAKOUT and data["name"] == NAME
    finally:
        page.close()
