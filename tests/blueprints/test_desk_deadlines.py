"""The recovery desk's clock: every row shows the deadline that applies now (first contact while
open, resolution once contacted) and marks the overdue ones in words; the queue, the dashboard
and the API count the same overdue tasks; the task page marks a passed resolution; the bulk bar
offers the tasks "to me" in words."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from lxml import html as lxml_html

from surveys.extensions import db
from surveys.models import utcnow
from surveys.services.tenancy import create_staff_user

from ..factories import STAFF_PASSWORD, make_store, sign_in_speaking, unhappy_task


@pytest.fixture
def desk(app):
    store, key = make_store(name="Barro & Co")
    create_staff_user("agente@barro.test", store, "agent", STAFF_PASSWORD)
    db.session.commit()
    return store, key


def _as(client, locale="es"):
    sign_in_speaking(client, "agente@barro.test", locale)


def _clock(task, status="open", first_due=None, resolution_due=None, contacted=None):
    """Move a task's clock: its state, its two deadlines and when first contact was made."""
    task.status = status
    task.first_contact_due_at = first_due
    task.resolution_due_at = resolution_due
    task.first_contact_at = contacted
    if status == "resolved":
        task.resolution, task.resolved_at = "refund", utcnow()
    db.session.commit()
    return task


@pytest.fixture
def clocks(client, desk):
    """Six tasks of the store, one per case; the names say which are overdue."""
    store = desk[0]
    now = utcnow()
    hours = lambda n: now + timedelta(hours=n)  # noqa: E731
    made = [unhappy_task(client, store, email=f"c{n}@example.com") for n in range(6)]
    return {
        "open_late": _clock(made[0], "open", hours(-2), hours(20)),
        "open_in_time": _clock(made[1], "open", hours(1), hours(23)),
        "contacted_late": _clock(made[2], "contacted", hours(-24 * 9), hours(-24 * 5), contacted=hours(-24 * 10)),
        "contacted_in_time": _clock(made[3], "contacted", hours(-30), hours(3), contacted=hours(-31)),
        "open_long_late": _clock(made[4], "open", hours(-24 * 3), hours(-24 * 2)),
        "resolved": _clock(made[5], "resolved", hours(-24 * 9), hours(-24 * 5), contacted=hours(-24 * 9)),
    }


def _rows(client, query=""):
    """The queue as a reader gets it: per row (in order) the deadline kind, the overdue flag and
    the words in its overdue mark; and the overdue count the page states."""
    page = lxml_html.fromstring(client.get("/staff/tasks?" + query).get_data(as_text=True))
    rows = []
    for tr in page.xpath("//table[contains(@class, 'queue')]//tr[@data-task]"):
        mark = tr.xpath(".//td[contains(@class, 'deadline')]//*[contains(@class, 'overdue')]")
        rows.append(
            (
                int(tr.get("data-task")),
                tr.get("data-due"),
                tr.get("data-overdue") == "1",
                mark[0].text_content() if mark else None,
            )
        )
    [count] = page.xpath("//*[contains(@class, 'queue-count')]/@data-overdue") or [None]
    return rows, (int(count) if count is not None else None)


def test_the_queue_marks_every_overdue_task_with_the_deadline_that_applies(client, desk, clocks):
    store, key = desk
    ids = {name: task.id for name, task in clocks.items()}
    _as(client, "es")
    rows, stated = _rows(client)
    late = {ids["open_late"], ids["contacted_late"], ids["open_long_late"]}
    assert {i for i, _, overdue, _ in rows if overdue} == late
    kinds = {i: kind for i, kind, _, _ in rows}
    assert kinds[ids["contacted_late"]] == kinds[ids["contacted_in_time"]] == "resolution"
    assert kinds[ids["open_late"]] == kinds[ids["open_in_time"]] == "first_contact"
    assert kinds[ids["open_long_late"]] == "first_contact"  # open: first contact, though both have passed
    assert all(re.match(r"⚠ vencida hace \d", words) for i, _, _, words in rows if i in late)
    assert all(words is None for i, _, _, words in rows if i not in late)  # no mark on tasks in time
    assert ids["resolved"] not in kinds  # the active queue: open and contacted only

    dashboard = client.get("/staff/dashboard.json").get_json()["metrics"]["recovery"]["overdue"]
    auth = {"Authorization": f"Bearer {key}"}
    api = [
        row["id"]
        for status in ("open", "contacted", "resolved")
        for row in client.get(f"/api/v1/tasks?status={status}", headers=auth).get_json()["data"]
        if row["overdue"]
    ]
    assert stated == dashboard == len(api) == 3 and set(api) == late

    contacted, _ = _rows(client, "status=contacted")
    assert [(i, overdue) for i, _, overdue, _ in contacted] == [
        (ids["contacted_late"], True),
        (ids["contacted_in_time"], False),
    ]


def test_due_first_sorts_by_the_deadline_that_applies(client, desk, clocks):
    _as(client, "en")
    rows, _ = _rows(client, "sort=due")
    order = ["contacted_late", "open_long_late", "open_late", "open_in_time", "contacted_in_time"]
    assert [i for i, _, _, _ in rows] == [clocks[name].id for name in order]
    assert re.match(r"⚠ overdue by \d", rows[0][3])


def _clocks_on_page(client, task_id):
    page = lxml_html.fromstring(client.get(f"/staff/tasks/{task_id}").get_data(as_text=True))
    marks = {p.get("data-clock"): bool(p.xpath(".//*[@data-overdue]")) for p in page.xpath("//*[@data-clock]")}
    return marks, page.xpath("//h1//*[@data-overdue]/@data-overdue")


def test_the_task_page_marks_a_passed_resolution_deadline(client, desk, clocks):
    _as(client, "es")
    assert _clocks_on_page(client, clocks["contacted_late"].id) == (
        {"first_contact": False, "resolution": True},
        ["resolution"],
    )
    assert _clocks_on_page(client, clocks["contacted_in_time"].id) == (
        {"first_contact": False, "resolution": False},
        [],
    )
    assert _clocks_on_page(client, clocks["open_late"].id) == (
        {"first_contact": True, "resolution": False},
        ["first_contact"],
    )


@pytest.mark.parametrize(("locale", "words"), [("es", "A mí"), ("en", "Me")])
def test_the_bulk_bar_offers_the_tasks_to_me_in_words(client, desk, clocks, locale, words):
    _as(client, locale)
    page = lxml_html.fromstring(client.get("/staff/tasks").get_data(as_text=True))
    assert page.xpath(
        "//fieldset[contains(@class, 'bulk')]//select[@name='assignee_id']/option[@value='me']/text()"
    ) == [words]


def test_the_dashboard_counts_one_overdue_task_in_the_singular(client, desk):
    task = unhappy_task(client, desk[0])
    _clock(task, first_due=utcnow() - timedelta(hours=1), resolution_due=utcnow() + timedelta(hours=20))
    _as(client)
    html = client.get("/staff/").get_data(as_text=True)
    assert re.search(r'<span class="overdue">([^<]*)</span>', html).group(1) == "1 vencida"
