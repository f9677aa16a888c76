"""The whole report from power sums, checked against independent raw-data computations.

Independent implementations: pandas for the respondent-rule scores, statsmodels for t
intervals, pingouin for Cronbach's alpha, scikit-learn for the regression behind derived
importance. Known values are hand-worked in the docstrings.
"""

import math

import numpy as np
import pandas as pd
import pingouin
import pytest
from sklearn.linear_model import LinearRegression
from statsmodels.stats.weightstats import DescrStatsW

from analytics.gaps import dimension_scores, servqual_scores
from analytics.power_sums import AnswerMatrix, Dimension, Layout, power_sums
from analytics.report import servqual_report

LAYOUT = Layout(
    (
        Dimension("tangibles", ("q1", "q2", "q3", "q4")),
        Dimension("reliability", ("q5", "q6", "q7", "q8", "q9")),
        Dimension("empathy", ("q10", "q11", "q12")),
    ),
    scale=(1, 7),
    overall_scale=(1, 5),
)


def simulated(seed: int, n: int, *, missing: float = 0.1) -> AnswerMatrix:
    """Correlated answers: a respondent mood per dimension plus item noise, cut to 1–7."""
    rng = np.random.default_rng(seed)
    k = len(LAYOUT.items)
    mood = rng.normal(size=(n, 3))
    columns = np.concatenate([np.full(len(d.items), i) for i, d in enumerate(LAYOUT.dimensions)])
    p = np.clip(np.rint(4.8 + 1.1 * mood[:, columns] + rng.normal(0, 0.8, (n, k))), 1, 7)
    e = np.clip(np.rint(5.9 + 0.5 * mood[:, columns] + rng.normal(0, 0.7, (n, k))), 1, 7)
    p[rng.random((n, k)) < missing] = np.nan
    e[rng.random((n, k)) < missing] = np.nan
    overall = np.clip(
        np.rint(3 + 0.6 * mood[:, 0] + 0.3 * mood[:, 1] + rng.normal(0, 0.5, n)), 1, 5
    )
    cut = np.sort(rng.integers(0, 101, size=(n, 2)), axis=1)
    importance = np.column_stack([cut[:, 0], cut[:, 1] - cut[:, 0], 100 - cut[:, 1]]).astype(float)
    importance[rng.random(n) < 0.2] = np.nan
    return AnswerMatrix(LAYOUT, {"P": p, "E": e}, overall=overall, importance=importance)


def respondent_scores(matrix: np.ndarray, columns: list[int]) -> pd.Series:
    """Per respondent the mean of the answered items (NaN when none): pandas' own mean."""
    return pd.DataFrame(matrix[:, columns]).mean(axis=1, skipna=True).dropna()


def test_dimension_scores_equal_pandas_respondent_rule_with_statsmodels_intervals() -> None:
    """Respondent rule: d_r = mean of answered item gaps, d̄ = mean over respondents;
    CI = statsmodels DescrStatsW(d).tconfint_mean() (t with n − 1 df)."""
    answers = simulated(1, 800)
    report = servqual_report(power_sums(answers), LAYOUT)
    gaps = answers.values["P"] - answers.values["E"]
    for dimension in LAYOUT.dimensions:
        columns = LAYOUT.item_columns(dimension)
        for field, matrix in (("P", answers.values["P"]), ("E", answers.values["E"]), ("G", gaps)):
            expected = respondent_scores(matrix, columns)
            got = report.dimension(dimension.code).scores[field]
            assert got.n == len(expected)
            assert got.mean == pytest.approx(expected.mean(), abs=1e-9)
            low, high = DescrStatsW(expected.to_numpy()).tconfint_mean(alpha=0.05)
            assert got.ci95 == pytest.approx((low, high), abs=1e-9)


def test_alpha_in_the_report_equals_pingouin_listwise_and_pairwise() -> None:
    """Cronbach (1951) α = k/(k−1)(1 − Σσ²_i/σ²_total); pingouin.cronbach_alpha is the
    independent implementation, on perceptions, expectations and gaps."""
    answers = simulated(2, 600)
    sums = power_sums(answers)
    gaps = answers.values["P"] - answers.values["E"]
    for missing in ("listwise", "pairwise"):
        report = servqual_report(sums, LAYOUT, missing=missing)
        for dimension in LAYOUT.dimensions:
            columns = LAYOUT.item_columns(dimension)
            for field, matrix in (
                ("P", answers.values["P"]),
                ("E", answers.values["E"]),
                ("G", gaps),
            ):
                frame = pd.DataFrame(matrix[:, columns])
                expected, _ = pingouin.cronbach_alpha(frame, nan_policy=missing)
                got = report.dimension(dimension.code).alpha[field]
                assert got.alpha == pytest.approx(expected, abs=1e-9), (missing, field)


