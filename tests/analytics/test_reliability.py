"""Tests for analytics.reliability (Cronbach's alpha from covariance / sufficient statistics).

Reference implementation for cross-checks: ``pingouin.cronbach_alpha`` (GPL, tests only).
It reports the Feldt interval rounded to 3 decimals and computes it with ``n`` = every row
passed in (also rows deleted listwise or without any answer), so its interval is compared
on frames that contain only the rows our ``n`` counts, to within the rounding.
"""

import dataclasses
import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from typing import Literal

import hypothesis.extra.numpy as hnp
import numpy as np
import numpy.typing as npt
import pandas as pd
import pingouin
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from analytics.reliability import (
    AlphaResult,
    cronbach_alpha,
    cronbach_alpha_from_covariance,
    listwise_covariance,
    pairwise_covariance,
)
from tests.kiosk import KIOSK_CSV, KIOSK_DIMENSIONS, needs_kiosk_data

# Hand-worked example: 5 respondents x 3 items (see test_hand_worked_alpha).
HAND = np.array(
    [[1, 2, 1], [2, 2, 3], [3, 3, 3], [4, 4, 3], [5, 4, 5]],
    dtype=np.float64,
)

# pingouin rounds its interval to 3 decimals.
PINGOUIN_CI_TOLERANCE = 5e-4 + 1e-12

