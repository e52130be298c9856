"""Measure comment understanding on a labelled set: sentiment, topics, language.

Label thresholds are chosen by k-fold cross-validation (picked on the training
folds, scored on the held-out fold), so the reported figures are never from
thresholds tuned on the rows they score. Pure: no Flask, no database.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from pathlib import Path

from .language import detect_language
from .sentiment import label_for, read
from .topics import find_topics

LABELS = ("negative", "neutral", "positive")
GRID = [round(x * 0.05, 2) for x in range(-14, 15)]


@dataclass
class Row:
    label: str
    topics: set[str]
    region: str
    text: str
    lang: str
    polarity: float = 0.0


def load(path: Path, lang: str) -> list[Row]:
    with path.open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [Row(r["label"], {t for t in r["topics"].split(",") if t}, r["region"], r["text"], lang) for r in reader]


def classify(polarity: float, neg: float, pos: float) -> str:
    return "negative" if polarity <= neg else "positive" if polarity >= pos else "neutral"


def macro_f1(gold: list[str], pred: list[str]) -> float:
    scores = []
    for label in LABELS:
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(p == label and g != label for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, pred, strict=True))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return sum(scores) / len(scores)


def fit_thresholds(rows: list[Row]) -> tuple[float, float]:
    """The (negative, positive) cut-offs that maximise macro-F1 on ``rows``."""
    gold = [r.label for r in rows]
    best, best_score = (-0.2, 0.35), -1.0
    for neg, pos in itertools.product(GRID, GRID):
        if neg >= pos:
            continue
        score = macro_f1(gold, [classify(r.polarity, neg, pos) for r in rows])
        if score > best_score + 1e-9:
            best, best_score = (neg, pos), score
    return best


def cross_validated(rows: list[Row], folds: int = 5) -> list[str]:
    """Out-of-fold predictions: each row labelled with thresholds fitted without it."""
    pred = [""] * len(rows)
    for k in range(folds):
        train = [r for i, r in enumerate(rows) if i % folds != k]
        neg, pos = fit_thresholds(train)
        for i, r in enumerate(rows):
            if i % folds == k:
                pred[i] = classify(r.polarity, neg, pos)
    return pred


def evaluate(rows: list[Row], folds: int = 5) -> dict:
    """Sentiment, topic and language figures for one labelled set.

    ``macro_f1`` and ``accuracy`` use thresholds cross-validated on the set itself
    (an upper bound); ``label_macro_f1`` and ``neg_vs_pos_labels`` use the labels the
    product ships (``THRESHOLDS``), the figures a customer's comment actually gets:
    on the clearly negative and clearly positive rows, a "neutral" answer is wrong.
    """
    for r in rows:
        r.polarity = read(r.text, r.lang).polarity
    pred = cross_validated(rows, folds)
    gold = [r.label for r in rows]
    shipped = [label_for(r.polarity, r.lang) for r in rows]
    polar = [(g, r.polarity) for g, r in zip(gold, rows, strict=True) if g != "neutral"]
    polar_labels = [(g, p) for g, p in zip(gold, shipped, strict=True) if g != "neutral"]
    neg_pred = [g for g, p in zip(gold, pred, strict=True) if p == "negative"]
    tp = fp = fn = 0
    for r in rows:
        found = set(find_topics(r.text, items=True))
        tp += len(found & r.topics)
        fp += len(found - r.topics)
        fn += len(r.topics - found)
    topic_p = tp / (tp + fp) if tp + fp else 0.0
    topic_r = tp / (tp + fn) if tp + fn else 0.0
    return {
        "n": len(rows),
        "accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / len(rows), 3),
        "macro_f1": round(macro_f1(gold, pred), 3),
        "neg_vs_pos_accuracy": round(sum((p < 0) == (g == "negative") for g, p in polar) / len(polar), 3),
        "label_macro_f1": round(macro_f1(gold, shipped), 3),
        "neg_vs_pos_labels": round(sum(g == p for g, p in polar_labels) / len(polar_labels), 3)
        if polar_labels
        else 0.0,
        "negative_precision": round(neg_pred.count("negative") / len(neg_pred), 3) if neg_pred else 0.0,
        "topic_micro_f1": round(2 * topic_p * topic_r / (topic_p + topic_r), 3) if topic_p + topic_r else 0.0,
        "language_accuracy": round(
            sum(detect_language(r.text) == r.lang for r in rows if r.text.strip("."))
            / sum(1 for r in rows if r.text.strip(".")),
            3,
        ),
        "thresholds_all_rows": fit_thresholds(rows),
    }
