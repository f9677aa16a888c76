"""Tests for analytics.control: calendar periods, individuals chart, EWMA and run rules."""

import datetime
import itertools
import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from analytics.control import (
    D2,
    ControlChart,
    control_chart,
    period_label,
    period_range,
    period_start,
)

# Montgomery, Introduction to Statistical Quality Control, Table 9.1 (used for the CUSUM and
# EWMA examples): 20 observations from N(10, 1), then 10 from N(11, 1). The EWMA example uses
# μ₀ = 10, σ = 1, λ = 0.10 and L = 2.7 (also reproduced in the IMSL EWMA chart documentation).
MONTGOMERY_9_1 = (
    9.45, 7.99, 9.29, 11.66, 12.16, 10.18, 8.04, 11.46, 9.20, 10.34,
    9.03, 11.47, 10.51, 9.40, 10.08, 9.37, 10.62, 10.31, 8.52, 10.84,
    10.90, 9.33, 12.29, 11.50, 10.60, 11.08, 10.38, 11.62, 11.31, 10.52,
)  # fmt: skip


def _keys(chart: ControlChart) -> list[tuple[int, str, str]]:
    return [(s.index, s.rule, s.direction) for s in chart.signals]


def _reference_ewma(
    values: list[float], centre: float, sigma: float, lam: float, width: float
) -> list[tuple[float, float, float]]:
    """Plain-loop EWMA z_t = λ x_t + (1 − λ) z_{t−1}, z₀ = centre, and its limits."""
    out = []
    z = centre
    for t, x in enumerate(values, start=1):
        z = lam * x + (1 - lam) * z
        variance_factor = lam / (2 - lam) * (1 - (1 - lam) ** (2 * t))
        half = width * sigma * variance_factor**0.5
        out.append((z, centre + half, centre - half))
    return out


# --- calendar periods ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "start", "label"),
    [
        # 2027-01-01 is a Friday; the Thursday of its week is 2026-12-31, so it is 2026-W53.
        (datetime.date(2027, 1, 1), datetime.date(2026, 12, 28), "2026-W53"),
        (datetime.date(2027, 1, 3), datetime.date(2026, 12, 28), "2026-W53"),
        (datetime.date(2027, 1, 4), datetime.date(2027, 1, 4), "2027-W01"),
        # ISO week 1 of 2025 and of 2026 start in December of the previous year.
        (datetime.date(2024, 12, 31), datetime.date(2024, 12, 30), "2025-W01"),
        (datetime.date(2025, 12, 29), datetime.date(2025, 12, 29), "2026-W01"),
        (datetime.date(2026, 11, 29), datetime.date(2026, 11, 23), "2026-W48"),
    ],
)
def test_iso_week_across_new_year(day: datetime.date, start: datetime.date, label: str) -> None:
    """ISO 8601: weeks start on Monday; week 1 is the week holding the year's first Thursday."""
    assert period_start(day, "week") == start
    assert start.weekday() == 0
    assert period_label(day, "week") == label


@pytest.mark.parametrize(
    ("day", "start", "label"),
    [
        (datetime.date(2026, 1, 1), datetime.date(2026, 1, 1), "2026-Q1"),
        (datetime.date(2026, 3, 31), datetime.date(2026, 1, 1), "2026-Q1"),
        (datetime.date(2026, 4, 1), datetime.date(2026, 4, 1), "2026-Q2"),
        (datetime.date(2026, 9, 30), datetime.date(2026, 7, 1), "2026-Q3"),
        (datetime.date(2026, 12, 31), datetime.date(2026, 10, 1), "2026-Q4"),
    ],
)
def test_quarters(day: datetime.date, start: datetime.date, label: str) -> None:
    """Quarters are January–March, April–June, July–September, October–December."""
    assert period_start(day, "quarter") == start
    assert period_label(day, "quarter") == label


