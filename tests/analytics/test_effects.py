"""Welch's before/after test, against scipy and against a hand-worked case."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from analytics.effects import welch_difference


def test_hand_worked_case() -> None:
    """Before: n=40, mean −1.2, sd 0.9; after: n=50, mean −0.6, sd 1.1.
    v₁ = 0.81/40 = 0.02025, v₂ = 1.21/50 = 0.0242, se = √0.04445 = 0.210832;
    t = 0.6 / 0.210832 = 2.84587; ν = 0.04445² / (0.02025²/39 + 0.0242²/49)
    = 0.0019758 / (0.000010515 + 0.000011952) = 87.95."""
    d = welch_difference(40, -1.2, 0.9, 50, -0.6, 1.1)
    assert d.difference == pytest.approx(0.6)
    assert d.df == pytest.approx(87.95, abs=0.01)
    half = d.ci[1] - d.difference
    assert half == pytest.approx(stats.t.ppf(0.975, d.df) * math.sqrt(0.04445), rel=1e-9)
    assert d.significant


samples = st.lists(st.integers(-24, 24).map(lambda x: x / 4), min_size=2, max_size=60)
"""Respondents' dimension gaps: means of up to four item gaps on a 1-7 scale."""


@settings(max_examples=150, deadline=None)
@given(before=samples, after=samples)
def test_equals_scipy_on_the_raw_answers(before: list[float], after: list[float]) -> None:
    """From summaries, the same p-value and interval as scipy's Welch test on the raw
    values (``ttest_ind(equal_var=False)`` and its ``confidence_interval``)."""
    a, b = np.array(before), np.array(after)
    assume(len(set(before)) > 1 and len(set(after)) > 1)  # scipy warns on a constant sample
    d = welch_difference(a.size, a.mean(), a.std(ddof=1), b.size, b.mean(), b.std(ddof=1))
    result = stats.ttest_ind(b, a, equal_var=False)
    assert d.p_value == pytest.approx(result.pvalue, rel=1e-6, abs=1e-12)
    low, high = result.confidence_interval(0.95)
    assert d.ci[0] == pytest.approx(low, rel=1e-6, abs=1e-9)
    assert d.ci[1] == pytest.approx(high, rel=1e-6, abs=1e-9)


def test_too_few_answers_or_no_variance_give_no_test() -> None:
    d = welch_difference(1, 0.5, 0.0, 30, 1.0, 1.0)
    assert math.isnan(d.p_value) and not d.significant
    assert math.isnan(welch_difference(5, 1.0, 0.0, 5, 2.0, 0.0).p_value)
