"""The Wilson interval against statsmodels' implementation and a hand-worked value."""

import math

import pytest
from statsmodels.stats.proportion import proportion_confint

from analytics.proportions import wilson_proportion


@pytest.mark.parametrize(("k", "n"), [(0, 1), (1, 1), (3, 7), (9, 10), (10, 10), (41, 57)])
def test_wilson_matches_statsmodels(k: int, n: int) -> None:
    """statsmodels.stats.proportion.proportion_confint(method="wilson") is an independent
    implementation of the same formula."""
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    result = wilson_proportion(k, n)
    assert result.share == k / n
    assert result.low == pytest.approx(low, abs=1e-12)
    assert result.high == pytest.approx(high, abs=1e-12)


def test_wilson_by_hand() -> None:
    """k = 9, n = 10, z = 1.959964: z²/n = 0.384146, centre = (0.9 + 0.192073)/1.384146
    = 0.788987; half = 1.959964/1.384146 * sqrt(0.009 + 0.0096037) = 1.416010 * 0.136395
    = 0.193137: [0.595850, 0.982124]."""
    result = wilson_proportion(9, 10)
    assert result.low == pytest.approx(0.595850, abs=1e-5)
    assert result.high == pytest.approx(0.982124, abs=1e-5)


def test_no_cases_is_not_a_rate_and_bad_counts_are_refused() -> None:
    assert math.isnan(wilson_proportion(0, 0).share)
    with pytest.raises(ValueError, match="between 0 and the total"):
        wilson_proportion(3, 2)
