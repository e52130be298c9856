"""The dashboard's "NPS by product" table in Chromium at 1366 px: a long product name wraps in its
own cell while every score stays on one line ("+43 ± 20"), and a product under 30 answers shows
no margin but the same "few responses" warning as the NPS tile."""

from __future__ import annotations

import pytest

from surveys.extensions import db
from surveys.models import Response, utcnow
from surveys.reading.scoring import nps_category
from surveys.services.tenancy import create_staff_user

from ..browsing import sign_in
from ..factories import STAFF_PASSWORD, make_store, sent_invitation
from ..live_server import LiveServer

pytestmark = pytest.mark.browser
LONG = "Mantel bordado a mano en Oaxaca con hilo de algodón, 180 × 240 cm, color índigo"
PRODUCTS = [("TAZA-01", "Taza de barro", 35), ("MANTEL-03", LONG, 31), ("JARRO-02", "Jarro de talavera", 1)]


@pytest.fixture
def server(app, make_app):
    store = make_store(name="Barro & Co")[0]
    create_staff_user("duena@barro.test", store, "admin", STAFF_PASSWORD)
    now = utcnow()
    for sku, name, count in PRODUCTS:
        for k in range(count):
            invitation = sent_invitation(store, items=[{"sku": sku, "name": name}])
            nps = 3 if count == 1 else (10, 9, 8, 3)[k % 4]
            db.session.add(
                Response(
                    store_id=store.id, invitation_id=invitation.id, nps=nps, nps_category=nps_category(nps),
                    created_at=now, updated_at=now, hidden_detractor=False,
                )
            )  # fmt: skip
    db.session.commit()
    with LiveServer(make_app()) as live:
        yield live


def test_scores_stay_on_one_line_and_a_small_sample_is_flagged_at_1366_px(browser, server):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in(page, server.url, "duena@barro.test", STAFF_PASSWORD)
    rows = page.eval_on_selector_all(
        "section[aria-labelledby=prod-h] tbody tr",
        """rows => rows.map(r => {
          const lines = cell => {  // the height of the text itself (a cell stretches to its row)
            const text = document.createRange();
            text.selectNodeContents(cell);
            return Math.round(text.getBoundingClientRect().height / parseFloat(getComputedStyle(cell).lineHeight));
          };
          const score = r.querySelector('td.score');
          return [r.dataset.sku, score.innerText, lines(score), lines(r.querySelector('td.name')) > 1];
        })""",
    )
    by_sku = {sku: (text, lines, name_wraps) for sku, text, lines, name_wraps in rows}
    assert [lines for _, lines, _ in by_sku.values()] == [1, 1, 1], rows
    assert by_sku["MANTEL-03"][2] is True  # the long name takes the extra lines
    assert by_sku["TAZA-01"][0].startswith("+") and "±" in by_sku["TAZA-01"][0]
    assert by_sku["JARRO-02"][0] == "-100*"  # no margin under 30 answers, a mark instead
    note = page.locator("#prod-few")
    assert note.inner_text() == "* Pocas respuestas: el margen de error es amplio, lee la cifra con cuidado."
    assert page.locator("tr[data-sku=JARRO-02] td.score").get_attribute("aria-describedby") == "prod-few"
    assert page.locator("tr[data-small-sample]").count() == 1
    page.close()
