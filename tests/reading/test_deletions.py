"""The typo matcher's deletion index answers exactly as a dict of every one-letter deletion would."""

from __future__ import annotations

import random

import pytest

from surveys.reading import deletions
from surveys.reading.deletions import DeletionIndex
from surveys.reading.sentiment import TYPO_MIN_LENGTH, lexicon


def _as_dict(words) -> dict[str, str]:
    out: dict[str, str] = {}
    for word in words:
        for k in range(len(word)):
            out.setdefault(word[:k] + word[k + 1 :], word)  # the first word in order wins
    return out


def _probes(words, rng) -> list[str]:
    out = []
    for word in rng.sample(words, min(len(words), 3000)):
        out += [word[:k] + word[k + 1 :] for k in range(len(word))]
        out += [word, word + "s", word[:-1], word[1:] + word[0], word[:2] + "x" + word[3:]]
    return out


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_deletion_of_a_lexicon_names_the_same_word_as_a_dict(lang):
    words = [w for w in lexicon(lang).words if len(w) >= TYPO_MIN_LENGTH and "_" not in w]
    expected = _as_dict(words)
    index = lexicon(lang).deletes
    assert len(expected) > 10_000
    assert all(index.get(key) == word for key, word in expected.items())
    for probe in _probes(words, random.Random(lang)):
        assert index.get(probe) == expected.get(probe)
        assert (probe in index) == (probe in expected)


def test_hash_collisions_still_answer_the_first_word_in_order(monkeypatch):
    monkeypatch.setattr(deletions, "_HASH_BITS", 3)  # eight hash values: nearly every lookup collides
    words = ["abcdef", "abcdeg", "xbcdef", "abcdefg", "bacdef", "aabcdef", "abcdefh", "zzzzzz"]
    index, expected = DeletionIndex(words), _as_dict(words)
    for probe in [*expected, "abcde", "bcdef", "zzzzz", "qqqqq", "abcdefgh", ""]:
        assert index.get(probe) == expected.get(probe)
    assert index.get("bcdef") == "abcdef"  # also a deletion of "xbcdef", listed later
