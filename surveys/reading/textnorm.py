"""Tokenising shop comments the same way for language detection, sentiment and topics.

Pure functions: lowercase, accent-insensitive word forms, emojis and emoticons as
tokens, punctuation kept (it bounds negation and contrast), elongations folded.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

EMOJI = "[\U0001f300-\U0001faff\u2600-\u27bf\u2b50\u2764\u2639\u263a]\ufe0f?"
TOKEN = re.compile(
    r"(?:[:;=]-?[()dDpP\]\[/\\]|<3|\bx[dD]\b)"  # emoticons
    r"|\d+\s?/\s?\d+|\d+%?"  # 10/10, 100%
    r"|[^\W\d_]+(?:['’][^\W\d_]+)*\+*"  # words (with apostrophes), "a+"
    r"|" + EMOJI + r"|[!?¡¿.,;:…]"
)
PUNCT = set("!?¡¿.,;:…")
_ELONGATED = re.compile(r"(.)\1{2,}")


@lru_cache(maxsize=50_000)
def fold(word: str) -> str:
    """Lowercase and strip accents ("Pésimo" -> "pesimo", "daño" -> "dano")."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("'", "").replace("’", "")


def tokenize(text: str) -> list[str]:
    """Folded tokens; emoticons and emojis kept whole, punctuation as its own token."""
    return [fold(t) if t[0].isalpha() else t.replace(" ", "") for t in TOKEN.findall(text)]


def raw_tokens(text: str) -> list[str]:
    """Tokens as written (for ALL-CAPS emphasis)."""
    return [t for t in TOKEN.findall(text)]


def unelongate(word: str) -> list[str]:
    """Candidate spellings of an elongated word: 'buenooo' -> ['buenoo', 'bueno']."""
    if not _ELONGATED.search(word):
        return []
    return [_ELONGATED.sub(r"\1\1", word), _ELONGATED.sub(r"\1", word)]


def is_punct(token: str) -> bool:
    return token in PUNCT