def test_derived_importance_equals_standardised_sklearn_regression() -> None:
    """β*_d = b_d·s_d/s_y with b from LinearRegression of overall on the dimension
    perception means (respondents with an overall rating and every dimension)."""
    answers = simulated(3, 700)
    report = servqual_report(power_sums(answers), LAYOUT)
    frame = pd.DataFrame(
        {
            d.code: pd.DataFrame(answers.values["P"][:, LAYOUT.item_columns(d)]).mean(axis=1)
            for d in LAYOUT.dimensions
        }
    )
    frame["overall"] = answers.overall
    frame = frame.dropna()
    x = frame[list(LAYOUT.dimension_codes)].to_numpy()
    y = frame["overall"].to_numpy()
    model = LinearRegression().fit(x, y)
    expected = model.coef_ * x.std(axis=0, ddof=1) / y.std(ddof=1)
    got = [report.derived_importance[code] for code in LAYOUT.dimension_codes]
    np.testing.assert_allclose(got, expected, atol=1e-9)
    assert report.ipa["tangibles"].quadrant in {
        "concentrate_here",
        "keep_up_the_good_work",
        "low_priority",
        "possible_overkill",
    }


def test_index_and_weighted_servqual_equal_independent_computation() -> None:
    """Index = (mean_r m_r − 1)/6·100 with m_r the respondent's mean P over all answered
    items; weighted SERVQUAL = Σ_d gap_d · (mean points_d over full allocations)/100."""
    answers = simulated(4, 900)
    report = servqual_report(power_sums(answers), LAYOUT)
    means = pd.DataFrame(answers.values["P"]).mean(axis=1).dropna()
    assert report.index.value == pytest.approx((means.mean() - 1) / 6 * 100, abs=1e-9)
    low, high = DescrStatsW(means.to_numpy()).tconfint_mean()
    assert report.index.ci95 == pytest.approx(((low - 1) / 6 * 100, (high - 1) / 6 * 100))
    assert answers.importance is not None
    full = answers.importance[~np.isnan(answers.importance).any(axis=1)]
    points = full.mean(axis=0)
    gaps = answers.values["P"] - answers.values["E"]
    dimension_gaps = [
        respondent_scores(gaps, LAYOUT.item_columns(d)).mean() for d in LAYOUT.dimensions
    ]
    assert report.servqual is not None
    assert report.servqual.weighted == pytest.approx(
        float(np.dot(dimension_gaps, points / 100)), abs=1e-9
    )
    assert report.servqual.unweighted == pytest.approx(np.mean(dimension_gaps), abs=1e-9)
    assert sum(report.importance.values()) == pytest.approx(1.0)


def test_hand_worked_gaps_and_servqual_scores() -> None:
    """Two dimensions, three respondents, no blanks.

    speed items q1, q2: P = (6,7), (4,5), (5,5); E = (7,7), (6,6), (6,6)
      item gaps (−1,0), (−2,−1), (−1,−1) → respondent means −0.5, −1.5, −1 → gap −1.0
    care item q3: P = 7, 4, 4; E = 6, 6, 5 → gaps 1, −2, −1 → gap −2/3
    unweighted SERVQUAL = (−1 − 2/3)/2 = −5/6
    points speed 60/care 40 (all three): weighted = −1·0.6 + (−2/3)·0.4 = −13/15
    """
    layout = Layout((Dimension("speed", ("q1", "q2")), Dimension("care", ("q3",))))
    p = np.array([[6.0, 7.0, 7.0], [4.0, 5.0, 4.0], [5.0, 5.0, 4.0]])
    e = np.array([[7.0, 7.0, 6.0], [6.0, 6.0, 6.0], [6.0, 6.0, 5.0]])
    importance = np.array([[60.0, 40.0]] * 3)
    answers = AnswerMatrix(
        layout, {"P": p, "E": e}, overall=np.full(3, np.nan), importance=importance
    )
    report = servqual_report(power_sums(answers), layout)
    assert report.dimension("speed").scores["G"].mean == pytest.approx(-1.0)
    assert report.dimension("care").scores["G"].mean == pytest.approx(-2 / 3)
    assert report.servqual is not None
    assert report.servqual.unweighted == pytest.approx(-5 / 6)
    assert report.servqual.weighted == pytest.approx(-13 / 15)
    assert report.dimension("speed").scores["G"].sufficient is False  # 3 < 30


