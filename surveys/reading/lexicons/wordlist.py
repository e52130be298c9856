"""A large sorted word list searched where it lies: the text plus the offset of each word.

A frozenset of the 110,000 common words in vocabulary.py costs about 10 MB in every process
(one string object and one hash slot per word); this costs the text and 4 bytes per word,
and a lookup is a binary search (~17 comparisons), for the few words the typo matcher asks.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator
from itertools import accumulate
from operator import add


class WordList:
    """Words of ``text``: sorted, separated by single spaces or newlines (as generated)."""

    def __init__(self, text: str):
        if re.search(r"\s\s", text.strip()):
            raise ValueError("words must be separated by exactly one space or newline")
        self._text = text
        words = text.split()  # only for the lengths, in C; the words themselves are not kept
        lengths = array("I", map(len, words))
        first = len(text) - len(text.lstrip())
        # word k+1 starts one separator after word k ends
        self._starts = array("I", accumulate(map((1).__add__, lengths[:-1]), initial=first))
        self._ends = array("I", map(add, self._starts, lengths))

    def __len__(self) -> int:
        return len(self._starts)

    def __getitem__(self, k: int) -> str:
        return self._text[self._starts[k] : self._ends[k]]

    def __iter__(self) -> Iterator[str]:
        return (self[k] for k in range(len(self)))

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        text, starts, ends = self._text, self._starts, self._ends
        lo, hi = 0, len(starts)
        while lo < hi:  # bisect_left, inlined: a Python __getitem__ per step costs 3x as much
            mid = (lo + hi) // 2
            if text[starts[mid] : ends[mid]] < word:
                lo = mid + 1
            else:
                hi = mid
        return lo < len(starts) and text[starts[lo] : ends[lo]] == word
