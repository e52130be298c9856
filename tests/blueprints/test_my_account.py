"""My account (/staff/me): any member sees who they are in this store, chooses their language
and goes on or off shift themselves, reached from the header's user menu; the header says
whether an agent is on shift."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Membership, StaffUser

from ..factories import staff_login, unhappy_task


def _page(client, path="/staff/me"):
    resp = client.get(path)
    assert resp.status_code == 200
    return lxml_html.fromstring(resp.get_data(as_text=True))


def _shift(page):
    """What the page says about the shift: the card's state, its words and the header's (a link to here)."""
    [card] = page.xpath("//section[@data-on-shift]")
    words = card.xpath(".//*[contains(@class, 'shift-state')]//*[contains(@class, 'pill')]")[0].text_content()
    header = page.xpath("//header//a[@href='/staff/me'][@data-on-shift]/@data-on-shift")
    return card.get("data-on-shift"), words.strip(), header


def _member(email):
    return db.session.scalar(select(Membership).join(StaffUser).where(StaffUser.email == email))


@pytest.mark.parametrize(("email", "role"), [("agente@barro.test", "agent"), ("admin@barro.test", "admin")])
def test_any_member_opens_my_account_from_the_user_menu(client, staff_shop, email, role):
    staff_login(client, email)
    dashboard = _page(client, "/staff/")
    assert dashboard.xpath("//details[contains(@class, 'account')]//a/@href") == ["/staff/me"]
    page = _page(client)
    [facts] = page.xpath("//dl[contains(@class, 'facts')]")
    assert email in [dd.text_content() for dd in facts.xpath("./dd")]
    assert facts.xpath(".//dd/@data-role") == [role]


def test_an_agent_goes_off_shift_and_gets_no_new_tasks_then_back_on(client, staff_shop):
    store = staff_shop[0]
    staff_login(client, "agente@barro.test")
    agent = _member("agente@barro.test")
    assert _shift(_page(client)) == ("1", "De turno", ["1"])

    resp = client.post("/staff/me", data={"on_shift": "0"}, headers={"Referer": "http://localhost/staff/me"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/staff/me")
    assert _shift(_page(client)) == ("0", "Fuera de turno", ["0"])
    assert unhappy_task(client, store, email="c1@example.com").assignee_id is None  # the only agent is home

    client.post("/staff/me", data={"on_shift": "1"})
    assert _shift(_page(client)) == ("1", "De turno", ["1"])
    assert unhappy_task(client, store, email="c2@example.com").assignee_id == agent.user_id


def test_the_shift_switch_on_the_page_says_what_it_does(client, staff_shop):
    staff_login(client, "agente@barro.test")
    page = _page(client)
    [form] = page.xpath("//form[.//button[@id='shift-switch']]")
    assert form.get("method") == "post" and form.get("action") == "/staff/me"
    assert form.xpath(".//input[@name='on_shift']/@value") == ["0"]
    assert form.xpath(".//button/text()") == ["Salir de turno"]


def test_a_member_chooses_their_language_on_my_account(client, staff_shop):
    staff_login(client, "agente@barro.test")
    page = _page(client)
    [form] = page.xpath("//form[.//select[@id='me-locale']]")
    assert form.xpath(".//option[@selected]/@value") == ["es"]
    client.post("/staff/me", data={"locale": "en"}, headers={"Referer": "http://localhost/staff/me"})
    page = _page(client)
    assert page.get("lang") == "en" and page.xpath("//select[@id='me-locale']/option[@selected]/@value") == ["en"]
    assert _shift(page)[1] == "On shift"
    db.session.expire_all()
    assert db.session.scalar(select(StaffUser.locale).where(StaffUser.email == "agente@barro.test")) == "en"
