"""Compliance rates: passes / (passes + fails), not applicable left out; values worked by
hand below each test's data."""

import math
import random

import pytest

from analytics.compliance import (
    FAIL,
    NOT_APPLICABLE,
    PASS,
    compliance_rate,
    compliance_rates,
    section_scores,
    section_scores_of_counts,
)


def test_one_inspection_scored_by_hand() -> None:
    outcomes = [
        ("language", PASS),
        ("language", PASS),
        ("language", FAIL),
        ("language", NOT_APPLICABLE),  # no phone rang: says nothing
        ("attitude", PASS),
        ("attitude", PASS),
        ("appearance", FAIL),
        ("appearance", PASS),
        ("discipline", NOT_APPLICABLE),
    ]
    scores = section_scores(outcomes)
    # language 2 / (2 + 1) = 0.667; attitude 2 / 2 = 1; appearance 1 / 2 = 0.5;
    # discipline: nothing checked, no rate; overall (2 + 2 + 1) / (5 + 2) = 5 / 7 = 0.714.
    assert scores.sections["language"].rate == pytest.approx(2 / 3)
    assert scores.sections["attitude"].rate == 1.0
    assert scores.sections["appearance"].rate == 0.5
    assert math.isnan(scores.sections["discipline"].rate)
    assert scores.sections["discipline"].n_not_applicable == 1
    assert scores.overall.rate == pytest.approx(5 / 7)
    assert (scores.overall.n_pass, scores.overall.n_fail, scores.overall.n_not_applicable) == (
        5,
        2,
        2,
    )


def test_overall_pools_items_and_is_not_the_mean_of_sections() -> None:
    # language 1/1 = 1.0, quality 1/4 = 0.25: mean of sections 0.625, pooled 2/5 = 0.4.
    scores = section_scores([("language", PASS), ("quality", PASS), *[("quality", FAIL)] * 3])
    assert scores.overall.rate == pytest.approx(0.4)


def test_nothing_checked_has_no_rate_rather_than_zero() -> None:
    assert math.isnan(compliance_rate(0, 0, 3).rate)
    assert math.isnan(section_scores([]).overall.rate)


def test_counts_cannot_be_negative_and_outcomes_must_be_known() -> None:
    with pytest.raises(ValueError, match="negative"):
        compliance_rate(-1, 2)
    with pytest.raises(ValueError, match="unknown outcome"):
        section_scores([("language", "maybe")])


def test_rates_per_place_and_period_worked_by_hand() -> None:
    rows = [
        # hall 1, October: two inspections' language items 3 pass 1 fail, quality 1 fail
        (1, "2026-10", "language", PASS, 3),
        (1, "2026-10", "language", FAIL, 1),
        (1, "2026-10", "quality", FAIL, 1),
        (1, "2026-10", "quality", NOT_APPLICABLE, 1),
        # hall 1, November: everything passed
        (1, "2026-11", "language", PASS, 4),
        # hall 2, October: 1 pass, 3 fail
        (2, "2026-10", "discipline", PASS, 1),
        (2, "2026-10", "discipline", FAIL, 3),
    ]
    rates = compliance_rates(rows)
    assert set(rates) == {(1, "2026-10"), (1, "2026-11"), (2, "2026-10")}
    october = rates[(1, "2026-10")]
    assert october.sections["language"].rate == 0.75  # 3 / 4
    assert october.sections["quality"].rate == 0.0  # 0 / 1, the n/a left out
    assert october.overall.rate == 0.6  # 3 / 5
    assert rates[(1, "2026-11")].overall.rate == 1.0
    assert rates[(2, "2026-10")].overall.rate == 0.25


def test_order_of_rows_and_splitting_counts_change_nothing() -> None:
    rows = [
        ("a", "2026", "language", PASS, 3),
        ("a", "2026", "language", FAIL, 2),
        ("a", "2026", "quality", NOT_APPLICABLE, 1),
        ("b", "2026", "quality", PASS, 1),
    ]
    split = [(p, q, s, o, 1) for p, q, s, o, n in rows for _ in range(n)]
    random.Random(3).shuffle(split)
    assert compliance_rates(split) == compliance_rates(rows)


def test_merging_two_halves_equals_the_whole() -> None:
    first = section_scores_of_counts([("language", PASS, 2), ("language", FAIL, 1)])
    second = section_scores_of_counts([("language", PASS, 1), ("language", NOT_APPLICABLE, 4)])
    whole = section_scores_of_counts(
        [("language", PASS, 3), ("language", FAIL, 1), ("language", NOT_APPLICABLE, 4)]
    )
    assert first.overall + second.overall == whole.overall
    assert whole.overall.rate == 0.75
