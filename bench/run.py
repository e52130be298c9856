"""Run the benchmarks that exist and write bench/results.json (keys per CONTRACT.md)."""

from __future__ import annotations

import json
from pathlib import Path

from . import sentiment


def main() -> None:
    results = {}
    results.update(sentiment.measure())
    out = Path(__file__).resolve().parent / "results.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
