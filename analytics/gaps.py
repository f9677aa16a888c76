"""SERVQUAL gaps: per item and per dimension, perceptions alone, and the zone of tolerance.

A gap is P − E (perception minus expectation); negative means the service falls short.
In the three-column format the adequacy gap is P − minimum and the superiority gap
P − desired; between minimum and desired lies the zone of tolerance.
"""

import math
from dataclasses import dataclass

import numpy as np

from analytics.intervals import DEFAULT_MIN_N, MeanEstimate, mean_estimate, t_interval
from analytics.power_sums import Layout, PowerSums, StatKey
from analytics.segment import item_block

DIMENSION_RULES = ("respondent", "item")


def item_means(
    sums: PowerSums, layout: Layout, field: str, *, min_n: int = DEFAULT_MIN_N
) -> dict[str, MeanEstimate]:
    """Mean of ``field`` per item over the respondents who answered it, with 95 % CI.

    Parameters
    ----------
    sums : PowerSums
        Power sums of the segment.
    layout : Layout
        Items and dimensions.
    field : str
        ``P``, ``E``, ``MIN``, ``DES`` or a gap ``G`` (= P − E), ``ADQ``, ``SUP``.
    min_n : int, keyword-only
        Cells below this n are marked insufficient.

    Returns
    -------
    dict of str to MeanEstimate
        Item code → x̄_i = Σx_i / n_i with the t interval x̄_i ± t·s_i/√n_i.

    Notes
    -----
    Missing data: each item uses every respondent who answered it (for a gap, both P and E
    of that item).

    References
    ----------
    Parasuraman, Zeithaml & Berry (1988), SERVQUAL, Journal of Retailing 64(1), 12–40.

    Examples
    --------
    >>> from analytics.power_sums import AnswerMatrix, Dimension, power_sums
    >>> layout = Layout((Dimension("speed", ("q1", "q2")),))
    >>> p = np.array([[6.0, 7.0], [4.0, np.nan]])
    >>> e = np.array([[7.0, 7.0], [6.0, 5.0]])
    >>> sums = power_sums(AnswerMatrix(layout, {"P": p, "E": e}, overall=np.full(2, np.nan)))
    >>> {code: est.mean for code, est in item_means(sums, layout, "G").items()}
    {'q1': -1.5, 'q2': 0.0}
    """
    result: dict[str, MeanEstimate] = {}
    for dimension in layout.dimensions:
        block = item_block(sums, layout, field, dimension.code)
        p = block.pairwise
        for i, code in enumerate(dimension.items):
            n, total, squares = int(p.counts[i, i]), int(p.sums[i, i]), int(p.cross[i, i])
            result[code] = _exact_estimate(n, total, squares, 1, min_n)
    return result


