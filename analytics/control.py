"""Trend series over calendar periods, with Shewhart individuals-chart limits, EWMA and run rules.

A trend is one value per period (day, ISO week, month, quarter or year) in time order, typically the
mean satisfaction score of each period; a period without answers is ``nan``. The helpers
:func:`period_start`, :func:`period_label` and :func:`period_range` name and enumerate the
periods; :func:`control_chart` puts the series on an individuals (X) chart with moving-range
sigma, an EWMA chart with time-varying limits, and reports the points that signal.
"""

import datetime
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

D2: Final = 1.128
"""Bias-correction constant d₂ for the range of two observations: E(|X₁ − X₂|) = d₂ σ."""

GRAINS: Final = ("day", "week", "month", "quarter", "year")
"""The period lengths understood by :func:`period_start` and :func:`period_label`."""

Rule = Literal["beyond_limits", "run", "ewma"]
Direction = Literal["above", "below"]


def _check_grain(grain: str) -> None:
    if grain not in GRAINS:
        raise ValueError(f"unknown grain {grain!r}; expected one of {', '.join(GRAINS)}")


def period_start(day: datetime.date, grain: str) -> datetime.date:
    """The first day of the period of length ``grain`` that contains ``day``.

    Parameters
    ----------
    day : datetime.date
        Any day (a ``datetime`` is reduced to its date).
    grain : {"day", "week", "month", "quarter", "year"}
        ``"week"`` is the ISO 8601 week, which starts on Monday.

    Returns
    -------
    datetime.date
        ``day`` itself; the Monday on or before ``day``; the 1st of its month; the 1st of
        January, April, July or October; or the 1st of January.

    Raises
    ------
    ValueError
        For an unknown grain.

    Notes
    -----
    Missing data: not applicable (one day in, one day out).

    References
    ----------
    ISO 8601-1:2019, Date and time — Representations for information interchange, §5.2.4
    (week dates).

    Examples
    --------
    >>> period_start(datetime.date(2027, 1, 1), "week")
    datetime.date(2026, 12, 28)
    >>> period_start(datetime.date(2026, 11, 30), "quarter")
    datetime.date(2026, 10, 1)
    """
    _check_grain(grain)
    if grain == "day":
        return datetime.date(day.year, day.month, day.day)
    if grain == "week":
        return datetime.date.fromordinal(day.toordinal() - day.weekday())
    if grain == "month":
        return datetime.date(day.year, day.month, 1)
    if grain == "year":
        return datetime.date(day.year, 1, 1)
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def period_label(day: datetime.date, grain: str) -> str:
    """The name of the period of length ``grain`` that contains ``day``.

    Parameters
    ----------
    day : datetime.date
        Any day in the period.
    grain : {"day", "week", "month", "quarter", "year"}
        Period length, as in :func:`period_start`.

    Returns
    -------
    str
        ``"2026-11-30"`` (day), ``"2026-W49"`` (ISO week, with the ISO week-numbering
        year, which differs from the calendar year for some days around New Year),
        ``"2026-11"`` (month), ``"2026-Q4"`` (quarter) or ``"2026"`` (year). Years are
        written with four digits and numbers zero-padded, so for one grain the labels sort
        chronologically as strings.

    Raises
    ------
    ValueError
        For an unknown grain.

    Notes
    -----
    Missing data: not applicable.

    References
    ----------
    ISO 8601-1:2019, §5.2.2 (calendar dates), §5.2.4 (week dates).

    Examples
    --------
    >>> period_label(datetime.date(2027, 1, 1), "week")
    '2026-W53'
    >>> period_label(datetime.date(2024, 12, 30), "week")
    '2025-W01'
    >>> period_label(datetime.date(2026, 11, 30), "month")
    '2026-11'
    >>> period_label(datetime.date(2026, 11, 30), "quarter")
    '2026-Q4'
    """
    _check_grain(grain)
    if grain == "day":
        return datetime.date(day.year, day.month, day.day).isoformat()
    if grain == "week":
        iso = day.isocalendar()
        return f"{iso.year:04d}-W{iso.week:02d}"
    if grain == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if grain == "year":
        return f"{day.year:04d}"
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def _next_start(start: datetime.date, grain: str) -> datetime.date:
    if grain == "day":
        return start + datetime.timedelta(days=1)
    if grain == "week":
        return start + datetime.timedelta(days=7)
    if grain == "year":
        return datetime.date(start.year + 1, 1, 1)
    months = 1 if grain == "month" else 3
    index = start.year * 12 + (start.month - 1) + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def period_end(day: datetime.date, grain: str) -> datetime.date:
    """The first day after the period of length ``grain`` that contains ``day``.

    Periods are half-open, ``[period_start, period_end)``, so consecutive periods tile the
    calendar without overlap.

    Examples
    --------
    >>> period_end(datetime.date(2026, 12, 31), "year")
    datetime.date(2027, 1, 1)
    >>> period_end(datetime.date(2026, 12, 2), "week")
    datetime.date(2026, 12, 7)
    """
    return _next_start(period_start(day, grain), grain)