def test_day_and_month() -> None:
    """Days are ISO calendar dates; months are YYYY-MM; a datetime is reduced to its date."""
    moment = datetime.datetime(2026, 2, 28, 23, 59)
    assert period_start(moment, "day") == datetime.date(2026, 2, 28)
    assert type(period_start(moment, "day")) is datetime.date
    assert period_label(moment, "day") == "2026-02-28"
    assert period_start(moment, "month") == datetime.date(2026, 2, 1)
    assert period_label(moment, "month") == "2026-02"
    assert period_label(datetime.date(987, 6, 5), "month") == "0987-06"


def test_years_are_calendar_years() -> None:
    """The year grain (agreements' yearly windows): 1 January, labelled by its year, and the
    next starts on the following 1 January."""
    day = datetime.date(2026, 12, 31)
    assert period_start(day, "year") == datetime.date(2026, 1, 1)
    assert period_label(day, "year") == "2026"
    starts = period_range(datetime.date(2025, 6, 1), datetime.date(2027, 1, 1), "year")
    assert starts == (
        datetime.date(2025, 1, 1),
        datetime.date(2026, 1, 1),
        datetime.date(2027, 1, 1),
    )


@pytest.mark.parametrize("function", [period_start, period_label])
def test_unknown_grain(function: Callable[[datetime.date, str], object]) -> None:
    with pytest.raises(ValueError, match="grain"):
        function(datetime.date(2026, 1, 1), "decade")
    with pytest.raises(ValueError, match="grain"):
        period_range(datetime.date(2026, 1, 1), datetime.date(2026, 2, 1), "Week")


@pytest.mark.parametrize("grain", ["day", "week", "month", "quarter"])
def test_labels_sort_chronologically_and_match_starts(grain: str) -> None:
    """Walking day by day over 2019–2031, the label changes exactly when the period start
    changes, and increases as a string each time (so string order is time order)."""
    day = datetime.date(2019, 1, 1)
    previous_start = period_start(day, grain)
    previous_label = period_label(day, grain)
    assert period_label(previous_start, grain) == previous_label
    while day < datetime.date(2031, 12, 31):
        day += datetime.timedelta(days=1)
        start = period_start(day, grain)
        label = period_label(day, grain)
        assert period_start(start, grain) == start
        assert period_label(start, grain) == label
        if start == previous_start:
            assert label == previous_label
        else:
            assert start > previous_start
            assert label > previous_label
        previous_start, previous_label = start, label


def test_period_range() -> None:
    """Consecutive period starts from first's period through last's, across a year end."""
    weeks = period_range(datetime.date(2026, 12, 24), datetime.date(2027, 1, 6), "week")
    assert [period_label(w, "week") for w in weeks] == ["2026-W52", "2026-W53", "2027-W01"]
    assert weeks == (
        datetime.date(2026, 12, 21),
        datetime.date(2026, 12, 28),
        datetime.date(2027, 1, 4),
    )
    quarters = period_range(datetime.date(2026, 8, 15), datetime.date(2027, 4, 1), "quarter")
    assert [period_label(q, "quarter") for q in quarters] == [
        "2026-Q3",
        "2026-Q4",
        "2027-Q1",
        "2027-Q2",
    ]
    days = period_range(datetime.date(2028, 2, 28), datetime.date(2028, 3, 1), "day")
    assert [d.isoformat() for d in days] == ["2028-02-28", "2028-02-29", "2028-03-01"]
    assert period_range(datetime.date(2026, 5, 1), datetime.date(2026, 4, 30), "month") == ()
    assert period_range(datetime.date(2026, 5, 1), datetime.date(2026, 5, 31), "month") == (
        datetime.date(2026, 5, 1),
    )


# --- individuals chart ---------------------------------------------------------------------


