"""Tests for analytics.shrinkage (empirical-Bayes shrinkage of unit means)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.meta_analysis import combine_effects

from analytics.shrinkage import ShrinkageResult, shrink_means


def test_hand_worked_three_units() -> None:
    # sigma2 = (9*2 + 19*2.5 + 9*3) / 37 = 2.5; mu = 200 / 40 = 5
    # sum n (y - mu)^2 = 11.25; N - sum n^2 / N = 25; tau2 = (11.25 - 2*2.5) / 25 = 0.25
    # W = 2.5 / 0.25 = 10
    r = shrink_means([10, 20, 10], [4.25, 5.0, 5.75], [2.0, 2.5, 3.0], min_n=10)
    assert r.sigma2 == pytest.approx(2.5)
    assert r.mu == pytest.approx(5.0)
    assert r.tau2 == pytest.approx(0.25)
    assert r.prior_weight == pytest.approx(10.0)
    assert r.shrunken_means == pytest.approx((4.625, 5.0, 5.375))
    assert r.weights == pytest.approx((0.5, 2 / 3, 0.5))
    assert r.rankable == (True, True, True)
    assert r.ranks == (3, 2, 1)


def test_result_is_frozen_with_tuples() -> None:
    r = shrink_means([10, 20, 10], [4.25, 5.0, 5.75], [2.0, 2.5, 3.0])
    assert isinstance(r, ShrinkageResult)
    for field in ("shrunken_means", "weights", "rankable", "ranks"):
        assert isinstance(getattr(r, field), tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.mu = 0.0  # type: ignore[misc]


def test_eight_perfect_answers_do_not_beat_800_slightly_lower() -> None:
    # An office whose counters differ little: the small counter is pulled hard to mu.
    n = [8, 800, 200, 300, 250, 400]
    means = [7.0, 6.5, 5.9, 6.0, 5.95, 6.1]
    variances = [0.0, 1.2, 1.5, 1.4, 1.6, 1.3]
    r = shrink_means(n, means, variances, min_n=5)
    assert r.shrunken_means[0] < r.shrunken_means[1]
    assert r.ranks[1] == 1
    assert r.ranks[0] == 2
    # Raw means would have ranked the other way round.
    assert means[0] > means[1]


def test_eight_perfect_answers_with_fixed_prior_weight() -> None:
    r = shrink_means([8, 800], [7.0, 6.8], [0.0, 1.0], parent_mean=6.0, prior_weight=50.0, min_n=1)
    assert r.shrunken_means[0] == pytest.approx((8 * 7.0 + 50 * 6.0) / 58)
    assert r.shrunken_means[1] == pytest.approx((800 * 6.8 + 50 * 6.0) / 850)
    assert r.ranks == (2, 1)


def test_large_n_keeps_mean_and_zero_n_gives_mu() -> None:
    r = shrink_means(
        [10**9, 0, 50],
        [6.3, math.nan, 4.0],
        [1.0, math.nan, 1.0],
        parent_mean=5.0,
        prior_weight=20.0,
        min_n=1,
    )
    assert r.shrunken_means[0] == pytest.approx(6.3, abs=1e-6)
    assert r.weights[0] == pytest.approx(1.0, abs=1e-7)
    assert r.shrunken_means[1] == 5.0
    assert r.weights[1] == 0.0
    assert r.rankable == (True, False, True)
    assert r.ranks == (1, None, 2)


def test_limits_with_estimated_prior_weight() -> None:
    base_n = np.array([40, 60, 80, 100])
    means = np.array([5.0, 5.6, 6.1, 4.8])
    variances = np.full(4, 1.5)
    growing = [
        shrink_means(np.append(base_n, k), np.append(means, 6.9), np.append(variances, 1.5))
        for k in (1, 10**3, 10**6, 10**9)
    ]
    gaps = [abs(r.shrunken_means[-1] - 6.9) for r in growing]
    assert gaps == sorted(gaps, reverse=True)
    assert gaps[-1] < 1e-6
    # A unit with one answer: almost all prior (n / (n + W) with W from the other units).
    one = growing[0]
    assert one.weights[-1] == pytest.approx(1 / (1 + one.prior_weight))
    assert one.weights[-1] < 0.25
    assert abs(one.shrunken_means[-1] - one.mu) < abs(one.shrunken_means[-1] - 6.9)


def test_zero_tau2_gives_everyone_mu() -> None:
    # Means closer than noise: Q < J - 1, so tau2 = 0, W = inf.
    r = shrink_means([50, 50, 50], [5.0, 5.01, 4.99], [2.0, 2.0, 2.0], min_n=1)
    assert r.tau2 == 0.0
    assert math.isinf(r.prior_weight)
    assert r.shrunken_means == pytest.approx((5.0, 5.0, 5.0))
    assert r.weights == (0.0, 0.0, 0.0)
    assert r.ranks == (1, 1, 1)


def test_units_under_min_n_are_never_ranked() -> None:
    n = [5, 29, 30, 31, 400]
    means = [7.0, 6.9, 4.0, 5.0, 6.0]
    r = shrink_means(n, means, [0.5, 1.0, 1.0, 1.0, 1.0])
    assert r.rankable == (False, False, True, True, True)
    assert r.ranks[:2] == (None, None)
    assert sorted(rank for rank in r.ranks if rank is not None) == [1, 2, 3]


def test_competition_ranking_ties() -> None:
    r = shrink_means(
        [40, 40, 40, 40],
        [6.0, 5.0, 6.0, 4.0],
        [1.0, 1.0, 1.0, 1.0],
        prior_weight=10.0,
        min_n=1,
    )
    assert r.ranks == (1, 3, 1, 4)


@pytest.mark.parametrize(
    ("n", "means", "variances"),
    [
        ([10, 20, 10], [4.25, 5.0, 5.75], [2.0, 2.5, 3.0]),
        (
            [8, 800, 120, 300, 200, 450],
            [7.0, 6.6, 5.4, 5.9, 6.1, 5.7],
            [0.0, 1.2, 2.0, 1.8, 1.6, 1.7],
        ),
        ([3, 7, 12, 40, 41], [2.0, 6.0, 3.5, 4.0, 5.5], [1.0, 0.5, 2.2, 1.1, 0.9]),
    ],
)
def test_tau2_matches_statsmodels_dersimonian_laird(
    n: list[int], means: list[float], variances: list[float]
) -> None:
    r = shrink_means(n, means, variances)
    ref = combine_effects(np.asarray(means), r.sigma2 / np.asarray(n, dtype=float), method_re="dl")
    assert r.tau2 == pytest.approx(float(ref.tau2), rel=1e-9, abs=1e-12)


def test_tau2_matches_independent_loop() -> None:
    rng = np.random.default_rng(7)
    n = rng.integers(2, 300, size=25)
    means = rng.normal(5.5, 0.4, size=25)
    variances = rng.uniform(0.5, 2.5, size=25)
    num = den = 0.0
    for nj, s2 in zip(n, variances, strict=True):
        num += (nj - 1) * s2
        den += nj - 1
    sigma2 = num / den
    w = [nj / sigma2 for nj in n]
    y_w = sum(wj * yj for wj, yj in zip(w, means, strict=True)) / sum(w)
    q = sum(wj * (yj - y_w) ** 2 for wj, yj in zip(w, means, strict=True))
    c = sum(w) - sum(wj**2 for wj in w) / sum(w)
    tau2 = max(0.0, (q - (len(w) - 1)) / c)
    r = shrink_means(n, means, variances)
    assert r.sigma2 == pytest.approx(sigma2)
    assert r.tau2 == pytest.approx(tau2)
    assert r.prior_weight == pytest.approx(sigma2 / tau2)


def test_missing_data_policy() -> None:
    # n == 1 may have nan variance; it contributes to mu but not to sigma2.
    r = shrink_means([1, 10, 10], [7.0, 5.0, 6.0], [math.nan, 1.0, 3.0], min_n=1)
    assert r.sigma2 == pytest.approx(2.0)
    assert r.mu == pytest.approx((7 + 50 + 60) / 21)
    with pytest.raises(ValueError, match="means"):
        shrink_means([5, 10], [math.nan, 5.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="variances"):
        shrink_means([5, 10], [5.0, 5.0], [math.nan, 1.0])


@pytest.mark.parametrize(
    ("n", "means", "variances", "kwargs", "match"),
    [
        ([1, 2], [1.0], [1.0, 1.0], {}, "equal lengths"),
        ([-1, 2], [1.0, 1.0], [1.0, 1.0], {}, "non-negative integers"),
        ([1.5, 2], [1.0, 1.0], [1.0, 1.0], {}, "non-negative integers"),
        ([0, 0], [math.nan, math.nan], [math.nan, math.nan], {}, "no unit"),
        ([1, 1], [1.0, 2.0], [math.nan, math.nan], {}, "n >= 2"),
        ([5, 5], [1.0, 2.0], [1.0, 1.0], {"prior_weight": -1.0}, "prior_weight"),
        ([5, 5], [1.0, 2.0], [1.0, 1.0], {"min_n": -1}, "min_n"),
        ([[5, 5]], [[1.0, 2.0]], [[1.0, 1.0]], {}, "one-dimensional"),
    ],
)
def test_invalid_input(
    n: object, means: object, variances: object, kwargs: dict[str, float], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        shrink_means(n, means, variances, **kwargs)  # type: ignore[arg-type]


def test_fixed_prior_weight_without_pooled_variance() -> None:
    r = shrink_means([1, 1], [4.0, 6.0], [math.nan, math.nan], prior_weight=1.0, min_n=1)
    assert math.isnan(r.sigma2)
    assert math.isnan(r.tau2)
    assert r.shrunken_means == pytest.approx((4.5, 5.5))


_unit = st.tuples(
    st.integers(min_value=0, max_value=2000),
    st.floats(min_value=1.0, max_value=7.0),
    st.floats(min_value=0.0, max_value=4.0),
)
_units = st.lists(_unit, min_size=2, max_size=12).filter(
    lambda units: sum(1 for n, _, _ in units if n >= 2) >= 1
)


@settings(max_examples=200, deadline=None)
@given(units=_units, data=st.data())
def test_permutation_equivariance(
    units: list[tuple[int, float, float]], data: st.DataObject
) -> None:
    perm = data.draw(st.permutations(range(len(units))))
    n, means, variances = (list(col) for col in zip(*units, strict=True))
    r = shrink_means(n, means, variances, min_n=10)
    p = shrink_means(
        [n[i] for i in perm], [means[i] for i in perm], [variances[i] for i in perm], min_n=10
    )
    assert p.shrunken_means == tuple(r.shrunken_means[i] for i in perm)
    assert p.weights == tuple(r.weights[i] for i in perm)
    assert p.rankable == tuple(r.rankable[i] for i in perm)
    assert p.ranks == tuple(r.ranks[i] for i in perm)
    assert (p.tau2, p.sigma2, p.mu, p.prior_weight) == (r.tau2, r.sigma2, r.mu, r.prior_weight)


@settings(max_examples=200, deadline=None)
@given(units=_units, shift=st.floats(min_value=-5.0, max_value=5.0))
def test_shift_equivariance(units: list[tuple[int, float, float]], shift: float) -> None:
    n, means, variances = (list(col) for col in zip(*units, strict=True))
    r = shrink_means(n, means, variances)
    s = shrink_means(n, [m + shift for m in means], variances)
    assert s.shrunken_means == pytest.approx([m + shift for m in r.shrunken_means], abs=1e-8)
    assert s.mu == pytest.approx(r.mu + shift, abs=1e-9)
    assert s.sigma2 == r.sigma2
    # With an explicit parent mean, shifting it too shifts everything.
    a = shrink_means(n, means, variances, parent_mean=4.0)
    b = shrink_means(n, [m + shift for m in means], variances, parent_mean=4.0 + shift)
    assert b.shrunken_means == pytest.approx([m + shift for m in a.shrunken_means], abs=1e-8)
