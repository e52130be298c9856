"""What a score means: the NPS and CSAT cut-offs, categories and 95% margins of error.

This is the only place a score gets meaning. The predicates below read a number in Python
and a column in SQL alike (``is_detractor(Response.nps)`` is a SQL condition), and the
templates use them as Jinja tests (``{% if response.nps is detractor %}``), so changing a
cut-off here changes the metrics, the filters, the recovery desk and the pages together.
Pure functions; no Flask, no database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.96
SMALL_SAMPLE = 30

NPS_SCALE = range(0, 11)  # 0-10
CSAT_SCALE = range(1, 6)  # 1-5
PROMOTER_MIN = 9  # NPS 9-10: promoter
PASSIVE_MIN = 7  # NPS 7-8: passive; 0-6: detractor
CSAT_SATISFIED_MIN = 4  # CSAT 4-5 counts as satisfied
CSAT_UNHAPPY_MAX = 2  # CSAT 1-2 is an unhappy customer (opens a recovery task)


def is_promoter(score):
    return score >= PROMOTER_MIN


def is_passive(score):
    return (score >= PASSIVE_MIN) & (score < PROMOTER_MIN)


def is_detractor(score):
    return score < PASSIVE_MIN


def is_satisfied(csat):
    return csat >= CSAT_SATISFIED_MIN


def is_unhappy(csat):
    return csat <= CSAT_UNHAPPY_MAX


NPS_CATEGORIES = {"promoter": is_promoter, "passive": is_passive, "detractor": is_detractor}


def nps_category(score: int | None) -> str | None:
    """promoter 9-10, passive 7-8, detractor 0-6."""
    if score is None:
        return None
    if is_promoter(score):
        return "promoter"
    if is_passive(score):
        return "passive"
    return "detractor"


def csat_satisfied(score: int | None) -> bool | None:
    """A CSAT answer of 4 or 5 on the 1-5 scale counts as satisfied."""
    return None if score is None else is_satisfied(score)


def jinja_tests() -> dict:
    """``{% if score is detractor %}`` and friends, None-safe, for the templates."""

    def none_safe(predicate):
        return lambda score: score is not None and bool(predicate(int(score)))

    return {
        "promoter": none_safe(is_promoter),
        "passive": none_safe(is_passive),
        "detractor": none_safe(is_detractor),
        "satisfied": none_safe(is_satisfied),
        "unhappy": none_safe(is_unhappy),
    }


@dataclass(frozen=True)
class NpsSummary:
    score: float | None
    moe95: float | None
    n: int
    promoters: int
    passives: int
    detractors: int

    @property
    def small_sample(self) -> bool:
        return self.n < SMALL_SAMPLE


@dataclass(frozen=True)
class CsatSummary:
    score: float | None
    moe95: float | None
    n: int
    satisfied: int
    ci95: tuple[float, float] | None

    @property
    def small_sample(self) -> bool:
        return self.n < SMALL_SAMPLE


# Pseudo-answers added before the margin is computed (adjusted Wald, Rocks 2016): 3/4 promoter,
# 3/2 passive, 3/4 detractor. Without them the margin collapses to ± 0 whenever every answer falls
# in one category (one answer, or a filter on a category), which would read as an exact score.
NPS_PSEUDO = 3.0


def summarize_nps(promoters: int, passives: int, detractors: int) -> NpsSummary:
    """NPS = %promoters - %detractors (as answered); 95% margin from the adjusted-Wald shares
    p, d over n + 3 answers: SE = 100*sqrt((p + d - (p - d)^2) / (n + 3))."""
    n = promoters + passives + detractors
    if n == 0:
        return NpsSummary(None, None, 0, 0, 0, 0)
    score = 100 * (promoters - detractors) / n
    adjusted = n + NPS_PSEUDO
    p, d = (promoters + NPS_PSEUDO / 4) / adjusted, (detractors + NPS_PSEUDO / 4) / adjusted
    se = 100 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / adjusted)
    return NpsSummary(round(score, 1), round(Z95 * se, 1), n, promoters, passives, detractors)


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion, in percent (sound for small n)."""
    if n == 0:
        return (0.0, 100.0)
    phat = successes / n
    denom = 1 + z * z / n
    centre = (phat + z * z / (2 * n)) / denom
    half = z * math.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / denom
    return (round(100 * max(0.0, centre - half), 1), round(100 * min(1.0, centre + half), 1))


def summarize_csat(satisfied: int, n: int) -> CsatSummary:
    """CSAT = share of 4-5 answers; margin from the Agresti-Coull share (z²/2 pseudo-answers each
    way, so it is never ± 0 at 0% or 100%), Wilson interval beside it."""
    if n == 0:
        return CsatSummary(None, None, 0, 0, None)
    c = satisfied / n
    adjusted = n + Z95 * Z95
    share = (satisfied + Z95 * Z95 / 2) / adjusted
    moe = Z95 * 100 * math.sqrt(share * (1 - share) / adjusted)
    return CsatSummary(round(100 * c, 1), round(moe, 1), n, satisfied, wilson_interval(satisfied, n))
