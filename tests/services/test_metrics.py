"""A store's NPS and CSAT over all time (counted per (nps, csat) pair along an index) equal the
same figures counted row by row with conditions, for every kind of answer."""

from __future__ import annotations

from sqlalchemy import true

from surveys.extensions import db
from surveys.models import Response, utcnow
from surveys.reading.scoring import nps_category
from surveys.services.metrics import store_metrics

from ..factories import make_store, sent_invitation

ANSWERS = [(10, 5), (9, None), (9, 4), (8, 3), (7, None), (6, 2), (0, 1), (None, 5), (None, 4), (None, 1), (3, None)]


def test_all_time_metrics_equal_the_conditional_count(app):
    store, _ = make_store()
    other, _ = make_store()
    now = utcnow()
    for shop, answers in ((store, ANSWERS), (other, [(0, 1)] * 3)):
        for nps, csat in answers:
            invitation = sent_invitation(shop)
            db.session.add(
                Response(
                    store_id=shop.id, invitation_id=invitation.id, nps=nps, csat=csat, nps_category=nps_category(nps),
                    created_at=now, updated_at=now, hidden_detractor=False,
                )
            )  # fmt: skip
    db.session.commit()
    grouped = store_metrics(store)
    conditional = store_metrics(store, where=[true()])  # any extra condition takes the row-by-row count
    assert grouped["nps"] == conditional["nps"]
    assert grouped["csat"] == conditional["csat"]
    assert (grouped["nps"]["promoters"], grouped["nps"]["passives"], grouped["nps"]["detractors"]) == (3, 2, 3)
    assert (grouped["csat"]["n"], grouped["csat"]["score"]) == (8, 50.0)  # 5, 4, 5, 4 of 8
