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


def test_the_same_predicates_read_a_number_in_python_and_a_column_in_sql(app):
    import sqlalchemy as sa

    from surveys.extensions import db
    from surveys.reading.scoring import NPS_CATEGORIES, is_satisfied, is_unhappy

    for score in range(0, 11):
        column = sa.literal(score, sa.Integer)
        for name, predicate in NPS_CATEGORIES.items():
            assert db.session.scalar(sa.select(sa.case((predicate(column), True), else_=False))) == bool(
                predicate(score)
            ), (name, score)
            assert bool(predicate(score)) == (nps_category(score) == name)
    for score in range(1, 6):
        column = sa.literal(score, sa.Integer)
        assert db.session.scalar(sa.select(sa.case((is_satisfied(column), True), else_=False))) == (score >= 4)
        assert db.session.scalar(sa.select(sa.case((is_unhappy(column), True), else_=False))) == (score <= 2)


def test_templates_ask_the_same_rule_and_a_missing_score_is_no_category():
    from surveys.reading.scoring import jinja_tests

    tests = jinja_tests()
    assert [s for s in range(11) if tests["detractor"](s)] == list(range(7))
    assert [s for s in range(11) if tests["passive"](s)] == [7, 8]
    assert [s for s in range(11) if tests["promoter"](s)] == [9, 10]
    assert [s for s in range(1, 6) if tests["unhappy"](s)] == [1, 2]
    assert not any(test(None) for test in tests.values())
    assert tests["detractor"]("3")  # chart labels arrive as text


def test_no_score_cut_off_is_typed_outside_the_scoring_module():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "surveys"
    cut_off = re.compile(
        r"\b(nps|csat|score|rating|followup_score)\b\s*(<=|>=|<|>)\s*[1-9]|\|int\s*(<=|>=|<|>)\s*[1-9]"
    )
    found = [
        f"{path.relative_to(root)}:{n}: {line.strip()}"
        for path in [*root.rglob("*.py"), *root.rglob("*.html")]
        if path.name != "scoring.py" and "lexicons" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if cut_off.search(line)
    ]
    assert found == []
