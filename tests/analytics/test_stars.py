"""Staff star ratings: the documented bands on the shrunken index, checked by hand."""

import math

import numpy as np
import pytest

from analytics.power_sums import AnswerMatrix, Dimension, Layout, PowerSums, power_sums
from analytics.rankings import index_ranking
from analytics.stars import STAR_BANDS, band_of, star_rating, stars_for_score

LAYOUT = Layout((Dimension("speed", ("q1",)),), scale=(1, 7))


def clerk(values: list[int]) -> PowerSums:
    p = np.array([[v] for v in values], dtype=float)
    return power_sums(AnswerMatrix(LAYOUT, {"P": p}, overall=np.full(len(p), np.nan)))


@pytest.mark.parametrize(
    ("score", "stars"),
    [(0.0, 1), (59.99, 1), (60.0, 2), (69.9, 2), (70.0, 3), (80.0, 4), (90.0, 5), (100.0, 5)],
)
def test_bands_are_closed_below(score: float, stars: int) -> None:
    assert stars_for_score(score) == stars
    low, high = band_of(stars)
    assert low <= score <= high


def test_nan_score_is_an_error_not_a_star() -> None:
    with pytest.raises(ValueError, match="number"):
        stars_for_score(math.nan)


def test_rating_uses_the_shrunken_index_and_says_how_far_it_was_pulled() -> None:
    """Index on 1–7 is 100·(P̄ − 1)/6. Clerk A: 40 answers of 7 (own index 100) among
    clerks with spread; the shrunken index (n I + W μ)/(n + W) is below 100 and the pull
    W/(n + W) is reported; stars follow the band of the shrunken index, not the own one."""
    ranking = index_ranking(
        {
            "A": clerk([7] * 40),
            "B": clerk([4, 5] * 30),
            "C": clerk([3, 4] * 30),
            "D": clerk([5, 6] * 30),
        },
        scale=(1, 7),
        min_n=30,
    )
    unit = next(u for u in ranking.units if u.unit == "A")
    rating = star_rating(unit, ranking)
    w = ranking.prior_weight
    assert rating.pull == pytest.approx(w / (40 + w))
    expected_score = (40 * 100.0 + w * ranking.parent_index) / (40 + w)
    assert rating.score == pytest.approx(expected_score)
    assert rating.stars == stars_for_score(expected_score)
    assert rating.own_index == pytest.approx(100.0)
    assert rating.score < 100.0


def test_too_few_answers_are_not_rated() -> None:
    ranking = index_ranking(
        {"A": clerk([7] * 5), "B": clerk([4, 5] * 30), "C": clerk([3, 4] * 30)},
        scale=(1, 7),
        min_n=30,
    )
    few = next(u for u in ranking.units if u.unit == "A")
    rating = star_rating(few, ranking)
    assert rating.stars is None
    assert rating.n == 5 and rating.min_n == 30


def test_default_bands_are_the_documented_ones() -> None:
    assert STAR_BANDS == (60.0, 70.0, 80.0, 90.0)


@pytest.mark.parametrize(
    ("shrunken", "passed", "failed", "stars", "penalty"),
    [
        (84.0, 18, 2, 4, False),  # 90 % passed: at the floor, no star off
        (84.0, 17, 3, 3, True),  # 85 %: one star off (4 -> 3)
        (55.0, 0, 5, 1, True),  # never below one star
        (84.0, 0, 0, 4, False),  # only not-applicable items: nothing was checked
        (95.0, 20, 0, 5, False),  # inspections never add a star
    ],
)
def test_inspections_below_the_floor_take_one_star_off(
    shrunken: float, passed: int, failed: int, stars: int, penalty: bool
) -> None:
    """Rule version 2: stars from the band of the shrunken index, minus one when the
    clerk's checked items passed less than 90 % of the time (at least one star)."""
    from analytics.compliance import Compliance
    from analytics.rankings import RankedUnit, Ranking

    unit = RankedUnit(unit="7", n=40, index=shrunken, shrunken_index=shrunken, rank=1)
    ranking = Ranking(units=(unit,), parent_index=shrunken, prior_weight=10.0, min_n=30)
    rating = star_rating(unit, ranking, compliance=Compliance(passed, failed, 2))
    assert (rating.stars, rating.inspection_penalty) == (stars, penalty)
    assert rating.band == band_of(stars_for_score(shrunken))