Policy = Literal["listwise", "pairwise"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@contextmanager
def _no_warnings() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def _same(a: float, b: float, tol: float) -> bool:
    """Equal within tolerance, or both nan."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def _likert(seed: int, n: int, k: int, missing_rate: float) -> FloatArray:
    """Correlated answers on 1-7 (one latent factor), with answers missing at random."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n, 1))
    answers = np.clip(np.rint(4.0 + 1.2 * latent + rng.normal(size=(n, k))), 1, 7)
    answers[rng.random((n, k)) < missing_rate] = np.nan
    return answers


def _pairwise_statistics(answers: FloatArray) -> tuple[IntArray, IntArray, IntArray]:
    """Integer n[i, j], sums[i, j] (item i over rows answering i and j), cross[i, j]."""
    answered = ~np.isnan(answers)
    values = np.where(answered, answers, 0).astype(np.int64)
    indicator = answered.astype(np.int64)
    return indicator.T @ indicator, values.T @ indicator, values.T @ values


def _pingouin(frame: pd.DataFrame, policy: str, ci: float = 0.95) -> tuple[float, FloatArray]:
    alpha, interval = pingouin.cronbach_alpha(data=frame, nan_policy=policy, ci=ci)
    return float(alpha), np.asarray(interval, dtype=np.float64)


# --- known values -------------------------------------------------------------------------


def test_hand_worked_alpha() -> None:
    """alpha = k/(k-1) * (1 - sum of item variances / variance of the total score).

    Items (5 respondents): x1 = 1,2,3,4,5; x2 = 2,2,3,4,4; x3 = 1,3,3,3,5, all with mean 3.
    Deviations: x1 -2,-1,0,1,2 (SS 10, var 10/4 = 2.5); x2 -1,-1,0,1,1 (SS 4, var 1);
    x3 -2,0,0,0,2 (SS 8, var 2). Sum of item variances = 5.5.
    Total score 4,7,9,11,14 (mean 9), deviations -5,-2,0,2,5, SS 58, var 58/4 = 14.5.
    Covariances: s12 = 6/4 = 1.5, s13 = 8/4 = 2, s23 = 4/4 = 1; 5.5 + 2*(1.5+2+1) = 14.5.
    alpha = 3/2 * (1 - 5.5/14.5) = 3/2 * 9/14.5 = 27/29 = 0.931034...
    """
    expected = 27 / 29
    covariance = np.array([[2.5, 1.5, 2.0], [1.5, 1.0, 1.0], [2.0, 1.0, 2.0]])
    assert cronbach_alpha_from_covariance(covariance, n=5).alpha == pytest.approx(expected)
    policies: tuple[Policy, ...] = ("listwise", "pairwise")
    for missing in policies:
        result = cronbach_alpha(HAND, missing=missing)
        assert result.alpha == pytest.approx(expected, rel=1e-14)
        assert (result.n, result.k) == (5, 3)


def test_hand_worked_feldt_interval() -> None:
    """Feldt et al. (1987): [1 - (1-a) F(.975; 4, 8), 1 - (1-a) F(.025; 4, 8)] for n=5, k=3.

    From printed F tables: F(.975; 4, 8) = 5.053 and F(.025; 4, 8) = 1 / F(.975; 8, 4)
    = 1 / 8.980. With 1 - alpha = 2/29: lower = 1 - (2/29)(5.053) = 0.6515,
    upper = 1 - (2/29)/8.980 = 0.99232.
    """
    result = cronbach_alpha(HAND)
    one_minus = 2 / 29
    assert result.ci[0] == pytest.approx(1 - one_minus * 5.053, abs=1e-4)
    assert result.ci[1] == pytest.approx(1 - one_minus / 8.980, abs=1e-5)
    lower90, upper90 = cronbach_alpha(HAND, confidence=0.90).ci
    assert result.ci[0] < lower90 < upper90 < result.ci[1]


# --- cross-checks against pingouin --------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_listwise_matches_pingouin(seed: int) -> None:
    """Listwise alpha and Feldt interval as pingouin.cronbach_alpha(nan_policy="listwise").

    pingouin drops incomplete rows for alpha (pandas cov of the complete cases) but keeps the
    pre-deletion row count for the interval, so the interval is compared on the complete rows.
    """
    answers = _likert(seed, n=60 + 20 * seed, k=3 + seed % 4, missing_rate=0.08)
    complete = ~np.isnan(answers).any(axis=1)
    ours = cronbach_alpha(answers, missing="listwise")
    alpha, _ = _pingouin(pd.DataFrame(answers), "listwise")
    assert ours.alpha == pytest.approx(alpha, abs=1e-12)
    assert ours.n == int(complete.sum()) < answers.shape[0]
    _, interval = _pingouin(pd.DataFrame(answers[complete]), "listwise")
    np.testing.assert_allclose(ours.ci, interval, rtol=0, atol=PINGOUIN_CI_TOLERANCE)


@pytest.mark.parametrize("seed", range(6))
def test_pairwise_matches_pingouin(seed: int) -> None:
    """Pairwise alpha and interval as pingouin.cronbach_alpha(nan_policy="pairwise").

    Both use the pairwise-complete covariance matrix (pandas DataFrame.cov()). n is the
    number of rows with at least one answer; two empty rows are added, which pingouin would
    count, so its interval is computed without them.
    """
    answers = _likert(100 + seed, n=50 + 25 * seed, k=2 + seed % 5, missing_rate=0.15)
    answers[:2] = np.nan
    nonempty = ~np.isnan(answers).all(axis=1)
    ours = cronbach_alpha(answers, missing="pairwise")
    alpha, _ = _pingouin(pd.DataFrame(answers), "pairwise")
    assert ours.alpha == pytest.approx(alpha, abs=1e-12)
    assert ours.n == int(nonempty.sum())
    _, interval = _pingouin(pd.DataFrame(answers[nonempty]), "pairwise")
    np.testing.assert_allclose(ours.ci, interval, rtol=0, atol=PINGOUIN_CI_TOLERANCE)


@pytest.mark.parametrize("confidence", [0.80, 0.90, 0.99])
def test_confidence_level_matches_pingouin(confidence: float) -> None:
    """Feldt interval at other levels: pingouin.cronbach_alpha(ci=confidence)."""
    answers = _likert(7, n=40, k=4, missing_rate=0.0)
    ours = cronbach_alpha(answers, confidence=confidence)
    alpha, interval = _pingouin(pd.DataFrame(answers), "listwise", ci=confidence)
    assert ours.alpha == pytest.approx(alpha, abs=1e-12)
    np.testing.assert_allclose(ours.ci, interval, rtol=0, atol=PINGOUIN_CI_TOLERANCE)


def _kiosk_perceptions() -> pd.DataFrame:
    frame = pd.read_csv(KIOSK_CSV, encoding="utf-8")
    return frame[[f"P{item}" for item in range(1, 25)]].astype(np.float64)


@needs_kiosk_data
@pytest.mark.parametrize("missing", ["listwise", "pairwise"])
@pytest.mark.parametrize("dimension", sorted(KIOSK_DIMENSIONS))
def test_kiosk_dimensions_match_pingouin(dimension: str, missing: Policy) -> None:
    """Perception items of each of the authors' six dimensions, kiosk K-SERVQUAL 2019 data.

    211 rows, of which the 4 "never_used" rows have no answers and no other answer is
    missing, so n = 207 under both policies (pingouin's interval would use 211).
    Alpha must equal pingouin's to 1e-9.
    """
    frame = _kiosk_perceptions()[[f"P{item}" for item in KIOSK_DIMENSIONS[dimension]]]
    ours = cronbach_alpha(frame.to_numpy(), missing=missing)
    alpha, _ = _pingouin(frame, missing)
    assert ours.alpha == pytest.approx(alpha, abs=1e-9)
    assert (ours.n, ours.k) == (207, len(KIOSK_DIMENSIONS[dimension]))
    _, interval = _pingouin(frame.dropna(how="all"), missing)
    np.testing.assert_allclose(ours.ci, interval, rtol=0, atol=PINGOUIN_CI_TOLERANCE)
    assert ours.ci[0] < ours.alpha < ours.ci[1]


# --- sufficient statistics ----------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_pairwise_covariance_equals_pandas(seed: int) -> None:
    """cov_ij = (cross_ij - sums_ij sums_ji / n_ij) / (n_ij - 1) is pandas DataFrame.cov().

    pandas computes each pairwise covariance over the rows where both columns are present,
    about those rows' means (ddof=1). Checked for the exact integer and the float path.
    """
    answers = _likert(200 + seed, n=80, k=5, missing_rate=0.2)
    n, sums, cross = _pairwise_statistics(answers)
    expected = pd.DataFrame(answers).cov().to_numpy()
    np.testing.assert_allclose(pairwise_covariance(n, sums, cross), expected, rtol=1e-12)
    as_float = pairwise_covariance(n.astype(float), sums.astype(float), cross.astype(float))
    np.testing.assert_allclose(as_float, expected, rtol=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_alpha_from_sufficient_statistics_equals_raw(seed: int) -> None:
    """Alpha from (n, sums, cross) equals alpha from the raw answers, to 1e-12.

    Listwise: Sigma = (C - s s^T / n) / (n - 1) over complete rows; pairwise: per-pair sums.
    The listwise covariance must also equal numpy.cov(ddof=1) of the complete rows.
    """
    answers = _likert(300 + seed, n=120, k=4, missing_rate=0.1)
    complete = answers[~np.isnan(answers).any(axis=1)].astype(np.int64)
    n_complete = complete.shape[0]
    covariance = listwise_covariance(n_complete, complete.sum(axis=0), complete.T @ complete)
    np.testing.assert_allclose(covariance, np.cov(complete, rowvar=False, ddof=1), rtol=1e-12)
    from_statistics = cronbach_alpha_from_covariance(covariance, n=n_complete)
    raw = cronbach_alpha(answers, missing="listwise")
    assert from_statistics.alpha == pytest.approx(raw.alpha, abs=1e-12)
    assert from_statistics.ci == pytest.approx(raw.ci, abs=1e-12)

    n, sums, cross = _pairwise_statistics(answers)
    n_answering = int((~np.isnan(answers).all(axis=1)).sum())
    from_statistics = cronbach_alpha_from_covariance(
        pairwise_covariance(n, sums, cross), n=n_answering
    )
    raw = cronbach_alpha(answers, missing="pairwise")
    assert from_statistics.alpha == pytest.approx(raw.alpha, abs=1e-12)
    assert from_statistics.ci == pytest.approx(raw.ci, abs=1e-12)


def test_integer_statistics_are_exact_for_a_hundred_million_respondents() -> None:
    """10^8 respondents on 1-7: every covariance is the correctly rounded exact value.

    Item 1 is 7 for everyone but respondent A (6); item 2 is 7 for everyone but respondent B
    (6). Then var = 1/n for both items and n*cross_12 - s1*s2 = -1, so
    cov_12 = -1 / (n (n - 1)) and alpha = 2 (1 - (2/n) / (2 (n-2) / (n (n-1)))) = -2/(n-2).
    In float64, cross - s^2/n (s^2 ~ 4.9e17 > 2^53) cancels about 8 of the 16 digits: the
    float path gets var wrong in the 8th digit and cov_12 entirely (0.0 here), which is what
    the exact integer path is for.
    """
    n = 10**8
    sums = np.array([7 * n - 1, 7 * n - 1], dtype=np.int64)
    cross = np.array(
        [[49 * (n - 1) + 36, 49 * (n - 2) + 2 * 42], [49 * (n - 2) + 2 * 42, 49 * (n - 1) + 36]],
        dtype=np.int64,
    )
    covariance = listwise_covariance(n, sums, cross)
    variance, covariance_12 = Fraction(1, n), Fraction(-1, n * (n - 1))
    exact = [[variance, covariance_12], [covariance_12, variance]]
    assert covariance.tolist() == [[float(value) for value in row] for row in exact]
    pair_counts = np.full((2, 2), n, dtype=np.int64)
    pair_sums = np.repeat(sums[:, np.newaxis], 2, axis=1)
    assert pairwise_covariance(pair_counts, pair_sums, cross).tolist() == covariance.tolist()
    assert cronbach_alpha_from_covariance(covariance, n=n).alpha == pytest.approx(
        -2 / (n - 2), rel=1e-9
    )
    in_float = listwise_covariance(float(n), sums.astype(float), cross.astype(float))
    assert abs(in_float[0, 0] - covariance[0, 0]) > 1e-12 * covariance[0, 0]
    assert abs(in_float[0, 1] - covariance[0, 1]) > 0.5 * abs(covariance[0, 1])


def test_python_int_statistics_beyond_int64() -> None:
    """dtype=object statistics of Python ints (n = 10^19 > 2^63) stay exact.

    Replicating every row of HAND m times multiplies n, sums and cross by m; the covariance
    becomes Sigma_hand * 4m / (5m - 1), a common factor, so alpha stays 27/29.
    """
    m = 2 * 10**18
    data = HAND.astype(np.int64)
    sums = np.array([m * int(value) for value in data.sum(axis=0)], dtype=object)
    cross = np.array([[m * int(value) for value in row] for row in data.T @ data], dtype=object)
    covariance = listwise_covariance(5 * m, sums, cross)
    hand_sscp = ((10, 6, 8), (6, 4, 4), (8, 4, 8))  # centred sums of squares and products
    hand_covariance = [[Fraction(value, 4) for value in row] for row in hand_sscp]
    factor = Fraction(4 * m, 5 * m - 1)
    expected = [[float(value * factor) for value in row] for row in hand_covariance]
    assert covariance.tolist() == expected
    assert cronbach_alpha_from_covariance(covariance, n=5 * m).alpha == pytest.approx(27 / 29)


def test_pairwise_covariance_undefined_cells() -> None:
    """Cells with n_ij < 2 are nan (no warning), in the integer and the float path.

    Item 3 is answered by one respondent only; items 1 and 2 by three, both by two.
    """
    answers = np.array([[1, 2, np.nan], [2, np.nan, 5], [3, 6, np.nan], [np.nan, 8, np.nan]])
    n, sums, cross = _pairwise_statistics(answers)
    with _no_warnings():
        exact = pairwise_covariance(n, sums, cross)
        in_float = pairwise_covariance(n.astype(float), sums.astype(float), cross.astype(float))
        expected = pd.DataFrame(answers).cov().to_numpy()
    np.testing.assert_array_equal(np.isnan(exact), n < 2)
    np.testing.assert_allclose(exact, expected, rtol=1e-12)
    np.testing.assert_allclose(in_float, expected, rtol=1e-12)
    # x1, x2 both answered by respondents 1 and 3: (1, 2), (3, 6); means 2 and 4;
    # cov = ((-1)(-2) + (1)(2)) / (2 - 1) = 4.
    assert exact[0, 1] == exact[1, 0] == 4.0


# --- properties ---------------------------------------------------------------------------


@st.composite
def _answers(draw: st.DrawFn, *, missing: bool = True) -> FloatArray:
    n = draw(st.integers(2, 25))
    k = draw(st.integers(2, 6))
    values = draw(hnp.arrays(np.int64, (n, k), elements=st.integers(1, 7))).astype(np.float64)
    if missing:
        mask = draw(hnp.arrays(np.bool_, (n, k), elements=st.integers(0, 4).map(lambda v: v == 0)))
        values[mask] = np.nan
    return values


@settings(deadline=None)
@given(answers=_answers(), policy=st.sampled_from(["listwise", "pairwise"]), data=st.data())
def test_alpha_ignores_row_order(answers: FloatArray, policy: Policy, data: st.DataObject) -> None:
    """Alpha is a function of the covariance matrix, which does not depend on row order."""
    order = data.draw(st.permutations(range(answers.shape[0])))
    with _no_warnings():
        before = cronbach_alpha(answers, missing=policy)
        after = cronbach_alpha(answers[order], missing=policy)
    assert _same(before.alpha, after.alpha, 1e-9)
    assert before.n == after.n


@settings(deadline=None)
@given(
    answers=_answers(),
    policy=st.sampled_from(["listwise", "pairwise"]),
    constant=st.integers(-1000, 1000) | st.floats(-1000, 1000),
)
def test_alpha_ignores_a_constant_shift(
    answers: FloatArray, policy: Policy, constant: float
) -> None:
    """Covariances, hence alpha, are invariant under x -> x + c for every answer."""
    with _no_warnings():
        before = cronbach_alpha(answers, missing=policy)
        after = cronbach_alpha(answers + constant, missing=policy)
    assert _same(before.alpha, after.alpha, 1e-9)


@settings(deadline=None)
@given(answers=_answers(missing=False), confidence=st.floats(0.5, 0.999))
def test_feldt_interval_contains_alpha(answers: FloatArray, confidence: float) -> None:
    """Feldt interval contains alpha: F(g/2) <= 1 <= F(1 - g/2) for d1 = n-1, d2 = d1(k-1).

    Complete data give a positive semi-definite matrix, so alpha <= 1 (up to rounding,
    hence the 1e-12 slack when all items are identical and alpha = 1).
    """
    with _no_warnings():
        result = cronbach_alpha(answers, confidence=confidence)
    assume(not math.isnan(result.alpha))
    lower, upper = result.ci
    assert lower - 1e-12 <= result.alpha <= upper + 1e-12
    assert result.alpha <= 1 + 1e-12


# --- degenerate inputs and errors ---------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "n", "k"),
    [
        pytest.param(np.array([[1.0], [2.0], [4.0]]), 3, 1, id="one item"),
        pytest.param(np.array([[1.0, 2.0, 3.0]]), 1, 3, id="one respondent"),
        pytest.param(np.empty((0, 3)), 0, 3, id="no respondents"),
        pytest.param(np.full((4, 3), 5.0), 4, 3, id="zero variance"),
        pytest.param(np.full((4, 3), np.nan), 0, 3, id="no answers"),
        pytest.param(
            np.array([[1.0, 7.0], [2.0, 6.0], [4.0, 4.0]]), 3, 2, id="item and its reverse"
        ),
        pytest.param(
            np.array([[1.8, 8 - 1.8], [1.0, 7.0], [1.8, 8 - 1.8], [4.4, 8 - 4.4]]),
            4,
            2,
            id="item and its reverse, inexact",
        ),
    ],
)
@pytest.mark.parametrize("missing", ["listwise", "pairwise"])
def test_degenerate_answers_give_nan(answers: FloatArray, n: int, k: int, missing: Policy) -> None:
    """k < 2, n < 2 or a constant total score (var = 0): alpha and ci are nan, no warning.

    With x2 = 8 - x1 the total score is 8 for everyone. For the decimal answers 1.8, 1.0,
    1.8, 4.4 (8 - 4.4 = 3.5999999999999996 in float64) the computed total-score variance is
    -4.4e-16 rather than 0; that rounding noise must still count as 0, not give
    alpha = 2 * (1 - 8.79 / -4.4e-16) ~ 4e16.
    """
    with _no_warnings():
        result = cronbach_alpha(answers, missing=missing)
    assert math.isnan(result.alpha)
    assert all(math.isnan(bound) for bound in result.ci)
    assert (result.n, result.k) == (n, k)


def test_pairwise_alpha_is_nan_when_two_items_never_meet() -> None:
    """A pair answered together by fewer than 2 respondents has no covariance: alpha is nan."""
    answers = np.array([[1, np.nan], [2, np.nan], [np.nan, 3], [np.nan, 5]])
    with _no_warnings():
        result = cronbach_alpha(answers, missing="pairwise")
    assert math.isnan(result.alpha)
    assert result.n == 4


def test_degenerate_covariance_gives_nan() -> None:
    """cronbach_alpha_from_covariance: k < 2, n < 2, zero total variance, nan cell -> nan."""
    good = np.array([[2.0, 1.0], [1.0, 2.0]])
    cases = [
        (np.empty((0, 0)), 10),
        (np.array([[3.0]]), 10),
        (good, 1),
        (good, 0),
        (np.zeros((3, 3)), 10),
        (np.array([[1.0, -1.0], [-1.0, 1.0]]), 10),
        (np.array([[2.0, np.nan], [np.nan, 2.0]]), 10),
    ]
    with _no_warnings():
        for covariance, n in cases:
            result = cronbach_alpha_from_covariance(covariance, n=n)
            assert math.isnan(result.alpha)
            assert all(math.isnan(bound) for bound in result.ci)
        with_two = cronbach_alpha_from_covariance(good, n=2)
    # n = 2 is enough: d1 = 1, d2 = 1 and the interval is finite (if very wide).
    assert with_two.alpha == pytest.approx(2 * (1 - 4 / 6))
    assert all(math.isfinite(bound) for bound in with_two.ci)


def test_listwise_covariance_with_fewer_than_two_respondents_is_nan() -> None:
    """(C - s s^T / n) / (n - 1) is undefined for n < 2: all nan, no warning."""
    with _no_warnings():
        for n in (0, 1):
            covariance = listwise_covariance(n, np.array([n * 3, n * 4]), np.eye(2) * n)
            assert np.isnan(covariance).all()
        assert np.isnan(listwise_covariance(1.0, np.array([3.0]), np.array([[9.0]]))).all()


def test_invalid_arguments_raise() -> None:
    """Unknown missing policy, wrong shapes, infinite answers, bad confidence, non-integer n."""
    with pytest.raises(ValueError, match="missing"):
        cronbach_alpha(HAND, missing="mean")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="two-dimensional"):
        cronbach_alpha(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="finite"):
        cronbach_alpha(np.array([[1.0, np.inf], [2.0, 3.0]]))
    with pytest.raises(ValueError, match="square"):
        cronbach_alpha_from_covariance(np.ones((2, 3)), n=5)
    for confidence in (0.0, 1.0, 1.5, math.nan):
        with pytest.raises(ValueError, match="confidence"):
            cronbach_alpha(HAND, confidence=confidence)
    with pytest.raises(TypeError):
        cronbach_alpha_from_covariance(np.eye(2), n=5.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="same shape"):
        pairwise_covariance(np.ones((2, 2)), np.ones((2, 3)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="vector"):
        listwise_covariance(3, np.ones((2, 2)), np.ones((2, 2)))


def test_result_is_frozen() -> None:
    """AlphaResult is an immutable value."""
    result = cronbach_alpha(HAND)
    assert isinstance(result, AlphaResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.alpha = 0.0  # type: ignore[misc]