def test_hand_worked_individuals_chart() -> None:
    """Individuals chart (Montgomery ch. 6) worked by hand.

    x = 10, 12, 11, 13, 30, 12, 11, 12, 10, 11: Σx = 132, x̄ = 13.2.
    Moving ranges 2, 1, 2, 17, 18, 1, 1, 2, 1: Σ = 45 over 9, MR̄ = 5.
    σ̂ = MR̄ / d₂ = 5 / 1.128 = 4.432624…; 3σ̂ = 13.297872…
    UCL = 13.2 + 13.297872 = 26.497872; LCL = 13.2 − 13.297872 = −0.097872.
    Only x₅ = 30 > UCL, so one "beyond_limits" signal, above, at index 4.
    """
    values = [10, 12, 11, 13, 30, 12, 11, 12, 10, 11]
    chart = control_chart(values)
    assert chart.centre == pytest.approx(13.2)
    assert chart.mean_moving_range == pytest.approx(5.0)
    assert chart.sigma == pytest.approx(4.432624, abs=1e-6)
    assert chart.upper == pytest.approx(26.497872, abs=1e-6)
    assert chart.lower == pytest.approx(-0.097872, abs=1e-6)
    assert chart.baseline_count == 10
    beyond = [s for s in chart.signals if s.rule == "beyond_limits"]
    assert [(s.index, s.direction, s.value, s.label) for s in beyond] == [(4, "above", 30.0, "4")]
    assert [p.value for p in chart.points] == [float(v) for v in values]


def test_montgomery_ewma_example() -> None:
    """EWMA chart (Montgomery ch. 9, Roberts 1959) on Montgomery's Table 9.1 data with
    μ₀ = 10, σ = 1, λ = 0.1, L = 2.7 given (Phase II).

    By hand: z₁ = 0.1 · 9.45 + 0.9 · 10 = 9.945; z₂ = 0.1 · 7.99 + 0.9 · 9.945 = 9.7495.
    Limit at t = 1: 10 + 2.7 √(0.1/1.9 · (1 − 0.9²)) = 10 + 2.7 √0.01 = 10.27 (LCL 9.73).
    Steady state: 10 ± 2.7 √(0.1/1.9) = 10 ± 0.6194. The whole series is compared with a
    plain-loop re-implementation of the recursion and the time-varying limits.
    """
    chart = control_chart(MONTGOMERY_9_1, centre=10.0, sigma=1.0, ewma_lambda=0.1, ewma_width=2.7)
    first, second = chart.points[0], chart.points[1]
    assert first.ewma == pytest.approx(9.945)
    assert second.ewma == pytest.approx(9.7495)
    assert first.ewma_upper == pytest.approx(10.27)
    assert first.ewma_lower == pytest.approx(9.73)
    assert chart.points[-1].ewma_upper == pytest.approx(10.6194, abs=1e-3)
    reference = _reference_ewma(list(MONTGOMERY_9_1), 10.0, 1.0, 0.1, 2.7)
    for point, (z, upper, lower) in zip(chart.points, reference, strict=True):
        assert point.ewma == pytest.approx(z, rel=1e-12)
        assert point.ewma_upper == pytest.approx(upper, rel=1e-12)
        assert point.ewma_lower == pytest.approx(lower, rel=1e-12)
    expected_ewma = [i for i, (z, upper, lower) in enumerate(reference) if z > upper or z < lower]
    assert expected_ewma  # the shift to N(11, 1) in the last ten periods is detected
    assert min(expected_ewma) >= 20
    assert [s.index for s in chart.signals if s.rule == "ewma"] == expected_ewma
    assert all(s.direction == "above" for s in chart.signals if s.rule == "ewma")
    # Shewhart limits 10 ± 3: no single value of Table 9.1 lies outside 7 … 13.
    assert chart.upper == 13.0
    assert chart.lower == 7.0
    assert not [s for s in chart.signals if s.rule == "beyond_limits"]


def test_ewma_with_estimated_limits_matches_plain_loop() -> None:
    """Phase I: the EWMA starts at z₀ = x̄ and uses σ̂ = MR̄ / d₂ in its limits."""
    values = [4.2, 4.4, 4.1, 4.3, 4.2, 4.4, 4.1, 4.3, 4.6, 4.7, 4.5, 4.7, 4.6, 4.8]
    chart = control_chart(values, ewma_lambda=0.3, ewma_width=2.5)
    centre = sum(values) / len(values)
    ranges = [abs(b - a) for a, b in itertools.pairwise(values)]
    sigma = sum(ranges) / len(ranges) / 1.128
    assert chart.centre == pytest.approx(centre, rel=1e-12)
    assert chart.sigma == pytest.approx(sigma, rel=1e-12)
    reference = _reference_ewma(values, centre, sigma, 0.3, 2.5)
    for point, (z, upper, lower) in zip(chart.points, reference, strict=True):
        assert point.ewma == pytest.approx(z, rel=1e-12)
        assert point.ewma_upper == pytest.approx(upper, rel=1e-12)
        assert point.ewma_lower == pytest.approx(lower, rel=1e-12)
    expected = [
        (i, "ewma", "above" if z > upper else "below")
        for i, (z, upper, lower) in enumerate(reference)
        if z > upper or z < lower
    ]
    assert expected  # the step up from period 8 on is visible to the EWMA
    assert [k for k in _keys(chart) if k[1] == "ewma"] == expected


