"""Server-side SVG chart geometry (no JavaScript, no CDN): pure functions that turn
series into coordinates the templates draw."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    points: str  # "x,y x,y ..." for <polyline>
    band: str  # polygon points for the 95% band
    labels: list[tuple[float, str]]  # (x, text) under the axis
    dots: list[tuple[float, float, str]]  # (x, y, tooltip)
    ticks: list[tuple[float, str]]  # (y, text) on the left axis


def line_chart(
    series: list[dict], lo: float, hi: float, width: int = 640, height: int = 220, pad: int = 36
) -> LineChart | None:
    """series items: {"label", "value", "moe"} (value None = no data that week)."""
    known = [s for s in series if s["value"] is not None]
    if not known:
        return None
    step = (width - 2 * pad) / max(len(series) - 1, 1)

    def y(v: float) -> float:
        v = max(lo, min(hi, v))
        return round(height - pad - (v - lo) / (hi - lo) * (height - 2 * pad), 1)

    coords, upper, lower, dots = [], [], [], []
    for i, s in enumerate(series):
        if s["value"] is None:
            continue
        x = round(pad + i * step, 1)
        coords.append(f"{x},{y(s['value'])}")
        moe = s.get("moe") or 0
        upper.append(f"{x},{y(s['value'] + moe)}")
        lower.append(f"{x},{y(s['value'] - moe)}")
        sign = "+" if lo < 0 else ""
        dots.append((x, y(s["value"]), f"{s['label']}: {s['value']:{sign}.0f} ± {moe:.0f} (n={s.get('n', 0)})"))
    labels = [(round(pad + i * step, 1), s["label"]) for i, s in enumerate(series) if i % 2 == 0]
    ticks = [(y(v), f"{v:+.0f}" if lo < 0 else f"{v:.0f}") for v in (lo, (lo + hi) / 2, hi)]
    return LineChart(width, height, " ".join(coords), " ".join(upper + lower[::-1]), labels, dots, ticks)


def bars(counts: dict[str, int]) -> list[tuple[str, int, float]]:
    """(label, count, share 0..1 of the largest) for horizontal bar charts."""
    top = max(counts.values(), default=0) or 1
    return [(k, v, v / top) for k, v in counts.items()]
