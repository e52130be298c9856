"""What generalises beyond the team's labelled sets (issue 14): word sense, three-star texts,
complaints with no opinion word, politeness, slang both ways, irony. Written by the team,
one comment per kind of failure (generalisation_cases.tsv: language, label, text); none of them
is in tests/data."""

from pathlib import Path

import pytest

from surveys.reading.sentiment import label_for, read

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
