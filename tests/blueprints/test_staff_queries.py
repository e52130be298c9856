"""The staff console's query strings (filter bars, queues, logs) read by GET forms: a bad value is
an error beside its field, the field keeps what was typed and no figure is shown under filters
other than the ones asked for; good values filter the figures."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from lxml import html as lxml_html
from sqlalchemy import func, select

from surveys.extensions import db
from surveys.models import AuditEntry, utcnow

from ..factories import field_state, sent_invitation, staff_login, survey_path, unhappy_task

ANSWERS = [(10, "TAZA-01"), (0, "JARRO-02"), (9, "TAZA-01")]


def answered(client, store):
    for n, (score, sku) in enumerate(ANSWERS):
        invitation = sent_invitation(store, email=f"q{n}@example.com", items=[{"sku": sku, "name": sku.title()}])
        client.post(survey_path(invitation), data={"nps": str(score)})


def figures(html: str) -> dict:
    """What the dashboard shows: the NPS tile's score and count, the distribution's total, and
    whether the page says its filters are wrong."""
    page = lxml_html.fromstring(html)
    tiles = page.xpath('//*[@data-metric="nps"]')
    dist = page.xpath('//*[@data-series="distribution"]')
    return {
        "nps": (float(tiles[0].get("data-value") or "nan"), int(tiles[0].get("data-n"))) if tiles else None,
        "answers": sum(json.loads(dist[0].get("data-values"))) if dist else None,
        "invalid": bool(page.xpath('//*[@data-filters="invalid"]')),
    }


def today(days=0) -> str:
    return (utcnow() + timedelta(days=days)).date().isoformat()


def test_a_date_that_is_not_a_date_is_marked_beside_its_field_and_no_figure_is_shown(client, staff_shop):
    answered(client, staff_shop[0])
    staff_login(client, "admin@barro.test")
    resp = client.get("/staff/?from=2026-13-45&product=TAZA-01&category=promoter")
    html = resp.get_data(as_text=True)
    start = field_state(html, "from")
    assert resp.status_code == 422
    assert (start["value"], start["invalid"], start["error"], start["beside"]) == (
        "2026-13-45",
        True,
        "una fecha como 2026-11-01",
        True,
    )
    assert start["attrs"]["type"] == "text"  # a date input would blank what was typed
    assert field_state(html, "product")["value"] == "TAZA-01" and field_state(html, "category")["value"] == "promoter"
    assert not field_state(html, "product")["invalid"] and not field_state(html, "to")["invalid"]
    assert figures(html) == {"nps": None, "answers": None, "invalid": True}


def test_a_to_date_before_the_from_date_is_marked_on_the_to_field(client, staff_shop):
    answered(client, staff_shop[0])
    staff_login(client, "admin@barro.test")
    resp = client.get(f"/staff/?from={today()}&to={today(-3)}")
    html = resp.get_data(as_text=True)
    end = field_state(html, "to")
    assert resp.status_code == 422 and (end["value"], end["invalid"], end["beside"]) == (today(-3), True, True)
    assert today() in end["error"] and end["attrs"]["type"] == "date"
    assert field_state(html, "from") == {**field_state(html, "from"), "value": today(), "invalid": False}
    assert figures(html)["nps"] is None and figures(html)["invalid"]


def test_good_dates_and_filters_filter_the_figures(client, staff_shop):
    answered(client, staff_shop[0])
    staff_login(client, "admin@barro.test")

    def shown(query):
        resp = client.get("/staff/?" + query)
        assert resp.status_code == 200
        return figures(resp.get_data(as_text=True))

    assert shown("") == {"nps": (33.3, 3), "answers": 3, "invalid": False}
    assert shown(f"from={today()}&to={today()}&product=TAZA-01") == {"nps": (100.0, 2), "answers": 2, "invalid": False}
    assert shown(f"from={today(1)}")["answers"] == 0 and shown(f"to={today(-1)}")["answers"] == 0
    html = client.get(f"/staff/?from={today(-1)}&category=detractor").get_data(as_text=True)
    assert figures(html)["nps"] == (-100.0, 1) and field_state(html, "from")["value"] == today(-1)
    assert field_state(html, "category")["value"] == "detractor"


def test_an_unknown_choice_is_marked_beside_its_select(client, staff_shop):
    answered(client, staff_shop[0])
    staff_login(client, "admin@barro.test")
    resp = client.get("/staff/?category=fan&language=es")
    html = resp.get_data(as_text=True)
    category = field_state(html, "category")
    assert resp.status_code == 422 and category["invalid"] and category["beside"] and category["error"]
    assert field_state(html, "language")["value"] == "es" and figures(html)["nps"] is None


def test_the_dashboard_json_refuses_bad_filters_with_the_field_named(client, staff_shop):
    answered(client, staff_shop[0])
    staff_login(client, "admin@barro.test")
    resp = client.get("/staff/dashboard.json?from=2026-02-30&product=TAZA-01")
    assert resp.status_code == 422 and resp.get_json()["fields"] == {"from": "una fecha como 2026-11-01"}
    good = client.get(f"/staff/dashboard.json?from={today()}&product=TAZA-01").get_json()
    assert good["filters"] == {"from": today(), "product": "TAZA-01"} and good["metrics"]["nps"]["n"] == 2


def test_the_responses_list_and_csv_follow_the_dates_and_refuse_bad_ones(client, staff_shop):
    store = staff_shop[0]
    answered(client, store)
    staff_login(client, "agente@barro.test")
    listed = client.get(f"/staff/responses?from={today()}&product=TAZA-01").get_data(as_text=True)
    assert lxml_html.fromstring(listed).xpath('//*[@id="total"]')[0].get("data-total") == "2"
    resp = client.get("/staff/responses?to=yesterday")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and field_state(html, "to")["value"] == "yesterday"
    assert field_state(html, "to")["beside"] and not lxml_html.fromstring(html).xpath('//*[@id="total"]')
    assert not lxml_html.fromstring(html).xpath('//a[contains(@href, "responses.csv")]')  # no export of a wrong filter

    exported = client.get(f"/staff/responses.csv?from={today()}&category=detractor").get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(exported)))) == 2  # the header and the one detractor
    logged = db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.store_id == store.id))
    resp = client.get("/staff/responses.csv?from=2026-13-45&to=2026-11-01")
    page = lxml_html.fromstring(resp.get_data(as_text=True))
    assert resp.status_code == 400 and resp.mimetype == "text/html"
    assert "2026-13-45" in page.xpath('//*[@data-status="400"]')[0].text_content()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.store_id == store.id)) == (
        logged
    )  # nothing left the system, nothing to log


def logged_reviews(store, admin_email="admin@barro.test"):
    """Ten review entries by the system on 2026-11-01 and three publications by the admin on 2026-11-20."""
    from datetime import datetime, timezone

    from surveys.models import StaffUser
    from surveys.services import audit

    admin = db.session.scalar(select(StaffUser).where(StaffUser.email == admin_email))
    for n, (actor, action, day) in enumerate([(None, "submitted", 1)] * 10 + [(admin, "published", 20)] * 3):
        audit.record(store.id, actor, action, "review", n + 1).created_at = datetime(2026, 11, day, tzinfo=timezone.utc)
    db.session.commit()


def log_shown(html: str):
    page = lxml_html.fromstring(html)
    total = page.xpath("//*[@data-total]")
    return (int(total[0].get("data-total")) if total else None), len(page.xpath("//tr[@data-entry]"))


def test_the_moderation_log_marks_a_bad_date_and_lists_nothing_and_its_csv_refuses_it(client, staff_shop):
    logged_reviews(staff_shop[0])
    staff_login(client, "agente@barro.test")
    assert log_shown(client.get("/staff/reviews/log?from=2026-11-15&to=2026-11-30").get_data(as_text=True)) == (3, 3)
    resp = client.get("/staff/reviews/log?who=admin@barro.test&from=2026-11-31")
    html = resp.get_data(as_text=True)
    start = field_state(html, "from")
    assert resp.status_code == 422 and log_shown(html) == (None, 0)
    assert (start["value"], start["invalid"], start["beside"]) == ("2026-11-31", True, True)
    assert field_state(html, "who")["value"] == "admin@barro.test" and not field_state(html, "who")["invalid"]
    assert not lxml_html.fromstring(html).xpath("//a[@data-csv]")  # no download under a wrong filter
    resp = client.get("/staff/reviews/log?from=2026-11-20&to=2026-11-01")
    assert resp.status_code == 422 and field_state(resp.get_data(as_text=True), "to")["invalid"]

    refused = client.get("/staff/reviews/log.csv?from=2026-11-31")
    assert refused.status_code == 400 and refused.mimetype == "text/html"
    body = client.get("/staff/reviews/log.csv?from=2026-11-15").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(body)))) == 3


def test_the_audit_log_marks_a_who_longer_than_any_address(client, staff_shop):
    logged_reviews(staff_shop[0])
    staff_login(client, "admin@barro.test")
    assert log_shown(client.get("/staff/audit?who=admin@barro.test").get_data(as_text=True))[0] == 4  # and the sign-in
    resp = client.get("/staff/audit?who=" + "a" * 321)
    who = field_state(resp.get_data(as_text=True), "who")
    assert resp.status_code == 422 and who["invalid"] and who["beside"] and "320" in who["error"]


def queue(client, query=""):
    resp = client.get("/staff/tasks?" + query)
    page = lxml_html.fromstring(resp.get_data(as_text=True))
    current = [a.get("href") for a in page.xpath('//nav[@class="filters"]/a[@aria-current="page"]')]
    return resp.status_code, [int(i) for i in page.xpath("//tr/@data-task")], current, page


def test_the_queue_marks_a_bad_search_or_sort_and_keeps_what_was_typed(client, staff_shop):

    store = staff_shop[0]
    first = unhappy_task(client, store, email="ana@example.com", nps=5)
    second = unhappy_task(client, store, email="bruno@example.com", nps=0)
    staff_login(client, "agente@barro.test")
    client.post(f"/staff/tasks/{first.id}/dismiss", data={"reason": "Duplicado"})
    status, ids, current, _ = queue(client, "q=bruno&sort=score")
    assert (status, ids, len(current)) == (200, [second.id], 1)

    status, ids, _, page = queue(client, "q=" + "x" * 101)
    html = lxml_html.tostring(page, encoding="unicode")
    search = field_state(html, "q")
    assert (status, ids, search["value"], search["invalid"], search["beside"]) == (422, [], "x" * 101, True, True)
    assert page.xpath('//*[@data-filters="invalid"]') and not page.xpath('//*[contains(@class, "empty")]')
    status, ids, _, page = queue(client, "sort=oldest&q=ana")
    sort = field_state(lxml_html.tostring(page, encoding="unicode"), "sort")
    assert (status, ids, sort["invalid"], sort["beside"]) == (422, [], True, True)
    assert field_state(lxml_html.tostring(page, encoding="unicode"), "q")["value"] == "ana"

    status, ids, current, _ = queue(client, "status=everything")  # a tab the console has not: the active one
    assert (status, ids) == (200, [second.id]) and "status=active" in current[0]