def period_range(
    first: datetime.date, last: datetime.date, grain: str
) -> tuple[datetime.date, ...]:
    """The start days of every period from the one containing ``first`` to ``last``'s.

    Use it to lay out a trend with no gaps: a period without data still gets a slot (and a
    ``nan`` value) so that a control chart sees the calendar, not just the busy periods.

    Parameters
    ----------
    first, last : datetime.date
        Any days in the first and the last period (``first <= last``).
    grain : {"day", "week", "month", "quarter", "year"}
        Period length, as in :func:`period_start`.

    Returns
    -------
    tuple of datetime.date
        ``period_start(first)``, then each following period's start up to and including
        ``period_start(last)``; empty when ``last`` is before ``first``'s period.

    Raises
    ------
    ValueError
        For an unknown grain.

    Notes
    -----
    Missing data: not applicable.

    References
    ----------
    ISO 8601-1:2019, §5.2.4 (week dates).

    Examples
    --------
    >>> starts = period_range(datetime.date(2026, 11, 15), datetime.date(2027, 2, 3), "month")
    >>> [period_label(s, "month") for s in starts]
    ['2026-11', '2026-12', '2027-01', '2027-02']
    """
    _check_grain(grain)
    start = period_start(first, grain)
    stop = period_start(last, grain)
    starts: list[datetime.date] = []
    while start <= stop:
        starts.append(start)
        if start == stop:
            break
        start = _next_start(start, grain)
    return tuple(starts)


@dataclass(frozen=True)
class ChartPoint:
    """One period of a control chart.

    ``value`` is the observation (``nan`` for a period without data); ``ewma`` is the EWMA
    statistic after this period and ``ewma_upper``/``ewma_lower`` its control limits, all
    ``nan`` for a period without data (and the limits ``nan`` when sigma is undefined).
    """

    label: str
    value: float
    ewma: float
    ewma_upper: float
    ewma_lower: float


@dataclass(frozen=True)
class Signal:
    """A period where a rule fires.

    ``index`` is the 0-based position in the series; ``value`` is the observation for the
    ``"beyond_limits"`` and ``"run"`` rules and the EWMA statistic for the ``"ewma"`` rule.
    """

    label: str
    index: int
    rule: Rule
    direction: Direction
    value: float


@dataclass(frozen=True)
class ControlChart:
    """An individuals chart with EWMA and run rules; see :func:`control_chart`.

    ``centre``, ``sigma``, ``upper`` and ``lower`` are the centre line, the process sigma and
    the Shewhart limits (``centre ± sigma_multiplier · sigma``). ``mean_moving_range`` is the
    average moving range of the estimation periods and ``baseline_count`` the number of
    non-missing values they hold (both are reported even when ``centre``/``sigma`` were
    given). ``points`` has one entry per period; ``signals`` is ordered by period, then by rule
    (beyond_limits, run, ewma).
    """

    centre: float
    sigma: float
    upper: float
    lower: float
    mean_moving_range: float
    baseline_count: int
    points: tuple[ChartPoint, ...]
    signals: tuple[Signal, ...]


def _series(values: ArrayLike) -> NDArray[np.float64]:
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError("values must be a 1-D sequence, one value per period")
    if np.isinf(x).any():
        raise ValueError("values must be finite or nan (nan marks a period without data)")
    return x


def _finite(name: str, value: float, *, positive: bool = False, nonnegative: bool = False) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite")
    if positive and number <= 0:
        raise ValueError(f"{name} must be positive")
    if nonnegative and number < 0:
        raise ValueError(f"{name} must not be negative")
    return number


