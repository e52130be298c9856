"""NPS/CSAT arithmetic, checked against hand-computed figures."""

import pytest

from surveys.reading.scoring import csat_satisfied, nps_category, summarize_csat, summarize_nps, wilson_interval


@pytest.mark.parametrize(
    ("score", "category"),
    [(0, "detractor"), (6, "detractor"), (7, "passive"), (8, "passive"), (9, "promoter"), (10, "promoter")],
)
def test_nps_category_boundaries(score, category):
    assert nps_category(score) == category


def test_nps_of_100_answers_with_60_promoters_and_10_detractors_is_50_plus_minus_13_1():
    summary = summarize_nps(promoters=60, passives=30, detractors=10)
    assert summary.score == 50.0
    assert summary.moe95 == 13.1
    assert not summary.small_sample


def test_nps_small_sample_is_flagged_and_margin_is_wide():
    summary = summarize_nps(promoters=5, passives=2, detractors=3)
    assert summary.small_sample
    assert summary.moe95 > 25


def test_nps_with_no_answers_has_no_score():
    assert summarize_nps(0, 0, 0).score is None


def test_csat_is_share_of_4_and_5_with_margin():
    summary = summarize_csat(satisfied=80, n=100)
    assert summary.score == 80.0
    assert summary.moe95 == pytest.approx(7.8, abs=0.1)
    assert csat_satisfied(4) and not csat_satisfied(3)


def test_wilson_interval_stays_inside_0_100_for_all_satisfied():
    lo, hi = wilson_interval(5, 5)
    assert 0 < lo < 100 and hi == 100.0