def test_lambda_one_ewma_is_the_individuals_chart() -> None:
    """With λ = 1, z_t = x_t and the limits are centre ± L σ̂ √(1 · (1 − 0)) = centre ± L σ̂."""
    values = [10, 12, 11, 13, 30, 12, 11, 12, 10, 11]
    chart = control_chart(values, ewma_lambda=1.0)
    assert [p.ewma for p in chart.points] == [float(v) for v in values]
    assert all(p.ewma_upper == pytest.approx(chart.upper) for p in chart.points)
    assert [k for k in _keys(chart) if k[1] == "ewma"] == [(4, "ewma", "above")]


# --- run rule ------------------------------------------------------------------------------


def test_run_of_eight_signals_at_the_eighth_point() -> None:
    """Run rule (Montgomery ch. 5 sensitizing rules): 8 consecutive points on one side of the
    centre line. With centre 0, σ 1 given, 0.5 is inside the 3σ limits and the EWMA of 0.5s
    stays below its steady-state limit 3 √(0.2/1.8) = 1, so only the run rule can fire."""
    seven = control_chart([0.5] * 7, centre=0.0, sigma=1.0)
    assert seven.signals == ()
    eight = control_chart([0.5] * 8, centre=0.0, sigma=1.0)
    assert _keys(eight) == [(7, "run", "above")]
    ten = control_chart([-0.5] * 10, centre=0.0, sigma=1.0)
    assert _keys(ten) == [(7, "run", "below"), (8, "run", "below"), (9, "run", "below")]
    four = control_chart([0.5] * 5, centre=0.0, sigma=1.0, run_length=4)
    assert _keys(four) == [(3, "run", "above"), (4, "run", "above")]


def test_run_is_broken_by_a_side_change_or_the_centre_line() -> None:
    """A point on the other side, or exactly on the centre line, starts the count again."""
    values = [0.5] * 7 + [-0.5] + [0.5] * 7 + [0.0] + [0.5] * 7
    assert control_chart(values, centre=0.0, sigma=1.0).signals == ()


def test_phase_one_runs_on_both_sides() -> None:
    """x̄ = 3.5 for 1,2,1,2,… (8 values) then 5,6,5,6,… (8 values): the first 8 lie below
    and the last 8 above. MR̄ = (7·1 + 3 + 7·1)/15 = 17/15, σ̂ = 1.0047, limits 3.5 ± 3.014,
    so no point is beyond them."""
    values = [1, 2] * 4 + [5, 6] * 4
    chart = control_chart(values)
    assert chart.centre == pytest.approx(3.5)
    assert chart.mean_moving_range == pytest.approx(17 / 15)
    assert chart.sigma == pytest.approx(17 / 15 / D2)
    runs = [k for k in _keys(chart) if k[1] == "run"]
    assert runs == [(7, "run", "below"), (15, "run", "above")]
    assert not [k for k in _keys(chart) if k[1] == "beyond_limits"]


# --- missing periods, labels, baseline -----------------------------------------------------


