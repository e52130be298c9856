"""Is a customer's WhatsApp reply a request to stop ("BAJA", "STOP", "no más", ...)?

Pure function over the text. Short messages only: "no más" alone is a stop, while
"no más de tres días tardó" is a comment about delivery.
"""

from __future__ import annotations

import re

from .textnorm import fold

# Whole short messages (folded, punctuation dropped) that mean "stop writing to me".
STOP_WORDS = {"baja", "stop", "alto", "unsubscribe", "cancelar", "detener", "parar", "basta"}
STOP_PHRASES = (
    "no mas",
    "darme de baja",
    "dar de baja",
    "dame de baja",
    "de baja",
    "no quiero mas",
    "no me escriban",
    "no me escribas",
    "no enviar",
    "no mandar",
    "stop all",
    "opt out",
    "no more",
    "remove me",
)
MAX_WORDS = 5


def is_opt_out(text: str | None) -> bool:
    """True for BAJA, Stop, "no más", "Darme de baja por favor", "STOP." and the like."""
    words = re.findall(r"[^\W\d_]+", fold(text or ""))
    if not words or len(words) > MAX_WORDS:
        return False
    if words[0] in STOP_WORDS:
        return True
    joined = " ".join(words)
    return any(joined == p or joined.startswith(p + " ") or f" {p}" in f" {joined}" for p in STOP_PHRASES)