def test_item_rule_equals_respondent_rule_without_blanks() -> None:
    """With no blank answers the mean of item means is the mean of respondent means, and
    Var((1/k)Σx̄_i) = (1/k²)Σσ_ij/n is the variance of d̄: both intervals coincide."""
    answers = simulated(5, 300, missing=0.0)
    sums = power_sums(answers)
    respondent = dimension_scores(sums, LAYOUT, "G")
    item = dimension_scores(sums, LAYOUT, "G", rule="item")
    for code in LAYOUT.dimension_codes:
        assert item[code].mean == pytest.approx(respondent[code].mean, abs=1e-12)
        assert item[code].ci95 == pytest.approx(respondent[code].ci95, abs=1e-9)


def test_item_rule_with_blanks_is_the_mean_of_item_means() -> None:
    """Item rule: d̄ = (1/k) Σ_i x̄_i, each item over everyone who answered it."""
    answers = simulated(6, 300, missing=0.25)
    gaps = answers.values["P"] - answers.values["E"]
    item = dimension_scores(power_sums(answers), LAYOUT, "G", rule="item")
    for dimension in LAYOUT.dimensions:
        expected = np.nanmean(gaps[:, LAYOUT.item_columns(dimension)], axis=0).mean()
        assert item[dimension.code].mean == pytest.approx(expected, abs=1e-12)


def test_perception_only_report_has_no_gaps() -> None:
    """SERVPERF: perceptions only; no gap, no SERVQUAL score, index still computed."""
    answers = simulated(7, 100)
    perception_only = AnswerMatrix(LAYOUT, {"P": answers.values["P"]}, overall=answers.overall)
    report = servqual_report(power_sums(perception_only), LAYOUT)
    assert report.mode == "perception_only"
    assert report.servqual is None
    assert set(report.dimension("empathy").scores) == {"P"}
    assert not math.isnan(report.index.value)


def test_three_column_zone_of_tolerance() -> None:
    """Three-column: adequacy gap P − MIN, superiority gap P − DES, zone [MIN̄, DES̄].

    One item, two respondents: MIN 4, 5; DES 6, 7; P 6, 6 →
    adequacy (2 + 1)/2 = 1.5, superiority (0 − 1)/2 = −0.5, zone [4.5, 6.5], P within.
    """
    layout = Layout((Dimension("speed", ("q1",)),))
    answers = AnswerMatrix(
        layout,
        {
            "MIN": np.array([[4.0], [5.0]]),
            "DES": np.array([[6.0], [7.0]]),
            "P": np.array([[6.0], [6.0]]),
        },
        overall=np.full(2, np.nan),
    )
    report = servqual_report(power_sums(answers), layout)
    speed = report.dimension("speed")
    assert report.mode == "three_column"
    assert speed.scores["ADQ"].mean == pytest.approx(1.5)
    assert speed.scores["SUP"].mean == pytest.approx(-0.5)
    assert speed.zone is not None
    assert (speed.zone.minimum, speed.zone.desired, speed.zone.position) == (4.5, 6.5, "within")


def test_servqual_scores_without_importance_have_no_weighted_score() -> None:
    """Without allocations the weighted score is undefined (nan), not zero."""
    scores = servqual_scores({"a": -1.0}, {})
    assert scores.unweighted == -1.0
    assert math.isnan(scores.weighted)


def test_empty_segment_gives_a_report_of_nothing_without_warnings() -> None:
    """A segment with no respondents reports n = 0 and nan, and raises no warning."""
    answers = AnswerMatrix(
        LAYOUT, {"P": np.full((0, 12), np.nan), "E": np.full((0, 12), np.nan)}, overall=np.zeros(0)
    )
    report = servqual_report(power_sums(answers), LAYOUT, mode="paired")
    assert report.n_respondents == 0
    assert report.dimension("tangibles").scores["G"].n == 0
    assert math.isnan(report.index.value)
