"""Counts in the console read as a person would say them: "1 respuesta", "2 respuestas", in the
member's language, with one word for the same thing on the dashboard and the list; the NPS margin
is not "± 0.0" when it is not known."""

from __future__ import annotations

import re

from lxml import html as lxml_html

from ..factories import sent_invitation, staff_login, survey_path


def _answer(client, store, scores):
    for n, score in enumerate(scores):
        client.post(survey_path(sent_invitation(store, email=f"c{n}@example.com")), data={"nps": str(score)})


def _text(client, url: str, xpath: str) -> str:
    node = lxml_html.fromstring(client.get(url).get_data(as_text=True)).xpath(xpath)[0]
    return re.sub(r"\s+", " ", node.text_content()).strip()


NPS_COUNTS = '//*[@data-metric="nps"]//p[@class="muted"]'
LIST_TOTAL = '//*[@id="total"]'
SENT = '//*[@data-metric="response_rate"]//p[@class="muted"]'


def test_one_answer_is_counted_in_the_singular_in_spanish_and_english(client, staff_shop):
    _answer(client, staff_shop[0], [2])
    staff_login(client, "admin@barro.test")
    assert _text(client, "/staff/", NPS_COUNTS) == "1 respuesta: 0 promotores, 0 pasivos, 1 detractor"
    assert _text(client, "/staff/responses", LIST_TOTAL) == "1 respuesta"
    assert _text(client, "/staff/", SENT) == "1 invitación enviada"
    client.post("/staff/me", data={"locale": "en"})
    assert _text(client, "/staff/", NPS_COUNTS) == "1 response: 0 promoters, 0 passives, 1 detractor"
    assert _text(client, "/staff/responses", LIST_TOTAL) == "1 response"
    assert _text(client, "/staff/", SENT) == "1 invitation sent"


def test_several_answers_are_counted_in_the_plural_with_the_same_word_on_both_pages(client, staff_shop):
    _answer(client, staff_shop[0], [10, 9, 2])
    staff_login(client, "admin@barro.test")
    client.post("/staff/me", data={"locale": "en"})
    assert _text(client, "/staff/", NPS_COUNTS) == "3 responses: 2 promoters, 0 passives, 1 detractor"
    assert _text(client, "/staff/responses", LIST_TOTAL) == "3 responses"
    assert _text(client, "/staff/audit", "//*[@data-total]") == "1 entry"  # the sign-in


NPS_BIG = '//*[@data-metric="nps"]//p[@class="big"]'


def test_a_single_answer_shows_no_margin_and_the_api_gives_one_that_is_not_zero(client, staff_shop):
    from surveys.extensions import db
    from surveys.services import tenancy

    store = staff_shop[0]
    _answer(client, store, [2])
    key = tenancy.create_api_key(store)
    db.session.commit()
    staff_login(client, "admin@barro.test")
    assert _text(client, "/staff/", NPS_BIG) == "-100"  # no "± 0.0": one answer says nothing exact
    nps = client.get("/api/v1/metrics", headers={"Authorization": f"Bearer {key}"}).get_json()["nps"]
    assert (nps["n"], nps["score"], nps["small_sample"]) == (1, -100.0, True)
    assert nps["moe95"] > 50  # one answer: the score could be almost anything


def test_answers_all_in_one_category_get_a_margin_that_does_not_collapse_to_zero(client, staff_shop):
    _answer(client, staff_shop[0], [3] * 30 + [10])
    staff_login(client, "admin@barro.test")
    shown = _text(client, "/staff/?category=detractor", NPS_BIG)
    number, _pm, margin = shown.partition(" ± ")
    assert number == "-100" and 3.0 < float(margin) < 15.0, shown
