"""The t interval of a mean: hand-worked, and no interval from an impossible variance."""

import math

import pytest
from scipy import stats

from analytics.intervals import t_interval


def test_equals_the_textbook_interval() -> None:
    """x̄ = 5, s² = 4, n = 16: 5 ± t₀.₉₇₅,₁₅ · 2 / 4 = 5 ± 2.1314 · 0.5."""
    low, high = t_interval(5.0, 4.0, 16)
    half = stats.t.ppf(0.975, 15) * 0.5
    assert (low, high) == pytest.approx((5 - half, 5 + half))


def test_a_negative_variance_estimate_gives_no_interval_instead_of_an_error() -> None:
    """The item rule pieces its variance together from pairwise counts; on a few answers it
    can come out below zero (seen on the demo with 50 answers). That is no interval, not a
    crash of the page that asked."""
    low, high = t_interval(0.4, -0.02, 5)
    assert math.isnan(low) and math.isnan(high)