def dimension_scores(
    sums: PowerSums,
    layout: Layout,
    field: str,
    *,
    rule: str = "respondent",
    min_n: int = DEFAULT_MIN_N,
) -> dict[str, MeanEstimate]:
    """Mean of ``field`` per dimension (for ``G``: the dimension gaps), with 95 % CI.

    Parameters
    ----------
    sums : PowerSums
        Power sums of the segment.
    layout : Layout
        Items and dimensions.
    field : str
        ``P``, ``E``, ``MIN``, ``DES``, ``G`` (gap P − E), ``ADQ`` (P − MIN), ``SUP``
        (P − DES).
    rule : {"respondent", "item"}, keyword-only
        ``respondent`` (default, Parasuraman et al. 1988): each respondent's score is the
        mean of the items they answered in the dimension, d_r = (1/k_r) Σ x_ri; the
        dimension score is the mean over respondents, d̄ = (1/n) Σ d_r, with the t interval
        d̄ ± t·s_d/√n. ``item``: the unweighted mean of the item means,
        d̄ = (1/k) Σ_i x̄_i, whose variance with pairwise-present data is
        (1/k²) Σ_ij σ_ij · n_ij / (n_i n_j); its interval uses t with min(n_i) − 1 degrees
        of freedom and n is the largest item n.
    min_n : int, keyword-only
        Cells below this n are marked insufficient.

    Returns
    -------
    dict of str to MeanEstimate
        Dimension code → estimate.

    Notes
    -----
    Missing data: under ``respondent`` a respondent counts in a dimension when they
    answered at least one of its items; under ``item`` every item uses everyone who
    answered it. The two rules agree when nobody skips an item.

    References
    ----------
    Parasuraman, A., Zeithaml, V. A., & Berry, L. L. (1988). SERVQUAL. Journal of
    Retailing 64(1), 12–40 (scoring: average the item gaps of a dimension per respondent,
    then average over respondents).

    Examples
    --------
    >>> from analytics.power_sums import AnswerMatrix, Dimension, power_sums
    >>> layout = Layout((Dimension("speed", ("q1", "q2")),))
    >>> p = np.array([[6.0, 7.0], [4.0, np.nan]])
    >>> e = np.array([[7.0, 7.0], [6.0, 5.0]])
    >>> sums = power_sums(AnswerMatrix(layout, {"P": p, "E": e}, overall=np.full(2, np.nan)))
    >>> dimension_scores(sums, layout, "G")["speed"].mean  # (-0.5 + -2) / 2
    -1.25
    >>> dimension_scores(sums, layout, "G", rule="item")["speed"].mean  # (-1.5 + 0) / 2
    -0.75
    """
    if rule not in DIMENSION_RULES:
        raise ValueError(f"rule must be one of {DIMENSION_RULES}, not {rule!r}")
    result: dict[str, MeanEstimate] = {}
    for dimension in layout.dimensions:
        if rule == "respondent":
            n, total, _, squares = sums.get_value(StatKey("score", field, dimension.code))
            scale = layout.score_scale(dimension.code)
            result[dimension.code] = _exact_estimate(n, total, squares, scale, min_n)
        else:
            result[dimension.code] = _item_rule_score(sums, layout, field, dimension.code, min_n)
    return result


def _exact_estimate(n: int, total: int, squares: int, scale: int, min_n: int) -> MeanEstimate:
    """Mean and variance of values stored times ``scale`` from their n, Σ and Σ², with
    the numerator n·Σx² − (Σx)² in exact integers (one rounding, no cancellation)."""
    if n == 0:
        return mean_estimate(math.nan, math.nan, 0, min_n=min_n)
    mean = total / (scale * n)
    variance = (n * squares - total * total) / (scale * scale * n * (n - 1)) if n > 1 else math.nan
    return mean_estimate(mean, variance, n, min_n=min_n)


def _item_rule_score(
    sums: PowerSums, layout: Layout, field: str, dimension_code: str, min_n: int
) -> MeanEstimate:
    """The ``item`` rule: the mean of item means, with the pairwise variance of that mean."""
    block = item_block(sums, layout, field, dimension_code)
    p = block.pairwise
    k = len(block.items)
    counts = np.diag(p.counts).astype(float)
    answered = counts > 0
    if not answered.all():
        return mean_estimate(math.nan, math.nan, 0, min_n=min_n)
    means = np.diag(p.sums) / counts
    pair_counts = p.counts.astype(float)
    if ((pair_counts > 0) & (pair_counts < 2)).any():
        variance_of_mean = math.nan
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            covariance = (p.cross - p.sums * p.sums.T / pair_counts) / (pair_counts - 1)
            terms = np.where(pair_counts >= 2, covariance * pair_counts, 0.0)
        variance_of_mean = float((terms / np.outer(counts, counts)).sum()) / (k * k)
    n_min = int(counts.min())
    mean = float(means.mean())
    if math.isnan(variance_of_mean) or n_min < 2:
        ci = (math.nan, math.nan)
    else:
        # t_interval divides the variance by n; pass n·Var(mean) with n = n_min.
        ci = t_interval(mean, variance_of_mean * n_min, n_min)
    return MeanEstimate(
        mean=mean,
        ci95=ci,
        n=int(counts.max()),
        sd=math.nan,
        sufficient=n_min >= min_n,
    )


@dataclass(frozen=True)
class ToleranceZone:
    """The zone of tolerance of an item or dimension and where perception falls in it.

    ``position`` is ``below`` (P < minimum: service inadequate), ``within`` or ``above``
    (P > desired: service superior).
    """

    minimum: float
    desired: float
    perception: float
    position: str


