"""A date range is the shop's calendar days, whatever its offset: the metrics read from the
per-UTC-day counts plus the rows of the partial UTC days at both edges equal a plain count of the
rows whose local date falls in the range (half-hour zones, +12:45, and a DST change included)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import true

from surveys.extensions import db
from surveys.models import Response
from surveys.reading.clock import ShopClock
from surveys.reading.scoring import is_detractor, is_passive, is_promoter, nps_category
from surveys.services import metrics

from ..factories import make_store, sent_invitation

FIRST = date(2026, 10, 21)  # Madrid leaves summer time on Sunday 25 October 2026
ZONES = ["Asia/Kolkata", "Europe/Madrid", "America/Mexico_City", "America/St_Johns", "Pacific/Chatham"]


def test_a_day_span_is_the_shops_midnights_in_utc():
    mexico, kolkata, madrid = (ShopClock(z) for z in ("America/Mexico_City", "Asia/Kolkata", "Europe/Madrid"))
    day = date(2026, 11, 15)
    assert mexico.day_span(day, day) == (
        datetime(2026, 11, 15, 6, tzinfo=timezone.utc),
        datetime(2026, 11, 16, 6, tzinfo=timezone.utc),
    )
    assert kolkata.day_span(day, None) == (datetime(2026, 11, 14, 18, 30, tzinfo=timezone.utc), None)
    sunday = date(2026, 10, 25)  # 25 hours long in Madrid
    lo, hi = madrid.day_span(sunday, sunday)
    assert (lo.hour, hi.hour, hi - lo) == (22, 23, timedelta(hours=25))
    assert madrid.day_span(None, None) == (None, None)


@pytest.mark.parametrize("zone", ZONES)
def test_counted_metrics_over_local_days_equal_a_count_of_the_rows(app, zone):
    rng = random.Random(zone)
    store, _ = make_store(timezone=zone)
    tz = ZoneInfo(zone)
    start = datetime(2026, 10, 20, tzinfo=timezone.utc)
    local_days: list[tuple[date, int | None, bool]] = []  # (local day, nps, answered) per invitation
    for _ in range(70):
        sent = start + timedelta(minutes=rng.randint(0, 14 * 24 * 60))
        if rng.random() < 0.4:  # near a UTC or a local midnight
            sent = sent.replace(hour=rng.choice([0, 23, 5, 6, 18]), minute=rng.choice([0, 29, 30, 44, 45, 59]))
        invitation = sent_invitation(store)
        invitation.sent_at = sent
        answered = rng.random() < 0.7
        nps = rng.choice([None, *range(11)]) if answered else None
        if answered:
            invitation.answered_at = sent
            db.session.add(
                Response(
                    store_id=store.id, invitation_id=invitation.id, nps=nps, csat=rng.randint(1, 5),
                    nps_category=nps_category(nps), created_at=sent, updated_at=sent, hidden_detractor=False,
                )
            )  # fmt: skip
        local_days.append((sent.astimezone(tz).date(), nps, answered))
    db.session.commit()

    ranges = [(FIRST + timedelta(days=k), FIRST + timedelta(days=k)) for k in range(-2, 16)]
    ranges += [(FIRST, FIRST + timedelta(days=k)) for k in (1, 4, 9)] + [(None, FIRST), (FIRST, None), (None, None)]
    for lo, hi in ranges:
        inside = [(n, a) for d, n, a in local_days if (lo is None or d >= lo) and (hi is None or d <= hi)]
        scores = [n for n, a in inside if a and n is not None]
        counted = metrics.store_metrics(store, lo, hi)
        nps = counted["nps"]
        assert (nps["promoters"], nps["passives"], nps["detractors"]) == (
            sum(map(is_promoter, scores)),
            sum(1 for n in scores if is_passive(n)),
            sum(map(is_detractor, scores)),
        ), (lo, hi)
        assert counted["csat"]["n"] == sum(1 for _, a in inside if a), (lo, hi)
        assert counted["invitations_sent"] == len(inside), (lo, hi)
        email = counted["response_rate_by_channel"]["email"]
        assert (email["sent"], email["answered"]) == (len(inside), sum(1 for _, a in inside if a)), (lo, hi)
        scanned = metrics.store_metrics(store, lo, hi, where=[true()], invitation_where=[true()])
        assert scanned == counted, (lo, hi)
    assert len({d for d, _, _ in local_days}) > 10
    assert db.session.query(Response).count() > 30
