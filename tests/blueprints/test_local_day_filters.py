"""The console's and the API's date filters are the shop's calendar days: in a store on Mexico
City's clock (UTC-6), an answer at 05:30 UTC belongs to the day before, one at 06:30 UTC to the
day itself, in the dashboard's tiles and charts, the responses list, its CSV and the API metrics."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import pytest

from surveys.extensions import db
from surveys.models import Response
from surveys.reading.scoring import nps_category
from surveys.services.tenancy import create_staff_user

from ..factories import STAFF_PASSWORD, make_store, sent_invitation, staff_login


def _utc(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=timezone.utc)


# order id -> (answered at, NPS); the shop's day in the comment (Monday 16 Nov starts a week)
ANSWERS = {
    "DAY-A": (_utc(15, 5, 30), 0),  # Sat 14 Nov 23:30
    "DAY-B": (_utc(15, 6, 30), 10),  # Sun 15 Nov 00:30
    "DAY-E": (_utc(15, 12, 0), 9),  # Sun 15 Nov 06:00
    "DAY-C": (_utc(16, 5, 30), 3),  # Sun 15 Nov 23:30
    "DAY-F": (_utc(16, 5, 45), 8),  # Sun 15 Nov 23:45
    "DAY-D": (_utc(16, 6, 30), 10),  # Mon 16 Nov 00:30
}
ON_15 = {"DAY-B", "DAY-E", "DAY-C", "DAY-F"}


@pytest.fixture
def shop(app):
    store, key = make_store(name="Barro & Co", timezone="America/Mexico_City")
    create_staff_user("admin@barro.test", store, "admin", STAFF_PASSWORD)
    for order_id, (at, nps) in ANSWERS.items():
        invitation = sent_invitation(store, order_id=order_id)
        invitation.sent_at = invitation.answered_at = at
        db.session.add(
            Response(
                store_id=store.id, invitation_id=invitation.id, nps=nps, nps_category=nps_category(nps),
                csat=5 if nps >= 9 else 2, created_at=at, updated_at=at, hidden_detractor=False,
            )
        )  # fmt: skip
    db.session.commit()
    return store, key


DAY_15 = "from=2026-11-15&to=2026-11-15"


def test_the_dashboard_counts_the_shops_day(client, shop):
    staff_login(client, "admin@barro.test")
    data = client.get(f"/staff/dashboard.json?{DAY_15}").get_json()
    nps = data["metrics"]["nps"]
    assert (nps["n"], nps["promoters"], nps["passives"], nps["detractors"]) == (4, 2, 1, 1)
    assert data["metrics"]["csat"]["n"] == 4
    assert data["metrics"]["invitations_sent"] == 4 and data["metrics"]["response_rate"] == 1.0
    assert data["distribution"]["0"] == 0 and data["distribution"]["3"] == 1 and data["distribution"]["10"] == 1
    assert sum(p["n"] for p in data["products"]) == 4
    promoters = client.get(f"/staff/dashboard.json?{DAY_15}&category=promoter").get_json()
    assert promoters["metrics"]["nps"]["n"] == 2
    the_16th = client.get("/staff/dashboard.json?from=2026-11-16&to=2026-11-16").get_json()["metrics"]
    assert (the_16th["nps"]["n"], the_16th["invitations_sent"]) == (1, 1)


def test_the_weekly_charts_cut_weeks_at_the_shops_monday_midnight(client, shop):
    staff_login(client, "admin@barro.test")
    data = client.get("/staff/dashboard.json?from=2026-11-09&to=2026-11-22").get_json()
    weeks = {w["week"]: w["n"] for w in data["weekly_nps"]}
    assert weeks == {"2026-11-09": 5, "2026-11-16": 1}
    csat = {w["week"]: w["n"] for w in data["weekly_csat"]}
    assert csat == {"2026-11-09": 5, "2026-11-16": 1}


def test_the_responses_list_and_its_csv_hold_the_shops_day(client, shop):
    staff_login(client, "admin@barro.test")
    html = client.get(f"/staff/responses?{DAY_15}").get_data(as_text=True)
    assert {o for o in ANSWERS if o in html} == ON_15
    rows = list(csv.reader(io.StringIO(client.get(f"/staff/responses.csv?{DAY_15}").get_data(as_text=True))))
    assert len(rows) == 1 + 4
    assert {row[1] for row in rows[1:]} == ON_15
    assert sorted(row[0][:10] for row in rows[1:]) == ["2026-11-15"] * 4  # the times printed are the same day


def test_the_api_metrics_count_the_shops_day(client, shop):
    _, key = shop
    headers = {"Authorization": f"Bearer {key}"}
    body = client.get(f"/api/v1/metrics?{DAY_15}", headers=headers).get_json()
    assert (body["nps"]["n"], body["nps"]["promoters"], body["nps"]["detractors"]) == (4, 2, 1)
    assert body["invitations_sent"] == 4
    up_to_14 = client.get("/api/v1/metrics?to=2026-11-14", headers=headers).get_json()
    assert (up_to_14["nps"]["n"], up_to_14["nps"]["detractors"], up_to_14["invitations_sent"]) == (1, 1, 1)
    from_16 = client.get("/api/v1/metrics?from=2026-11-16", headers=headers).get_json()
    assert (from_16["nps"]["n"], from_16["invitations_sent"]) == (1, 1)