def test_missing_periods_are_skipped_and_labels_carried() -> None:
    """nan periods: dropped from x̄ and the moving ranges (which join the values on either
    side of a gap), neither break nor extend a run, keep nan in the output, never signal.

    Values 0.5, nan, 0.5, 0.5, 0.5, nan, 0.5, 0.5, 0.5, 0.5 with centre 0, σ 1 given: the 8
    observed values form one run completed at index 9 (the 8th observed value)."""
    nan = math.nan
    weeks = period_range(datetime.date(2026, 10, 5), datetime.date(2026, 12, 7), "week")
    labels = [period_label(w, "week") for w in weeks]
    assert len(labels) == 10
    values = [0.5, nan, 0.5, 0.5, 0.5, nan, 0.5, 0.5, 0.5, 0.5]
    chart = control_chart(values, labels=labels, centre=0.0, sigma=1.0)
    assert [(s.label, s.index, s.rule) for s in chart.signals] == [("2026-W50", 9, "run")]
    missing = chart.points[1]
    assert missing.label == "2026-W42"
    assert math.isnan(missing.value)
    assert math.isnan(missing.ewma)
    assert math.isnan(missing.ewma_upper)
    assert math.isnan(missing.ewma_lower)
    # The EWMA is not advanced by a gap: z after index 2 equals z after the 2nd observation.
    gapless = control_chart([0.5] * 8, centre=0.0, sigma=1.0)
    assert chart.points[2].ewma == gapless.points[1].ewma
    assert chart.points[2].ewma_upper == gapless.points[1].ewma_upper

    estimated = control_chart([10.0, nan, 12.0, 11.0, nan])
    assert estimated.baseline_count == 3
    assert estimated.centre == pytest.approx(11.0)
    assert estimated.mean_moving_range == pytest.approx(1.5)  # |12 − 10|, |11 − 12|
    assert estimated.sigma == pytest.approx(1.5 / 1.128)


def test_a_running_period_on_few_answers_is_drawn_but_not_judged() -> None:
    """Monthly index 80, 82, 81, 83, 80, 82, then a running month at 60 (two days of
    answers). Judged, 60 would be far below the lower limit. Unjudged, it keeps its value
    on the chart, the limits come from the six whole months (x̄ = 488 / 6 = 81.33,
    MR̄ = (2 + 1 + 2 + 3 + 2) / 5 = 2, σ̂ = 2 / 1.128 = 1.773, lower = 81.33 − 5.32 = 76.01)
    and nothing signals: the same chart as without the running month."""
    values = [80.0, 82.0, 81.0, 83.0, 80.0, 82.0, 60.0]
    judged = control_chart(values)
    assert [(s.index, s.rule, s.direction) for s in judged.signals][:1] == [
        (6, "beyond_limits", "below")
    ]
    chart = control_chart(values, unjudged={6})
    assert chart.signals == ()
    assert chart.centre == pytest.approx(488 / 6)
    assert chart.sigma == pytest.approx(2 / 1.128)
    assert chart.lower == pytest.approx(488 / 6 - 3 * 2 / 1.128)
    assert chart.points[6].value == 60.0
    assert math.isnan(chart.points[6].ewma)
    whole = control_chart(values[:6])
    assert (chart.centre, chart.sigma, chart.points[:6]) == (
        whole.centre,
        whole.sigma,
        whole.points,
    )


def test_too_few_values_give_nan_sigma_and_no_signals() -> None:
    """σ̂ needs at least one moving range, i.e. two non-missing values."""
    empty = control_chart([])
    assert math.isnan(empty.centre)
    assert math.isnan(empty.sigma)
    assert empty.points == ()
    assert empty.signals == ()
    one = control_chart([math.nan, 4.0, math.nan])
    assert one.centre == 4.0
    assert math.isnan(one.sigma)
    assert math.isnan(one.upper)
    assert math.isnan(one.lower)
    assert one.signals == ()
    assert one.points[1].ewma == 4.0
    assert math.isnan(one.points[1].ewma_upper)
    only_missing = control_chart([math.nan, math.nan])
    assert math.isnan(only_missing.centre)
    assert only_missing.baseline_count == 0
    # With a given sigma the rules can be evaluated on a single value.
    given_sigma = control_chart([4.0, 9.0], sigma=1.0, limits_from=1)
    assert _keys(given_sigma)[0] == (1, "beyond_limits", "above")