def control_chart(
    values: ArrayLike,
    *,
    labels: Sequence[str] | None = None,
    sigma_multiplier: float = 3.0,
    ewma_lambda: float = 0.2,
    ewma_width: float = 3.0,
    run_length: int = 8,
    centre: float | None = None,
    sigma: float | None = None,
    limits_from: int | None = None,
    unjudged: Collection[int] = (),
) -> ControlChart:
    """Individuals (X) chart with moving-range sigma, EWMA and run rules for a trend.

    Parameters
    ----------
    values : array_like of float, shape (T,)
        One value per period in time order; ``nan`` marks a period without data.
    labels : sequence of str, optional
        One name per period (e.g. from :func:`period_label`), carried to the points and
        signals. Default: the 0-based period index as a string.
    sigma_multiplier : float, default 3.0
        Width k of the Shewhart limits in sigmas.
    ewma_lambda : float, default 0.2
        EWMA weight λ of the newest value, 0 < λ ≤ 1 (λ = 1 gives the individuals chart).
    ewma_width : float, default 3.0
        Width L of the EWMA limits in sigmas of the EWMA statistic.
    run_length : int, default 8
        Number of consecutive points on one side of the centre line that make a run (≥ 2).
    centre, sigma : float, optional
        Known centre line and process sigma (Phase II monitoring against a baseline); each
        replaces its estimate. ``sigma`` may be 0.
    limits_from : int, optional
        Estimate centre and sigma from the first ``limits_from`` periods only (Phase I on a
        baseline, Phase II afterwards); the rules are applied to every period. Default: all.
    unjudged : collection of int, optional
        Positions of periods that are shown but not judged, typically the period still
        running on too few answers: their value is kept on the point, but they are left
        out of the estimates, the EWMA and the runs exactly like a period without data, and
        they never signal.

    Returns
    -------
    ControlChart
        With x₁ … x_n the non-missing values of the estimation periods in time order:

        * centre line  x̄ = (1/n) Σ xᵢ;
        * moving ranges MRᵢ = |xᵢ − xᵢ₋₁| (i = 2 … n), MR̄ their mean, σ̂ = MR̄ / d₂ with
          d₂ = 1.128;
        * Shewhart limits x̄ ± k σ̂;
        * EWMA z_t = λ x_t + (1 − λ) z_{t−1}, z₀ = x̄, with limits
          x̄ ± L σ̂ √(λ / (2 − λ) · (1 − (1 − λ)^{2t})), t counting the non-missing periods so
          far.

        Rules, evaluated at each non-missing period:

        * ``"beyond_limits"``: the value is strictly above the upper or below the lower
          Shewhart limit;
        * ``"run"``: this value and the ``run_length − 1`` before it lie strictly on the same
          side of the centre line. The signal is given at the period that completes the run
          and again at every further period while the run continues; a value exactly on the
          centre line ends the run;
        * ``"ewma"``: the EWMA statistic is strictly outside its limits.

    Raises
    ------
    ValueError
        If values are not 1-D or contain ±inf, labels have the wrong length, or an option is
        out of range (k, L ≤ 0; λ ∉ (0, 1]; run_length < 2; centre or sigma not finite;
        sigma < 0; limits_from not in 1 … T).

    Notes
    -----
    Missing data: a ``nan`` period is dropped from the estimates (moving ranges join the
    observed values on either side of a gap), does not advance the EWMA (z and t carry over)
    and neither breaks nor extends a run; its point keeps ``value``, ``ewma`` and the EWMA
    limits as ``nan``, and it never signals. An ``unjudged`` period is treated the same way
    but keeps its ``value``.

    Degenerate cases: with fewer than 2 non-missing estimation values σ̂ is ``nan`` (with none,
    x̄ is ``nan`` too); the limits are then ``nan`` and no rule is evaluated, so there are no
    signals unless ``centre``/``sigma`` are given. When every estimation value is equal,
    MR̄ = 0 and σ̂ = 0: the limits coincide with the centre line, which is exactly that value,
    so in Phase I nothing signals; in Phase II any later departure from it signals
    (``beyond_limits`` and ``ewma``). Nothing divides by σ̂, so σ̂ = 0 never warns. The
    estimated centre is the correctly rounded mean clipped to [min, max], so a constant series
    has its value as centre line exactly.

    References
    ----------
    Montgomery, D. C. Introduction to Statistical Quality Control. Wiley. Ch. 6 (the control
    chart for individual measurements, moving-range sigma), ch. 9 (the EWMA control chart),
    ch. 5 (sensitizing rules: runs on one side of the centre line).
    Roberts, S. W. (1959). Control chart tests based on geometric moving averages.
    Technometrics, 1(3), 239–250.

    Examples
    --------
    >>> chart = control_chart([10, 12, 11, 13, 30, 12, 11, 12, 10, 11])
    >>> round(chart.centre, 2), round(chart.mean_moving_range, 2), round(chart.sigma, 4)
    (13.2, 5.0, 4.4326)
    >>> round(chart.lower, 3), round(chart.upper, 3)
    (-0.098, 26.498)
    >>> [(s.index, s.rule, s.direction) for s in chart.signals]
    [(4, 'beyond_limits', 'above')]

    A series whose last period is still running (left unjudged): centre 103 / 9 = 11.44 and
    MR̄ = 10 / 8 = 1.25 from the nine whole periods, so the lower limit is
    11.44 − 3 · 1.25 / 1.128 = 8.12; the low value drawn for the running one raises nothing.

    >>> chart = control_chart([10, 12, 11, 13, 12, 12, 11, 12, 10, 2], unjudged={9})
    >>> round(chart.centre, 2), round(chart.lower, 2), chart.points[9].value, chart.signals
    (11.44, 8.12, 2.0, ())

    Phase II, monthly means against a known baseline (centre 4.0, sigma 0.1):

    >>> months = period_range(datetime.date(2026, 9, 1), datetime.date(2026, 12, 1), "month")
    >>> labels = [period_label(m, "month") for m in months]
    >>> chart = control_chart([4.1, 3.9, 3.5, 4.0], labels=labels, centre=4.0, sigma=0.1)
    >>> [(s.label, s.rule, s.direction, round(s.value, 3)) for s in chart.signals]
    [('2026-11', 'beyond_limits', 'below', 3.5), ('2026-11', 'ewma', 'below', 3.897)]
    """
    x = _series(values)
    count = int(x.shape[0])
    names = tuple(str(i) for i in range(count)) if labels is None else tuple(labels)
    if len(names) != count:
        raise ValueError(f"got {len(names)} labels for {count} values")
    k = _finite("sigma_multiplier", sigma_multiplier, positive=True)
    width = _finite("ewma_width", ewma_width, positive=True)
    lam = _finite("ewma_lambda", ewma_lambda, positive=True)
    if lam > 1:
        raise ValueError("ewma_lambda must be in (0, 1]")
    if run_length < 2:
        raise ValueError("run_length must be at least 2")
    if limits_from is not None and not 1 <= limits_from <= count:
        raise ValueError(f"limits_from must be between 1 and the number of periods ({count})")
    if any(not 0 <= i < count for i in unjudged):
        raise ValueError(f"unjudged positions must be between 0 and {count - 1}")

    shown = x
    if unjudged:
        x = x.copy()
        x[list(unjudged)] = math.nan
    baseline = x if limits_from is None else x[:limits_from]
    observed = baseline[~np.isnan(baseline)]
    n = int(observed.shape[0])
    mr_mean = float(np.mean(np.abs(np.diff(observed)))) if n >= 2 else math.nan
    if n >= 1:
        mean = math.fsum(observed.tolist()) / n
        estimated_centre = min(max(mean, float(observed.min())), float(observed.max()))
    else:
        estimated_centre = math.nan
    cl = estimated_centre if centre is None else _finite("centre", centre)
    sd = mr_mean / D2 if sigma is None else _finite("sigma", sigma, nonnegative=True)
    defined = math.isfinite(cl) and math.isfinite(sd)
    upper = cl + k * sd if defined else math.nan
    lower = cl - k * sd if defined else math.nan

    points: list[ChartPoint] = []
    signals: list[Signal] = []
    z = cl
    t = 0
    side = 0
    run = 0
    for i, value in enumerate(x.tolist()):
        if math.isnan(value):
            points.append(ChartPoint(names[i], float(shown[i]), math.nan, math.nan, math.nan))
            continue
        t += 1
        # z + λ(x − z) equals λx + (1 − λ)z and keeps z exactly constant on constant data.
        z = z + lam * (value - z)
        if math.isfinite(sd):
            half = width * sd * math.sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 * t)))
            z_upper, z_lower = cl + half, cl - half
        else:
            z_upper = z_lower = math.nan
        points.append(ChartPoint(names[i], value, z, z_upper, z_lower))
        if not defined:
            continue
        if value > upper:
            signals.append(Signal(names[i], i, "beyond_limits", "above", value))
        elif value < lower:
            signals.append(Signal(names[i], i, "beyond_limits", "below", value))
        here = (value > cl) - (value < cl)
        run = run + 1 if here != 0 and here == side else (1 if here != 0 else 0)
        side = here
        if run >= run_length:
            direction: Direction = "above" if side > 0 else "below"
            signals.append(Signal(names[i], i, "run", direction, value))
        if z > z_upper:
            signals.append(Signal(names[i], i, "ewma", "above", z))
        elif z < z_lower:
            signals.append(Signal(names[i], i, "ewma", "below", z))

    return ControlChart(
        centre=cl,
        sigma=sd,
        upper=upper,
        lower=lower,
        mean_moving_range=mr_mean,
        baseline_count=n,
        points=tuple(points),
        signals=tuple(signals),
    )
