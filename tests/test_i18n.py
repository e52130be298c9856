"""The .po files are the source of every translation: each message id in the code has a
finished Spanish entry, nothing stale is left behind, and the committed .mo files are current."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "surveys" / "translations"
SAME_IN_BOTH = {"Detractor", "neutral", "no"}  # words Spanish spells the same


def _key(value):
    return value if isinstance(value, str) else tuple(value)


def _ident(message):
    """A message's identity: its context (e.g. "review widget") and its id."""
    return (message.context, _key(message.id))


def _catalog(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


@pytest.fixture(scope="module")
def code_ids(tmp_path_factory) -> set:
    """Every message id the code and templates use, extracted the way `make translations` does."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    args = [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg", "-k", "_l"]
    args += ["-k", "lazy_pgettext:1c,2"]  # as the Makefile: one review's state has its own context
    subprocess.run([*args, "--no-location", "--omit-header", "-o", str(pot), "."], cwd=ROOT, check=True)
    with pot.open("rb") as fh:
        return {_ident(m) for m in read_po(fh) if m.id}


def test_every_message_in_the_code_has_a_finished_spanish_entry(code_ids):
    catalog = _catalog("es")
    entries = {_ident(m): m for m in catalog if m.id}
    missing = sorted(map(str, code_ids - set(entries)))
    fuzzy = sorted(str(i) for i in code_ids & set(entries) if entries[i].fuzzy)
    empty = sorted(
        str(i)
        for i in code_ids & set(entries)
        if not all(entries[i].string if isinstance(entries[i].string, tuple) else [entries[i].string])
    )
    untranslated = sorted(
        str(i) for i in code_ids & set(entries) if _key(entries[i].string) == i[1] and i[1] not in SAME_IN_BOTH
    )
    assert (missing, fuzzy, empty, untranslated) == ([], [], [], []), "run `make translations`, then translate"
    assert len(code_ids) > 500


def test_spanish_plurals_fill_every_form():
    catalog = _catalog("es")
    plurals = [m for m in catalog if m.id and isinstance(m.id, tuple)]
    assert plurals and catalog.num_plurals == 3
    assert all(len(m.string) == 3 and all(m.string) for m in plurals)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_catalogue_holds_no_stale_or_obsolete_entries(code_ids, lang):
    catalog = _catalog(lang)
    assert not catalog.fuzzy  # a fuzzy header makes pybabel compile skip the whole catalogue
    # A fuzzy entry is a guess pybabel made from a similar id; it is never shown, and it hides
    # that the entry still needs a translator (make translations no longer guesses).
    assert [str(_ident(m)) for m in catalog if m.id and m.fuzzy] == []
    assert dict(catalog.obsolete) == {}
    assert {_ident(m) for m in catalog if m.id} == code_ids


@pytest.mark.parametrize("lang", ["es", "en"])
def test_compiled_catalogue_is_current(lang):
    """The committed .mo holds exactly the finished entries of the .po (what pybabel compile writes)."""
    expected = {_ident(m): _key(m.string) for m in _catalog(lang) if m.id and any(_key(m.string)) and not m.fuzzy}
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo").open("rb") as fh:
        compiled = {_ident(m): _key(m.string) for m in read_mo(fh) if m.id}
    assert compiled == expected, "run `make translations`"