def test_constant_series_has_zero_sigma_and_no_signals() -> None:
    """MR̄ = 0 gives σ̂ = 0: limits equal the centre line, which is exactly the common value
    (0.1 · 3 / 3 is not 0.1 in floating point, so the centre is clipped to the data range)."""
    chart = control_chart([0.1] * 12)
    assert chart.sigma == 0.0
    assert chart.centre == 0.1
    assert chart.upper == chart.lower == 0.1
    assert chart.signals == ()
    assert all(p.ewma == 0.1 for p in chart.points)


def test_zero_sigma_baseline_flags_any_departure() -> None:
    """Phase II with a constant baseline: limits collapse onto the centre, so a change
    signals at once, without dividing by σ̂ = 0 (pytest turns any warning into an error)."""
    chart = control_chart([3.0, 3.0, 3.0, 3.2, 3.0], limits_from=3)
    assert chart.sigma == 0.0
    # z₄ = 3 + 0.2 · 0.2 = 3.04 and z₅ = 3.04 + 0.2 · (3 − 3.04) = 3.032 stay above 3.
    assert _keys(chart) == [
        (3, "beyond_limits", "above"),
        (3, "ewma", "above"),
        (4, "ewma", "above"),
    ]


def test_limits_from_baseline_periods() -> None:
    """Phase I on the first 10 periods of the hand-worked example (x̄ = 13.2, σ̂ = 5/1.128),
    Phase II for the rest: a later 40 is beyond UCL = 26.4979, later values don't move it."""
    base = [10, 12, 11, 13, 30, 12, 11, 12, 10, 11]
    chart = control_chart([*base, 40, 12], limits_from=10)
    whole = control_chart(base)
    assert chart.centre == whole.centre
    assert chart.sigma == whole.sigma
    assert chart.baseline_count == 10
    beyond = [k for k in _keys(chart) if k[1] == "beyond_limits"]
    assert beyond == [(4, "beyond_limits", "above"), (10, "beyond_limits", "above")]


def test_centre_and_sigma_overrides() -> None:
    """Given centre and sigma replace the estimates; limits are centre ± k·sigma."""
    values = [4.0, 4.2, 3.9, 4.1]
    chart = control_chart(values, centre=4.5, sigma=0.2, sigma_multiplier=2.0)
    assert chart.centre == 4.5
    assert chart.sigma == 0.2
    assert chart.upper == pytest.approx(4.9)
    assert chart.lower == pytest.approx(4.1)
    assert chart.mean_moving_range == pytest.approx((0.2 + 0.3 + 0.2) / 3)
    assert [k for k in _keys(chart) if k[1] == "beyond_limits"] == [
        (0, "beyond_limits", "below"),
        (2, "beyond_limits", "below"),
    ]
    only_centre = control_chart(values, centre=4.5)
    assert only_centre.sigma == pytest.approx(0.7 / 3 / 1.128)
    assert control_chart(values, sigma=0.0).centre == pytest.approx(4.05)


