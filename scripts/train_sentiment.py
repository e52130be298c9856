"""Fit the learned sentiment component (surveys/reading/learned.py) and write its weights.

    .venv/bin/python -m scripts.train_sentiment            # writes surveys/reading/lexicons/model.json
    .venv/bin/python -m scripts.train_sentiment --check    # also prints figures on tests/data (never trained on)

Training text: comments composed (fixed seed) from the team-written clauses in
scripts/training/{es,en}.txt (see its README). Multinomial logistic regression,
plain Python (AdaGrad, L2), weights under PRUNE dropped. Nothing downloaded.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from pathlib import Path

from surveys.reading import learned
from surveys.reading.sentiment import read_rules

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEED = 14
PER_LABEL = {"es": 1500, "en": 1200}
EPOCHS = 12
L2 = 1e-4
RATE = 0.3
PRUNE = 0.02
LABEL_INDEX = {"negative": 0, "neutral": 1, "positive": 2}
JOIN = {
    "es": [", ", ". ", " y ", "; ", "! ", ", además ", " "],
    "en": [", ", ". ", " and ", "; ", "! ", ", also ", " "],
}


def sections(lang: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = None
    for line in (HERE / "training" / f"{lang}.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("## "):
            current = line[3:]
            out.setdefault(current, [])
        elif line and current:
            out[current].append(line)
    return out


def _finish(parts: list[str], rng: random.Random, lang: str) -> str:
    text = parts[0]
    for part in parts[1:]:
        text += rng.choice(JOIN[lang]) + part
    if rng.random() < 0.5:
        text = text[0].upper() + text[1:]
    end = rng.choice(["", ".", "!", "!!", ".", ""])
    return text + end


def compose(lang: str, rng: random.Random) -> list[tuple[str, str]]:
    """Labelled comments: every clause alone, then 1-3 clauses with greetings, facts and thanks."""
    s = sections(lang)
    rows = [(c, "positive") for c in s["pos"]] + [(c, "negative") for c in s["neg"]]
    rows += [(c, "neutral") for key in ("luke", "fact", "q", "mixed") for c in s[key]]
    for label, key in (("positive", "pos"), ("negative", "neg")):
        for _ in range(PER_LABEL[lang]):
            parts = rng.sample(s[key], rng.choice([1, 1, 2, 2, 3]))
            if rng.random() < 0.25:
                parts.insert(rng.randrange(len(parts) + 1), rng.choice(s["fact"]))
            if rng.random() < 0.2:
                parts.insert(0, rng.choice(s["open"]))
            if rng.random() < 0.25:
                parts.append(rng.choice(s["close"]))
            rows.append((_finish(parts, rng, lang), label))
    for _ in range(PER_LABEL[lang]):
        kind = rng.random()
        if kind < 0.35:
            parts = rng.sample(s["luke"], rng.choice([1, 1, 2]))
            if rng.random() < 0.4:
                parts.insert(0, rng.choice(s["fact"]))
        elif kind < 0.55:
            parts = [rng.choice(s["mixed"])]
        elif kind < 0.75:
            parts = [rng.choice(s["q"])]
            if rng.random() < 0.5:
                parts.insert(0, rng.choice(s["open"]))
        elif kind < 0.9:
            parts = rng.sample(s["fact"], rng.choice([1, 2]))
        else:
            parts = [rng.choice(s["pos"]), rng.choice(s["luke"]), rng.choice(s["neg"])]
            rng.shuffle(parts)
        if rng.random() < 0.2:
            parts.append(rng.choice(s["close"]))
        rows.append((_finish(parts, rng, lang), "neutral"))
    return rows


def featurize(text: str, lang: str):
    reading = read_rules(text, lang)
    return learned.features(reading.tokens, reading.polarity, reading.hard_failure, len(reading.hits))


def train(rows, lang: str, rng: random.Random) -> dict:
    data = [(featurize(t, lang), LABEL_INDEX[y]) for t, y in rows]
    weights: dict[str, list[float]] = {}
    grads: dict[str, list[float]] = {}
    bias, bias_g = [0.0, 0.0, 0.0], [1e-8, 1e-8, 1e-8]
    for _epoch in range(EPOCHS):
        rng.shuffle(data)
        for feats, y in data:
            z = list(bias)
            for name, value in feats:
                w = weights.get(name)
                if w is not None:
                    for c in range(3):
                        z[c] += w[c] * value
            top = max(z)
            e = [math.exp(v - top) for v in z]
            total = sum(e)
            err = [e[c] / total - (1.0 if c == y else 0.0) for c in range(3)]
            for c in range(3):
                bias_g[c] += err[c] ** 2
                bias[c] -= RATE * err[c] / math.sqrt(bias_g[c])
            for name, value in feats:
                w = weights.setdefault(name, [0.0, 0.0, 0.0])
                g = grads.setdefault(name, [1e-8, 1e-8, 1e-8])
                for c in range(3):
                    grad = err[c] * value + L2 * w[c]
                    g[c] += grad * grad
                    w[c] -= RATE * grad / math.sqrt(g[c])
    kept = {name: [round(v, 3) for v in w] for name, w in sorted(weights.items()) if max(abs(v) for v in w) >= PRUNE}
    return {"bias": [round(v, 3) for v in bias], "weights": kept}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(learned.MODEL_PATH))
    args = parser.parse_args()
    out = {}
    for lang in ("es", "en"):
        rng = random.Random(SEED)  # noqa: S311 - a reproducible shuffle, not a secret
        rows = compose(lang, rng)
        out[lang] = train(rows, lang, rng)
        print(f"{lang}: {len(rows)} training comments, {len(out[lang]['weights'])} weights")
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
