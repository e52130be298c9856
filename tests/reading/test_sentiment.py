"""Sentiment rules on the cases shop comments are made of (pure: no app needed)."""

import ast
from pathlib import Path

import pytest
from textblob import TextBlob

from surveys.reading.sentiment import EnglishAnalyzer, SpanishAnalyzer, blob, label_for, lexicon, read


def label(text, lang="es"):
    return label_for(read(text, lang).polarity, lang)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Excelente calidad, volveré a comprar", "positive"),
        ("Pésimo, nunca llegó", "negative"),
        ("pesimo nunca llego", "negative"),  # no accents
        ("no está nada mal", "positive"),  # double negation
        ("No es bueno", "negative"),
        ("buenísimooo", "positive"),  # superlative + elongation
        ("re rápido el envío, re copado", "positive"),  # Argentina
        ("Me mola mucho", "positive"),  # Spain
        ("Está bien chido", "positive"),  # Mexico
        ("Bacán, muy buena calidad", "positive"),  # Chile
        ("Exelente producto", "positive"),  # typo
        ("Todo perfecto, tal cual la foto 😍", "positive"),
        ("El producto es poco útil", "negative"),
        ("Ni bien ni mal", "neutral"),
        ("Llegó el jueves", "neutral"),
    ],
)
def test_spanish_labels(text, expected):
    assert label(text) == expected


def test_clause_after_pero_weighs_more_than_the_one_before():
    assert read("Bueno pero tardó tres semanas", "es").polarity < 0
    assert read("Tardó un poco pero el producto es excelente", "es").polarity > 0


def test_concession_with_aunque_weighs_less():
    assert read("Aunque tardó, el producto es excelente", "es").polarity > 0


def test_sarcastic_praise_before_a_hard_failure_reads_negative():
    reading = read("Genial, llegó roto", "es")
    assert reading.polarity < -0.4 and reading.hard_failure
    assert read("Great, it arrived broken", "en").polarity < -0.4


def test_recovery_after_a_failure_reads_positive():
    assert read("Llegó roto pero me lo cambiaron rapidísimo, excelente servicio", "es").polarity > 0.3


def test_exclamations_and_boosters_strengthen():
    assert read("Muy bueno!!!", "es").polarity > read("bueno", "es").polarity > 0


def test_textblob_misses_in_english_are_caught():
    assert TextBlob("It never arrived").sentiment.polarity == 0  # TextBlob alone sees nothing
    assert label("It never arrived", "en") == "negative"
    assert label("Arrived broken", "en") == "negative"
    assert label("Not bad at all", "en") == "positive"


def test_analyzers_plug_into_textblob():
    assert TextBlob("Me encantó, súper recomendable", analyzer=SpanishAnalyzer()).sentiment.polarity > 0.5
    assert TextBlob("Waste of money", analyzer=EnglishAnalyzer()).sentiment.polarity < -0.5
    assert -1 <= blob("¡¡¡HORRIBLE!!! 😡😡", "es").sentiment.polarity < -0.8


def test_empty_and_odd_input_is_neutral_not_an_error():
    for text in ["", "   ", "...", "12345", "🙃", "a" * 10000]:
        assert -1 <= read(text, "es").polarity <= 1


READING = Path(__file__).resolve().parents[2] / "surveys" / "reading"


@pytest.mark.parametrize("source", sorted(READING.rglob("*.py")), ids=lambda p: p.stem)
def test_reading_modules_import_neither_flask_nor_the_database(source):
    names, climbs = set(), []
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level > (2 if source.parent != READING else 1):
            climbs.append(node.module)
    assert not names & {"flask", "flask_sqlalchemy", "flask_babel", "sqlalchemy", "surveys"}
    assert not climbs, f"{source.name} reaches out of the reading core: {climbs}"


@pytest.mark.parametrize(
    ("word", "lang"),
    [
        ("estaba", "es"),  # not "estafa"
        ("comida", "es"),  # not "cómoda"
        ("pedido", "es"),  # not "perdido"
        ("precios", "es"),  # not "precioso"
        ("estafeta", "es"),  # the courier, not "estafa"
        ("wanted", "en"),  # not "wasted"
        ("tasted", "en"),
    ],
)
def test_a_common_word_is_never_read_as_a_sentiment_word(word, lang):
    assert lexicon(lang).score(word) is None
    assert read(f"{word} {word}", lang).hits == []


@pytest.mark.parametrize(
    ("typo", "lang", "sign"),
    [("exelente", "es", 1), ("horrrible", "es", -1), ("terible", "en", -1), ("exellent", "en", 1)],
)
def test_an_unknown_word_one_letter_off_is_still_corrected(typo, lang, sign):
    assert (lexicon(lang).score(typo) or 0) * sign > 0


def test_the_vocabulary_ships_in_the_package_and_is_sizeable():
    from surveys.reading.lexicons import vocabulary

    assert len(vocabulary.ES) > 40_000 and len(vocabulary.EN) > 40_000
    assert all(w in vocabulary.ES for w in ("estaba", "comida", "pedido")) and "exelente" not in vocabulary.ES
    assert list(vocabulary.ES) == sorted(set(vocabulary.ES))  # sorted and distinct: searched by bisection
    assert Path(vocabulary.__file__).stat().st_size < 3_000_000


def test_english_lexicon_is_textblobs_own_without_importing_it():
    from textblob.en import sentiment as pattern

    from surveys.reading.sentiment import _pattern_senses

    ours = _pattern_senses()
    assert list(ours) == list(pattern)  # same words, same order
    assert all({k: tuple(v) for k, v in ours[w].items()} == {k: tuple(v) for k, v in pattern[w].items()} for w in ours)
    assert ours["terribly"][None] == tuple(pattern["terrible"]["JJ"])  # the -ly adverbs too
