"""The typo matcher's index: which lexicon word becomes a given string when one letter is deleted.

A dict from every one-letter deletion to its word held about 66,000 strings (some 6 MB in
every web worker once comments are read). This keeps, per deletion, 8 bytes of its hash and
its position, and 2 bytes naming the word, sorted by hash: a lookup is a bisection in C over
the hashes, then the few candidates with that hash are checked letter by letter, so the answer
is exactly the dict's, the first word in the lexicon's order that yields the string.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable

_SEQ_BITS = 20  # positions below 2**20 (a lexicon yields ~60,000 deletions)
_HASH_BITS = 63 - _SEQ_BITS  # hash and position share one signed 64-bit key, hash first


def _is_deletion(word: str, key: str) -> bool:
    """Whether deleting one letter of ``word`` gives ``key``."""
    if len(word) != len(key) + 1:
        return False
    k = 0
    while k < len(key) and word[k] == key[k]:
        k += 1
    return word[k + 1 :] == key[k:]


class DeletionIndex:
    """``index.get(key)``: the first of ``words`` that gives ``key`` with one letter deleted."""

    def __init__(self, words: Iterable[str]):
        self._words = list(words)
        if len(self._words) >= 2**16:
            raise ValueError("at most 65,535 words")
        mask = (1 << _HASH_BITS) - 1
        keys = array("q")
        owners = array("H")  # owners[position]: the word whose deletion is at that position
        for n, word in enumerate(self._words):
            for k in range(len(word)):
                if len(keys) >= 1 << _SEQ_BITS:
                    raise ValueError("too many deletions")
                keys.append(((hash(word[:k] + word[k + 1 :]) & mask) << _SEQ_BITS) | len(keys))
                owners.append(n)
        keys = array("q", sorted(keys))  # by hash, then by position: the lexicon's order
        self._keys, self._owners = keys, owners

    def get(self, key: str) -> str | None:
        h = (hash(key) & ((1 << _HASH_BITS) - 1)) << _SEQ_BITS
        keys, top = self._keys, h | ((1 << _SEQ_BITS) - 1)
        i = bisect_left(keys, h)
        while i < len(keys) and keys[i] <= top:  # same hash: in the lexicon's order
            word = self._words[self._owners[keys[i] & ((1 << _SEQ_BITS) - 1)]]
            if _is_deletion(word, key):
                return word
            i += 1
        return None

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None
