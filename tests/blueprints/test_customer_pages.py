"""Customer pages say what happens: the comment prompt follows the score, the thank-you page
tells what became of each review, and an expired link still carries the shop's name and colour."""

from __future__ import annotations

import re

from surveys.extensions import db

from ..factories import make_store, sent_invitation, survey_path

ITEMS = [{"sku": "TAZA-01", "name": "Taza de barro"}, {"sku": "JARRO-02", "name": "Jarro de talavera"}]


def prompt(html: str) -> str:
    return re.search(r'<label for="comment"[^>]*>([^<]*)</label>', html).group(1)


def test_the_comment_prompt_follows_the_score(client, app):
    store = make_store()[0]
    invitation = sent_invitation(store)
    assert prompt(client.get(survey_path(invitation)).get_data(as_text=True)) == "¿Quieres contarnos más? (opcional)"
    assert prompt(client.get(survey_path(invitation, 3)).get_data(as_text=True)) == "¿Qué salió mal? (opcional)"
    assert prompt(client.get(survey_path(invitation, 8)).get_data(as_text=True)) == "¿Qué nos faltó? (opcional)"
    assert (
        prompt(client.get(survey_path(invitation, 10)).get_data(as_text=True))
        == "¿Qué fue lo que más te gustó? (opcional)"
    )


def test_the_thank_you_page_says_what_happened_to_each_review(client, app):
    store = make_store()[0]
    invitation = sent_invitation(store, items=ITEMS)
    data = {
        "nps": "9",
        "review-TAZA-01-rating": "5",
        "review-TAZA-01-body": "Muy bonita",
        "review-TAZA-01-publish": "1",
        "review-JARRO-02-rating": "4",
        "review-JARRO-02-body": "Escríbeme al 55 1234 5678",
        "review-JARRO-02-publish": "1",
    }
    html = client.post(survey_path(invitation), data=data).get_data(as_text=True)
    fates = dict(re.findall(r'data-review-status="(\w+)"><strong>([^<]+)</strong>', html))
    assert fates == {"published": "Taza de barro", "pending": "Jarro de talavera"}
    assert "tu reseña ya está publicada" in html and "cuando la tienda revise" in html


def test_an_expired_link_carries_the_shops_name_colour_and_language(client, app):
    store = make_store(name="Barro & Co", brand_color="#7c2d12")[0]
    invitation = sent_invitation(store, customer={"email": "emily@example.com", "locale": "en"})
    invitation.status = "expired"
    db.session.commit()
    resp = client.get(survey_path(invitation))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 410 and "This link has expired" in html
    assert '<span class="shop">Barro &amp; Co</span>' in html and "--brand: #7c2d12" in html


def test_the_survey_page_opens_while_an_answer_holds_the_write_lock(client, app):
    """A page view never writes: on SQLite it must not queue behind a writer (the busy timeout
    is 30 s), so a customer opening the link while another answer is being saved sees the page."""
    import sqlite3
    import time

    import pytest

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")
    store = make_store()[0]
    path = survey_path(sent_invitation(store, items=ITEMS))
    db.session.commit()
    writer = sqlite3.connect(db.engine.url.database, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        start = time.monotonic()
        resp = client.get(path)
        elapsed = time.monotonic() - start
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert resp.status_code == 200 and elapsed < 5
    assert 'name="review-JARRO-02-rating"' in resp.get_data(as_text=True)
