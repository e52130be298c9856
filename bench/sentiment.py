"""Comment analysis throughput on one core: the labelled comments, analysed end to end."""

from __future__ import annotations

import time
from pathlib import Path

from surveys.reading.analysis import analyze_text
from surveys.reading.evaluation import load

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def measure(seconds: float = 3.0) -> dict:
    texts = [r.text for lang in ("es", "en") for r in load(DATA / f"comments_{lang}.tsv", lang)]
    for text in texts:  # warm the caches a web worker would have warm
        analyze_text(text)
    runs = []
    for _ in range(3):
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 3:
            for text in texts:
                analyze_text(text)
            done += len(texts)
        runs.append(done / (time.perf_counter() - start))
    runs.sort()
    return {
        "sentiment_texts_per_s": round(runs[1]),
        "sentiment_texts_per_s_min": round(runs[0]),
        "sentiment_texts_per_s_max": round(runs[2]),
    }
