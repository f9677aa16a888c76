"""Fair rankings of sites, counters and clerks by their shrunken satisfaction index."""

import math
from collections.abc import Mapping
from dataclasses import dataclass

from analytics.indices import satisfaction_index
from analytics.intervals import DEFAULT_MIN_N
from analytics.power_sums import PowerSums, StatKey
from analytics.segment import index_moments
from analytics.shrinkage import shrink_means


@dataclass(frozen=True)
class RankedUnit:
    """One unit: its own index, the index shrunk toward its parent's, and its rank.

    ``rank`` is None when the unit has fewer respondents than the minimum (shown greyed,
    never ranked); 1 is the best.
    """

    unit: str
    n: int
    index: float
    shrunken_index: float
    rank: int | None


@dataclass(frozen=True)
class Ranking:
    """Units in rank order (unranked ones last), the parent's index and the prior weight."""

    units: tuple[RankedUnit, ...]
    parent_index: float
    prior_weight: float
    min_n: int
    method: str = "empirical_bayes_index"


def ranking_keys(key: StatKey) -> bool:
    """Whether :func:`index_ranking` reads ``key`` (the index family only), so a caller can
    fetch just those power sums."""
    return key.family == "index"


def index_ranking(
    units: Mapping[str, PowerSums],
    *,
    scale: tuple[int, int],
    min_n: int = DEFAULT_MIN_N,
) -> Ranking:
    """Rank units by their satisfaction index shrunk toward the mean of all of them.

    Parameters
    ----------
    units : mapping of str to PowerSums
        The power sums of each unit (site, counter or clerk) of one parent.
    scale : (int, int), keyword-only
        The answer scale, for the 0–100 index.
    min_n : int, keyword-only
        Units with fewer respondents are not ranked (default 30).

    Returns
    -------
    Ranking
        Per unit I_j (its own index) and the shrunken index
        (n_j I_j + W μ) / (n_j + W), where μ is the index of all units' respondents together
        and W = σ²/τ² (pooled within-unit variance over the DerSimonian–Laird between-unit
        variance, :func:`analytics.shrinkage.shrink_means`); ranks by the shrunken index.

    Notes
    -----
    Missing data: a unit's index uses its respondents with at least one perception. With
    no unit of two or more respondents there is nothing to estimate W from: every unit
    keeps its own index and none is ranked.

    References
    ----------
    Morris, C. N. (1983). Parametric empirical Bayes inference: theory and applications.
    JASA 78(381), 47–55; DerSimonian & Laird (1986), Controlled Clinical Trials 7, 177–188.

    Examples
    --------
    >>> import numpy as np
    >>> from analytics.power_sums import AnswerMatrix, Dimension, Layout, power_sums
    >>> layout = Layout((Dimension("speed", ("q1",)),))
    >>> def unit(values):
    ...     p = np.array([[v] for v in values], dtype=float)
    ...     return power_sums(AnswerMatrix(layout, {"P": p}, overall=np.full(len(p), np.nan)))
    >>> ranking = index_ranking(
    ...     {"A1": unit([7] * 8), "B2": unit([6, 5] * 400), "C3": unit([5, 4] * 400)},
    ...     scale=(1, 7))
    >>> [(u.unit, u.rank) for u in ranking.units]
    [('B2', 1), ('C3', 2), ('A1', None)]
    """
    low, high = scale
    factor = 100 / (high - low)
    names = list(units)
    moments = [index_moments(units[name]) for name in names]
    n = [m.n for m in moments]
    means = [(float(m.mean[0]) - low) * factor if m.n else math.nan for m in moments]
    variances = [float(m.variance()[0]) * factor**2 if m.n >= 2 else math.nan for m in moments]
    parent = satisfaction_index(index_moments(PowerSums.total(units.values())), scale=scale).value
    if not any(count >= 2 for count in n):
        unranked = tuple(
            RankedUnit(name, count, mean, mean, None)
            for name, count, mean in zip(names, n, means, strict=True)
        )
        return Ranking(unranked, parent, math.nan, min_n)
    result = shrink_means(n, means, variances, parent_mean=parent, min_n=min_n)
    ranked = [
        RankedUnit(name, count, mean, shrunk, rank)
        for name, count, mean, shrunk, rank in zip(
            names, n, means, result.shrunken_means, result.ranks, strict=True
        )
    ]
    ranked.sort(key=lambda u: (u.rank is None, u.rank or 0, -u.shrunken_index, u.unit))
    return Ranking(tuple(ranked), parent, result.prior_weight, min_n)