@pytest.mark.parametrize(
    ("values", "options", "message"),
    [
        ([[1.0, 2.0]], {}, "1-D"),
        ([1.0, math.inf], {}, "finite"),
        ([1.0, 2.0], {"labels": ["a"]}, "labels"),
        ([1.0, 2.0], {"ewma_lambda": 0.0}, "ewma_lambda"),
        ([1.0, 2.0], {"ewma_lambda": 1.5}, "ewma_lambda"),
        ([1.0, 2.0], {"ewma_width": -1.0}, "ewma_width"),
        ([1.0, 2.0], {"sigma_multiplier": 0.0}, "sigma_multiplier"),
        ([1.0, 2.0], {"run_length": 1}, "run_length"),
        ([1.0, 2.0], {"sigma": -0.1}, "sigma"),
        ([1.0, 2.0], {"centre": math.nan}, "centre"),
        ([1.0, 2.0], {"limits_from": 0}, "limits_from"),
        ([1.0, 2.0], {"limits_from": 3}, "limits_from"),
        ([1.0, 2.0], {"unjudged": [2]}, "unjudged"),
        ([1.0, 2.0], {"unjudged": [-1]}, "unjudged"),
    ],
)
def test_invalid_arguments(values: object, options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        control_chart(values, **options)  # type: ignore[arg-type]


# --- invariance properties -----------------------------------------------------------------

series = st.lists(
    st.one_of(st.integers(-50, 50).map(float), st.just(math.nan)), min_size=0, max_size=30
)


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def _margin(chart: ControlChart, *, centre_line: bool) -> float:
    """Distance of the nearest point or EWMA to a limit (and, with ``centre_line``, of the
    nearest point to the centre line): the rules compare these with strict inequalities, so
    a near-tie may go either way after rounding in the transformed series."""
    if not math.isfinite(chart.sigma):
        return math.inf
    gaps = [math.inf]
    for p in chart.points:
        if math.isnan(p.value):
            continue
        gaps += [abs(p.value - chart.upper), abs(p.value - chart.lower)]
        gaps += [abs(p.ewma - p.ewma_upper), abs(p.ewma - p.ewma_lower)]
        if centre_line:
            gaps.append(abs(p.value - chart.centre))
    return min(gaps)


@given(values=series, shift=st.integers(-1000, 1000).map(float))
def test_adding_a_constant_shifts_centre_and_limits(values: list[float], shift: float) -> None:
    """x ↦ x + c: x̄ ↦ x̄ + c, moving ranges unchanged so σ̂ unchanged (exactly, for integer
    data), limits and EWMA shifted by c, hence the same signals. Near-ties (within 1e-7) with
    the limits are excluded; sides of the centre line are exact for integer data (x̄ is either
    an integer, computed exactly, or at least 1/n away from every value)."""
    chart = control_chart(values)
    shifted = control_chart([v + shift for v in values])
    assert _same(shifted.sigma, chart.sigma)
    assert _same(shifted.mean_moving_range, chart.mean_moving_range)
    assert shifted.baseline_count == chart.baseline_count
    if not math.isnan(chart.centre):
        assert shifted.centre == pytest.approx(chart.centre + shift, abs=1e-9)
    if math.isfinite(chart.sigma):
        assert shifted.upper == pytest.approx(chart.upper + shift, abs=1e-9)
        assert shifted.lower == pytest.approx(chart.lower + shift, abs=1e-9)
    assume(_margin(chart, centre_line=False) > 1e-7)
    assert _keys(shifted) == _keys(chart)


@given(values=series, scale=st.floats(1e-3, 1e3))
def test_scaling_scales_sigma(values: list[float], scale: float) -> None:
    """x ↦ c·x with c > 0: MR̄, σ̂, x̄ and the limits scale by c; the signals are unchanged.
    Near-ties with the limits or the centre line (within 1e-7) are excluded: c·x̄ computed
    from the scaled values need not equal c·x̄ to the last bit."""
    chart = control_chart(values)
    scaled = control_chart([v * scale for v in values])
    tolerance = 1e-12 * scale * (1 + max((abs(v) for v in values if v == v), default=0.0))
    if math.isnan(chart.sigma):
        assert math.isnan(scaled.sigma)
    else:
        assert scaled.sigma == pytest.approx(chart.sigma * scale, rel=1e-12, abs=tolerance)
        assert scaled.centre == pytest.approx(chart.centre * scale, abs=tolerance)
        assert scaled.upper == pytest.approx(chart.upper * scale, abs=tolerance)
        assert scaled.lower == pytest.approx(chart.lower * scale, abs=tolerance)
    assume(_margin(chart, centre_line=True) > 1e-7)
    assert _keys(scaled) == _keys(chart)


@given(values=series)
def test_points_mirror_the_input(values: list[float]) -> None:
    """One point per period, nan exactly where the input is nan, signals only at observed
    periods and in period order."""
    chart = control_chart(np.array(values, dtype=float))
    assert len(chart.points) == len(values)
    for point, value in zip(chart.points, values, strict=True):
        assert _same(point.value, value)
        assert math.isnan(point.ewma) == math.isnan(value)
    indices = [s.index for s in chart.signals]
    assert indices == sorted(indices)
    assert all(not math.isnan(values[i]) for i in indices)
