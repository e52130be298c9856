"""What generalises beyond the team's labelled sets (issue 14): word sense, three-star texts,
complaints with no opinion word, politeness, slang both ways, irony. Written by the team,
one comment per kind of failure (generalisation_cases.tsv: language, label, text); none of them
is in tests/data."""

from pathlib import Path

import pytest

from surveys.reading.sentiment import label_for, lexicon, read
from surveys.reading.textnorm import fold

CASES = [
    tuple(line.split("\t"))
    for line in (Path(__file__).with_name("generalisation_cases.tsv")).read_text(encoding="utf-8").splitlines()
    if line.strip()
]


@pytest.mark.parametrize(("lang", "expected", "text"), CASES)
def test_reads_like_its_author_meant(lang, expected, text):
    assert label_for(read(text, lang).polarity, lang) == expected


def test_garment_and_fit_nouns_are_not_praise():
    assert read("I bought this top", "en").hits == []
    assert read("The fit", "en").hits == []
    assert read("Top quality, great fit", "en").polarity > 0.5


def test_phrases_tolerate_inserted_words():
    assert read("nunca me llegó", "es").hard_failure
    assert read("llegó todo roto", "es").hard_failure
    assert read("it never even arrived", "en").hard_failure


def test_courtesy_in_a_complaint_is_not_praise():
    complaint = read("Buenas tardes, les agradecería que me digan dónde está mi pedido. Gracias", "es")
    assert all(h.score <= 0 for h in complaint.hits)
    assert read("Muchas gracias, todo perfecto", "es").polarity > 0.5


@pytest.mark.parametrize(
    ("text", "lang", "sign"),
    [
        ("Llegó en 2 días", "es", 1),
        ("Me llegó al día siguiente", "es", 1),
        ("Tardó tres semanas", "es", -1),
        ("Arrived in 3 weeks", "en", -1),
        ("Arrived in 24 hours", "en", 1),
    ],
)
def test_delivery_times_are_read_by_their_length(text, lang, sign):
    assert read(text, lang).polarity * sign > 0.3


def test_a_delay_is_not_a_fast_delivery():
    assert read("Arrived a day late", "en").polarity < 0


@pytest.mark.parametrize(
    ("word", "lang", "sign"),
    [("pésimamente", "es", -1), ("estafas", "es", -1), ("beautifully", "en", 1), ("comfiest", "en", 1)],
)
def test_regular_forms_of_known_words_are_known(word, lang, sign):
    assert (lexicon(lang).score(fold(word)) or 0) * sign > 0


def test_forms_that_only_look_derived_are_not():
    assert lexicon("en").score("later") is None and lexicon("en").score("goods") is None