def tolerance_zones(
    sums: PowerSums, layout: Layout, *, level: str = "dimension", min_n: int = DEFAULT_MIN_N
) -> dict[str, ToleranceZone]:
    """Zone of tolerance [minimum, desired] per dimension or item, with the perception.

    Parameters
    ----------
    sums : PowerSums
        Power sums of a three-column segment (fields ``MIN``, ``DES`` and ``P``).
    layout : Layout
        Items and dimensions.
    level : {"dimension", "item"}, keyword-only
        Per dimension (respondent rule, as :func:`dimension_scores`) or per item.
    min_n : int, keyword-only
        Passed on to the means.

    Returns
    -------
    dict of str to ToleranceZone
        Code → zone. The adequacy gap is ``perception − minimum``, the superiority gap
        ``perception − desired``.

    Notes
    -----
    Missing data: each of the three means uses everyone who gave that answer.

    References
    ----------
    Parasuraman, A., Zeithaml, V. A., & Berry, L. L. (1994). Alternative scales for
    measuring service quality: a comparative assessment based on psychometric and
    diagnostic criteria. Journal of Retailing 70(3), 201–230.

    Examples
    --------
    >>> from analytics.power_sums import AnswerMatrix, Dimension, power_sums
    >>> layout = Layout((Dimension("speed", ("q1",)),))
    >>> answers = AnswerMatrix(layout, {"MIN": np.array([[4.0], [5.0]]),
    ...     "DES": np.array([[6.0], [7.0]]), "P": np.array([[4.0], [4.0]])},
    ...     overall=np.full(2, np.nan))
    >>> tolerance_zones(power_sums(answers), layout)["speed"]
    ToleranceZone(minimum=4.5, desired=6.5, perception=4.0, position='below')
    """
    if level == "dimension":
        means = {f: dimension_scores(sums, layout, f, min_n=min_n) for f in ("MIN", "DES", "P")}
    elif level == "item":
        means = {f: item_means(sums, layout, f, min_n=min_n) for f in ("MIN", "DES", "P")}
    else:
        raise ValueError("level must be 'dimension' or 'item'")
    zones: dict[str, ToleranceZone] = {}
    for code, perception in means["P"].items():
        low = means["MIN"][code].mean
        high = means["DES"][code].mean
        p = perception.mean
        position = "below" if p < low else "above" if p > high else "within"
        zones[code] = ToleranceZone(minimum=low, desired=high, perception=p, position=position)
    return zones


@dataclass(frozen=True)
class ServqualScores:
    """Unweighted and importance-weighted SERVQUAL scores of a segment.

    ``weighted`` is nan when nobody gave a full importance allocation.
    """

    unweighted: float
    weighted: float
    weights: dict[str, float]


def servqual_scores(
    dimension_gaps: dict[str, float], importance_points: dict[str, float]
) -> ServqualScores:
    """SERVQUAL scores from the dimension gaps and the mean importance points.

    Parameters
    ----------
    dimension_gaps : dict of str to float
        Dimension code → mean gap (see :func:`dimension_scores` with field ``G``).
    importance_points : dict of str to float
        Dimension code → mean points out of 100 over the respondents who gave a full
        allocation; empty when importance was not asked.

    Returns
    -------
    ServqualScores
        unweighted = (1/D) Σ_d gap_d; weighted = Σ_d gap_d · w_d with w_d = points_d / 100.

    Notes
    -----
    Missing data: a dimension without a gap makes the scores nan.

    References
    ----------
    Zeithaml, V. A., Parasuraman, A., & Berry, L. L. (1990). Delivering Quality Service,
    appendix: computing the unweighted and weighted SERVQUAL scores.

    Examples
    --------
    >>> s = servqual_scores({"a": -1.0, "b": 0.5}, {"a": 70.0, "b": 30.0})
    >>> s.unweighted, round(s.weighted, 4)
    (-0.25, -0.55)
    """
    gaps = list(dimension_gaps.values())
    unweighted = float(np.mean(gaps)) if gaps else math.nan
    if not importance_points:
        return ServqualScores(unweighted=unweighted, weighted=math.nan, weights={})
    weights = {code: importance_points[code] / 100 for code in dimension_gaps}
    weighted = float(sum(dimension_gaps[code] * weights[code] for code in dimension_gaps))
    return ServqualScores(unweighted=unweighted, weighted=weighted, weights=weights)
