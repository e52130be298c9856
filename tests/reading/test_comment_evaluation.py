"""Floors on the team's labelled sets (thresholds cross-validated, never fit on the scored rows)."""

from pathlib import Path

import pytest

from surveys.reading.evaluation import evaluate, load

DATA = Path(__file__).resolve().parents[1] / "data"
# A little under the measured figures (docs/sentiment.md). Topic floors fell when a comment
# naming no aspect stopped being tagged "product" (issue 14): the sets were labelled the old way.
FLOORS = {
    "es": {
        "macro_f1": 0.92,
        "label_macro_f1": 0.94,
        "neg_vs_pos_accuracy": 0.97,
        "neg_vs_pos_labels": 0.96,
        "negative_precision": 0.94,
        "topic_micro_f1": 0.8,
        "language_accuracy": 0.98,
    },
    "en": {
        "macro_f1": 0.93,
        "label_macro_f1": 0.93,
        "neg_vs_pos_accuracy": 0.96,
        "neg_vs_pos_labels": 0.95,
        "negative_precision": 0.94,
        "topic_micro_f1": 0.72,
        "language_accuracy": 0.97,
    },
}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_labelled_set_meets_its_floors(lang):
    rows = load(DATA / f"comments_{lang}.tsv", lang)
    assert len(rows) >= {"es": 400, "en": 200}[lang]
    counts = {label: sum(r.label == label for r in rows) for label in ("negative", "neutral", "positive")}
    assert max(counts.values()) - min(counts.values()) <= 0.1 * len(rows)  # balanced
    result = evaluate(rows)
    for metric, floor in FLOORS[lang].items():
        assert result[metric] >= floor, (metric, result)


# Held-out sets written without looking at the rules (tests/data/sealed/README.md). Only the
# aggregate figures are read; floors a little under the measured ones (docs/sentiment.md).
SEALED = DATA / "sealed"
SEALED_FLOORS = {
    "es": {"label_macro_f1": 0.86, "neg_vs_pos_labels": 0.91, "topic_micro_f1": 0.79, "language_accuracy": 0.98},
    "en": {"label_macro_f1": 0.76, "neg_vs_pos_labels": 0.84, "topic_micro_f1": 0.79, "language_accuracy": 0.98},
}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_sealed_set_meets_its_floors(lang):
    path = SEALED / f"comments_{lang}.tsv"
    if not path.exists():
        pytest.skip("no sealed set in this checkout")
    result = evaluate(load(path, lang))
    low = {metric: result[metric] for metric, floor in SEALED_FLOORS[lang].items() if result[metric] < floor}
    assert not low, low  # aggregates only: never a row of the sealed set
