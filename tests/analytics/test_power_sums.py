"""Power sums: exact, additive, and order-free; moments read back from them are the raw ones."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from analytics.moments import Moments
from analytics.power_sums import (
    ALL_FAMILIES,
    LIGHT_FAMILIES,
    AnswerMatrix,
    Dimension,
    Layout,
    PowerSums,
    StatKey,
    grouped_power_sums,
    possible_keys,
    power_sums,
    respondent_power_sums,
)
from analytics.segment import index_moments, item_block, profile_moments, score_moments

LAYOUT = Layout(
    (Dimension("a", ("q1", "q2", "q3")), Dimension("b", ("q4", "q5"))),
    scale=(1, 7),
    overall_scale=(1, 5),
)


def random_answers(seed: int, n: int, *, missing: float = 0.15) -> AnswerMatrix:
    """Answers on 1–7 with a share of blanks, overall on 1–5, full 100-point allocations."""
    rng = np.random.default_rng(seed)
    k = len(LAYOUT.items)
    p = rng.integers(1, 8, size=(n, k)).astype(float)
    e = rng.integers(1, 8, size=(n, k)).astype(float)
    p[rng.random((n, k)) < missing] = np.nan
    e[rng.random((n, k)) < missing] = np.nan
    overall = rng.integers(1, 6, size=n).astype(float)
    overall[rng.random(n) < missing] = np.nan
    first = rng.integers(0, 101, size=n)
    importance = np.column_stack([first, 100 - first]).astype(float)
    return AnswerMatrix(LAYOUT, {"P": p, "E": e}, overall=overall, importance=importance)


def subset(answers: AnswerMatrix, rows: np.ndarray) -> AnswerMatrix:
    return answers.rows(rows)


def test_power_sums_of_two_halves_add_up_to_the_whole() -> None:
    """Power sums are plain integer sums, so the halves' sums add to the whole's exactly."""
    answers = random_answers(1, 400)
    rows = np.arange(400)
    whole = power_sums(answers)
    halves = power_sums(subset(answers, rows[:173])) + power_sums(subset(answers, rows[173:]))
    assert halves == whole


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 60), cut=st.floats(0, 1))
def test_merging_any_split_equals_the_whole(seed: int, n: int, cut: float) -> None:
    """Property: for any split of any respondents, sums(A) + sums(B) == sums(A ∪ B)."""
    answers = random_answers(seed, n)
    order = np.random.default_rng(seed).permutation(n)
    k = int(cut * n)
    parts = power_sums(subset(answers, order[:k])) + power_sums(subset(answers, order[k:]))
    assert parts == power_sums(answers)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 60))
def test_power_sums_do_not_depend_on_respondent_order(seed: int, n: int) -> None:
    """Property: permuting respondents leaves every power sum unchanged."""
    answers = random_answers(seed, n)
    order = np.random.default_rng(seed + 1).permutation(n)
    assert power_sums(subset(answers, order)) == power_sums(answers)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), shift=st.integers(-3, 3))
def test_adding_a_constant_to_p_and_e_leaves_the_gap_sums_unchanged(seed: int, shift: int) -> None:
    """Property: gap = P − E, so (P + c) − (E + c) has the same power sums."""
    answers = random_answers(seed, 30)
    shifted = AnswerMatrix(
        LAYOUT,
        {name: m + shift for name, m in answers.values.items()},
        overall=answers.overall,
        importance=answers.importance,
    )
    gap_keys = [key for key in power_sums(answers) if key.field == "G"]
    assert gap_keys
    original, moved = power_sums(answers), power_sums(shifted)
    assert {k: original[k] for k in gap_keys} == {k: moved[k] for k in gap_keys}


def test_listwise_moments_equal_numpy_on_complete_rows() -> None:
    """The ``item`` block holds Σx and Σxxᵀ of the rows complete in the dimension, so its
    covariance equals ``numpy.cov`` of those rows."""
    answers = random_answers(7, 500)
    block = item_block(power_sums(answers), LAYOUT, "P", "a")
    raw = answers.values["P"][:, :3]
    complete = raw[~np.isnan(raw).any(axis=1)]
    moments = block.listwise()
    assert moments.n == complete.shape[0]
    np.testing.assert_allclose(moments.mean, complete.mean(axis=0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(moments.covariance(), np.cov(complete.T), rtol=0, atol=1e-12)


def test_pairwise_sums_count_every_respondent_who_answered_both_items() -> None:
    """pairwise counts/sums/cross = listwise rows + incomplete rows answering both items."""
    answers = random_answers(8, 300)
    block = item_block(power_sums(answers), LAYOUT, "G", "a")
    gaps = answers.values["P"][:, :3] - answers.values["E"][:, :3]
    both = ~np.isnan(gaps[:, 0]) & ~np.isnan(gaps[:, 2])
    assert block.pairwise.counts[0, 2] == both.sum()
    assert block.pairwise.sums[0, 2] == gaps[both, 0].sum()
    assert block.pairwise.sums[2, 0] == gaps[both, 2].sum()
    assert block.pairwise.cross[0, 2] == (gaps[both, 0] * gaps[both, 2]).sum()


def test_score_moments_are_the_respondent_means_of_the_answered_items() -> None:
    """Dimension score of a respondent = mean of their answered items (SERVQUAL scoring);
    the stored L·S/k (L = lcm(1..3) = 6) divides back exactly."""
    answers = random_answers(9, 400)
    raw = answers.values["P"][:, :3]
    answered = ~np.isnan(raw).all(axis=1)
    scores = np.nanmean(raw[answered], axis=1)
    moments = score_moments(power_sums(answers), LAYOUT, "P", "a")
    assert LAYOUT.score_scale("a") == 6
    assert moments.n == answered.sum()
    assert moments.mean[0] == pytest.approx(scores.mean(), abs=1e-12)
    assert moments.variance()[0] == pytest.approx(scores.var(ddof=1), abs=1e-12)


def test_index_moments_use_each_respondents_mean_over_all_answered_items() -> None:
    """m_r = mean of the respondent's answered perceptions; strata by count divide exactly."""
    answers = random_answers(10, 400, missing=0.3)
    raw = answers.values["P"]
    answered = ~np.isnan(raw).all(axis=1)
    means = np.nanmean(raw[answered], axis=1)
    moments = index_moments(power_sums(answers))
    assert moments.n == answered.sum()
    assert moments.mean[0] == pytest.approx(means.mean(), abs=1e-12)
    assert moments.variance()[0] == pytest.approx(means.var(ddof=1), abs=1e-12)


