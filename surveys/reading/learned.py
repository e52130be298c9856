"""A small learned component: multinomial logistic regression over word n-grams,
word-start stems and the rule engine's own reading (see docs/sentiment.md).

The weights (``lexicons/model.json``) are fitted by ``scripts/train_sentiment.py`` on
comments composed from clauses the team wrote (``scripts/training/``); nothing is
downloaded. The model is a second opinion: the rule engine decides, and the model
moves a comment the rules read as neutral (no known opinion word) toward the side
it is confident about. Pure Python: a few dictionary look-ups per word.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from .textnorm import is_punct

MODEL_PATH = Path(__file__).with_name("lexicons") / "model.json"
NEGATORS = frozenset(
    "no ni nunca jamas sin tampoco nada nadie not never without nothing nobody "
    "dont didnt doesnt isnt wasnt wont cant couldnt".split()
)
CLASSES = ("negative", "neutral", "positive")


def features(tokens: list[str], rule_polarity: float, hard: bool, hits: int) -> list[tuple[str, float]]:
    """Sparse features of one comment: negation-marked words, bigrams, stems, the rules' reading."""
    out: dict[str, float] = {}
    words = []
    negated = 0
    for tok in tokens:
        if is_punct(tok):
            negated = 0
            words.append("|")
            continue
        if tok.isdigit():
            tok = "<n>"
        mark = "n:" if negated else "w:"
        out[mark + tok] = 1.0
        if len(tok) >= 6 and tok.isalpha():
            out["p:" + tok[:5]] = 1.0
        words.append(tok)
        if tok in NEGATORS:
            negated = 3
        elif negated:
            negated -= 1
    for a, b in zip(words, words[1:]):  # noqa: B905 - pairs of neighbours
        if a != "|" and b != "|":
            out["b:" + a + "_" + b] = 1.0
    out["r:pol"] = rule_polarity * 2.0
    if hard:
        out["r:hard"] = 1.0
    if not hits:
        out["r:none"] = 1.0
    return list(out.items())


class Model:
    def __init__(self, weights: dict[str, list[float]], bias: list[float]):
        self.weights = weights
        self.bias = bias

    def probabilities(self, feats: list[tuple[str, float]]) -> tuple[float, float, float]:
        z = list(self.bias)
        weights = self.weights
        for name, value in feats:
            w = weights.get(name)
            if w is not None:
                z[0] += w[0] * value
                z[1] += w[1] * value
                z[2] += w[2] * value
        top = max(z)
        e = [math.exp(v - top) for v in z]
        s = e[0] + e[1] + e[2]
        return e[0] / s, e[1] / s, e[2] / s


@lru_cache(maxsize=2)
def model(lang: str) -> Model | None:
    """The shipped model for ``lang`` (es/en), or None when no weights are shipped."""
    if not MODEL_PATH.exists():
        return None
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8")).get(lang)
    if not data:
        return None
    return Model({k: v for k, v in data["weights"].items()}, data["bias"])
