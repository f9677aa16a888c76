"""Trends: the index and the dimension scores per period, on control charts."""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from analytics.control import ControlChart, control_chart
from analytics.gaps import dimension_scores
from analytics.indices import satisfaction_index
from analytics.intervals import DEFAULT_MIN_N
from analytics.power_sums import Layout, PowerSums, StatKey
from analytics.segment import index_moments

TREND_FIELD = {"paired": "G", "perception_only": "P", "three_column": "ADQ"}


@dataclass(frozen=True)
class TrendReport:
    """Per period the index and the dimension scores, each as a control chart.

    ``field`` is what the dimension charts show: the gap ``G`` in paired mode, the
    perception ``P`` in perception-only mode, the adequacy gap ``ADQ`` in three-column mode.
    ``running`` is the label of the period still running (drawn as "so far"), if the trend
    reaches it, and ``running_judged`` whether it had enough answers to be judged.
    """

    periods: tuple[str, ...]
    n_respondents: tuple[int, ...]
    index: ControlChart
    field: str
    dimensions: dict[str, ControlChart]
    running: str | None = None
    running_judged: bool = True


def trend_keys(mode: str) -> Callable[[StatKey], bool]:
    """Which power sums :func:`trend_report` reads in ``mode``: the index and the scores of
    the charted field (so a caller can fetch just those).

    >>> wanted = trend_keys("paired")
    >>> wanted(StatKey("score", "G", "empathy")), wanted(StatKey("score", "E", "empathy"))
    (True, False)
    """
    field = TREND_FIELD.get(mode, "P")

    def wanted(key: StatKey) -> bool:
        return key.family == "index" or (key.family == "score" and key.field == field)

    return wanted


def trend_report(
    periods: Sequence[tuple[str, PowerSums]],
    layout: Layout,
    *,
    mode: str = "paired",
    running: str | None = None,
    min_n: int = DEFAULT_MIN_N,
) -> TrendReport:
    """Control charts of the satisfaction index and of each dimension score over periods.

    Parameters
    ----------
    periods : sequence of (str, PowerSums)
        Period label and power sums, in time order (a period without answers may be
        given with empty power sums: its value is nan and the charts skip it).
    layout : Layout
        Items, dimensions and scales.
    mode : str, keyword-only
        ``paired``, ``perception_only`` or ``three_column``; chooses the dimension field.
    running : str, optional, keyword-only
        The label of the period still running (this month, this week), if any. Its value
        is drawn, but with fewer than ``min_n`` respondents so far it is not judged: it is
        left out of the limits, the EWMA and the runs and never signals (see
        ``unjudged`` in :func:`analytics.control.control_chart`), so the first days of a
        month cannot raise an alarm on their own few answers.
    min_n : int, default 30, keyword-only
        Respondents a running period needs before the rules judge it.

    Returns
    -------
    TrendReport
        Each series on an individuals chart (centre = mean of the period values, σ from
        the average moving range / 1.128, limits ± 3σ), with EWMA (λ = 0.2) and the run
        rules of :func:`analytics.control.control_chart` as signals with their period.

    Notes
    -----
    Missing data: a period's value is that of the respondents who answered in it; periods
    without any are nan and skipped by the limits and the rules.

    References
    ----------
    Montgomery, D. C. (2019). Introduction to Statistical Quality Control, 8th ed.,
    ch. 6 (individuals chart) and ch. 9 (EWMA).

    Examples
    --------
    >>> import numpy as np
    >>> from analytics.power_sums import AnswerMatrix, Dimension, power_sums
    >>> layout = Layout((Dimension("speed", ("q1",)),))
    >>> def month(values):
    ...     p = np.array([[v] for v in values], dtype=float)
    ...     return power_sums(AnswerMatrix(layout, {"P": p}, overall=np.full(len(p), np.nan)))
    >>> trend = trend_report([("2026-01", month([5, 6])), ("2026-02", month([7, 7]))],
    ...                      layout, mode="perception_only")
    >>> [round(p.value, 2) for p in trend.index.points]
    [75.0, 100.0]

    With February still running on two answers, it is shown but not judged:

    >>> trend = trend_report([("2026-01", month([5, 6])), ("2026-02", month([7, 7]))],
    ...                      layout, mode="perception_only", running="2026-02")
    >>> trend.running, trend.running_judged, trend.index.baseline_count
    ('2026-02', False, 1)
    """
    field = TREND_FIELD.get(mode, "P")
    labels = [label for label, _ in periods]
    index_values: list[float] = []
    n_respondents: list[int] = []
    dimension_values: dict[str, list[float]] = {code: [] for code in layout.dimension_codes}
    for _label, sums in periods:
        index = satisfaction_index(index_moments(sums), scale=layout.scale)
        index_values.append(index.value)
        n_respondents.append(index.n)
        scores = dimension_scores(sums, layout, field, min_n=0)
        for code in layout.dimension_codes:
            value = scores[code].mean
            dimension_values[code].append(value if scores[code].n else math.nan)
    shown_running = running if running in labels else None
    unjudged: set[int] = set()
    if shown_running is not None:
        position = labels.index(shown_running)
        if n_respondents[position] < min_n:
            unjudged.add(position)
    return TrendReport(
        periods=tuple(labels),
        n_respondents=tuple(n_respondents),
        index=control_chart(index_values, labels=labels, unjudged=unjudged),
        field=field,
        dimensions={
            code: control_chart(values, labels=labels, unjudged=unjudged)
            for code, values in dimension_values.items()
        },
        running=shown_running,
        running_judged=not unjudged,
    )