def test_profile_moments_hold_dimension_means_and_overall() -> None:
    """The profile is (P̄_a, P̄_b, overall) over respondents who have all three."""
    answers = random_answers(11, 400)
    p = answers.values["P"]
    a = np.array([np.nan if np.isnan(r).all() else np.nanmean(r) for r in p[:, :3]])
    b = np.array([np.nan if np.isnan(r).all() else np.nanmean(r) for r in p[:, 3:]])
    rows = ~np.isnan(a) & ~np.isnan(b) & ~np.isnan(answers.overall)
    expected = np.column_stack([a[rows], b[rows], answers.overall[rows]])
    moments = profile_moments(power_sums(answers), LAYOUT)
    assert moments.n == rows.sum()
    np.testing.assert_allclose(moments.mean, expected.mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(moments.covariance(), np.cov(expected.T), atol=1e-12)


def test_chan_merge_equals_moments_of_the_whole() -> None:
    """Chan, Golub & LeVeque (1979): merged centred moments equal the whole's."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 3)) * 1000 + 1e6
    whole = Moments.from_observations(x)
    merged = Moments.from_observations(x[:77]).merge(Moments.from_observations(x[77:]))
    assert merged.n == whole.n
    np.testing.assert_allclose(merged.mean, whole.mean, rtol=1e-14)
    np.testing.assert_allclose(merged.m2, whole.m2, rtol=1e-9)


def test_from_power_sums_is_exact_where_the_one_pass_formula_cancels() -> None:
    """10^8 answers of 7 and one of 6: the mean is 7 − 1/n (n = 10^8 + 1), so
    M2 = 10^8·(1/n)² + ((n−1)/n)² = (n−1)/n = 10^8/(10^8 + 1). The one-pass formula
    Σx² − (Σx)²/n in floats cancels ~4.9·10^9 against itself; exact arithmetic does not."""
    n = 10**8 + 1
    total = 7 * 10**8 + 6
    squares = 49 * 10**8 + 36
    moments = Moments.from_power_sums(n, [total], [[squares]])
    exact = Fraction(squares) - Fraction(total) ** 2 / n
    assert exact == Fraction(10**8, 10**8 + 1)
    assert moments.m2[0, 0] == float(exact)


def test_a_fractional_answer_is_refused() -> None:
    """Answers are scale points; 4.5 cannot be stored as an exact integer power sum."""
    answers = AnswerMatrix(
        Layout((Dimension("a", ("q1",)),)), {"P": np.array([[4.5]])}, overall=np.array([np.nan])
    )
    with pytest.raises(ValueError, match="whole numbers"):
        power_sums(answers)


def test_an_allocation_not_totalling_100_is_not_counted() -> None:
    """Only full 100-point allocations enter the stated importance."""
    answers = AnswerMatrix(
        LAYOUT,
        {"P": np.full((2, 5), 5.0)},
        overall=np.full(2, np.nan),
        importance=np.array([[60.0, 40.0], [50.0, 40.0]]),
    )
    assert power_sums(answers)[StatKey("importance", a="a")] == (1, 60, 0, 3600)


@settings(max_examples=25, deadline=None)
@given(
    matrix=arrays(
        np.float64,
        shape=st.tuples(st.integers(1, 25), st.just(5)),
        elements=st.sampled_from([np.nan, 1.0, 2.0, 4.0, 7.0]),
    )
)
def test_power_sums_never_fail_on_any_pattern_of_blanks(matrix: np.ndarray) -> None:
    """Property: any pattern of blanks gives well-formed sums whose n never exceed rows."""
    answers = AnswerMatrix(LAYOUT, {"P": matrix}, overall=np.full(matrix.shape[0], np.nan))
    sums = power_sums(answers)
    assert all(value[0] <= matrix.shape[0] for value in sums.values())
    assert isinstance(PowerSums.total([sums, sums]), PowerSums)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 100_000),
    mode=st.sampled_from(["paired", "perception_only", "three_column"]),
    blank=st.floats(0, 1),
    families=st.sampled_from([ALL_FAMILIES, LIGHT_FAMILIES]),
)
def test_single_respondent_fast_path_equals_the_array_computation(
    seed: int, mode: str, blank: float, families: frozenset[str]
) -> None:
    """Property: the plain-Python sums of one respondent (used on every submission) equal
    the vectorised ones, for every mode, any pattern of blanks and both family sets."""
    rng = np.random.default_rng(seed)
    fields = {"paired": ["E", "P"], "perception_only": ["P"], "three_column": ["MIN", "DES", "P"]}
    values = {}
    for name in fields[mode]:
        row = rng.integers(1, 8, size=(1, 5)).astype(float)
        row[rng.random((1, 5)) < blank] = np.nan
        values[name] = row
    overall = np.array([np.nan if rng.random() < blank else float(rng.integers(1, 6))])
    first = int(rng.integers(0, 101))
    importance = None if rng.random() < 0.3 else np.array([[first, 100 - first]], dtype=float)
    if importance is not None and rng.random() < 0.2:
        importance[0, 1] = np.nan
    one = AnswerMatrix(LAYOUT, values, overall=overall, importance=importance)
    expected = grouped_power_sums(one, [0], 1, families=families).group(0)
    assert respondent_power_sums(one, families=families) == expected


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 100_000),
    mode=st.sampled_from(["paired", "perception_only", "three_column"]),
)
def test_every_key_computed_is_a_possible_key(seed: int, mode: str) -> None:
    """Stored rows carry only the key's number; a reader turns it back with
    ``possible_keys``, which must know every key the computation can produce."""
    rng = np.random.default_rng(seed)
    fields = {"paired": ["E", "P"], "perception_only": ["P"], "three_column": ["MIN", "DES", "P"]}
    values = {}
    for name in fields[mode]:
        matrix = rng.integers(1, 8, size=(20, 5)).astype(float)
        matrix[rng.random((20, 5)) < 0.3] = np.nan
        values[name] = matrix
    importance = np.column_stack([np.full(20, 30.0), np.full(20, 70.0)])
    answers = AnswerMatrix(
        LAYOUT, values, overall=rng.integers(1, 6, 20).astype(float), importance=importance
    )
    known = possible_keys(LAYOUT)
    assert set(power_sums(answers)) <= set(known.values())
    assert all(key.id == number for number, key in known.items())


def test_many_respondents_are_summed_in_passes_with_the_same_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Large inputs are processed in passes of ROWS_PER_PASS respondents (bounded memory);
    integer sums of the passes equal the one-pass result exactly."""
    import analytics.power_sums as module

    answers = random_answers(12, 101)
    groups = np.random.default_rng(1).integers(0, 4, 101)
    one_pass = grouped_power_sums(answers, groups, 4)
    monkeypatch.setattr(module, "ROWS_PER_PASS", 7)
    in_passes = grouped_power_sums(answers, groups, 4)
    assert in_passes.keys == one_pass.keys
    assert np.array_equal(in_passes.values, one_pass.values)
