"""Small things a reader notices in the console: the timeline names people, not addresses, and
puts no space before a colon; signing in sends you back to the page you asked for as it was."""

from __future__ import annotations

import re

from lxml import html as lxml_html
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import StaffUser

from ..factories import STAFF_PASSWORD, staff_login, survey_path, unhappy_task


def _timeline(client, task_id: int) -> list[str]:
    page = lxml_html.fromstring(client.get(f"/staff/tasks/{task_id}").get_data(as_text=True))
    return [re.sub(r"\s+", " ", li.text_content()).strip() for li in page.xpath('//ol[@class="timeline"]/li')]


def test_the_timeline_names_the_assignee_and_puts_no_space_before_a_colon(client, staff_shop):
    store = staff_shop[0]
    agent = db.session.scalar(select(StaffUser).where(StaffUser.email == "agente@barro.test"))
    agent.name = "Lucía Gómez"
    db.session.commit()
    task = unhappy_task(client, store)
    staff_login(client, "admin@barro.test")
    client.post(f"/staff/tasks/{task.id}/assign", data={"assignee_id": str(agent.id)})
    changed = {"nps": "10", "comment": "Ya me lo cambiaron, todo perfecto"}
    client.post(survey_path(task.response.invitation), data=changed)  # the customer changed the answer
    lines = _timeline(client, task.id)
    assigned = [line for line in lines if " asignada: " in line]
    assert assigned and assigned[-1].endswith("asignada: Lucía Gómez"), lines
    assert not any("@" in line for line in assigned)
    assert lines[-1].endswith("Postventa descartada: el cliente cambió su respuesta"), lines
    assert not any(" :" in line for line in lines), lines


def test_signing_in_goes_back_to_the_page_asked_for_without_a_stray_question_mark(client, staff_shop):
    bare = client.get("/staff/tasks")
    assert bare.status_code == 302 and bare.headers["Location"].endswith("/staff/login?next=/staff/tasks")
    asked = client.get("/staff/tasks?status=open")
    assert asked.headers["Location"].endswith("/staff/login?next=/staff/tasks?status%3Dopen")
    assert staff_login(client, "admin@barro.test", next_url="/staff/tasks").headers["Location"] == "/staff/tasks"
    signed_in = client.post(asked.headers["Location"], data={"email": "admin@barro.test", "password": STAFF_PASSWORD})
    assert signed_in.headers["Location"] == "/staff/tasks?status=open"  # the page as it was asked for
