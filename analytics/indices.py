"""The satisfaction index on 0–100 and its importance-weighted variants."""

import math
from dataclasses import dataclass

import numpy as np

from analytics.intervals import t_interval
from analytics.moments import Moments

INDEX_METHODS = {
    "mean_perception": "1",
    "stated_importance_weighted": "1",
    "derived_importance_weighted": "1",
}
"""Method name → version; a report carries both so a published index can be reproduced."""


@dataclass(frozen=True)
class SatisfactionIndex:
    """An index value on 0–100 with its 95 % interval, n, and the method that made it."""

    value: float
    ci95: tuple[float, float]
    n: int
    method: str
    version: str


def _rescale(value: float, low: float, high: float) -> float:
    return (value - low) / (high - low) * 100


def satisfaction_index(respondent_means: Moments, *, scale: tuple[int, int]) -> SatisfactionIndex:
    """The default satisfaction index: mean perception rescaled to 0–100.

    Parameters
    ----------
    respondent_means : Moments
        Moments of each respondent's mean perception over all the items they answered
        (one variable).
    scale : (int, int), keyword-only
        The answer scale (minimum, maximum), e.g. (1, 7).

    Returns
    -------
    SatisfactionIndex
        I = (m̄ − min) / (max − min) × 100 with m̄ = (1/n) Σ_r m_r, m_r the respondent's
        mean perception; the interval is the t interval of m̄ rescaled the same way.

    Notes
    -----
    Missing data: a respondent counts when they answered at least one perception item;
    their mean is over the items they answered. Simpler public-sector indices rescale
    mean ratings to 0–100 the same way (e.g. Indonesia's IKM).

    References
    ----------
    Fornell, C. (1992). A national customer satisfaction barometer: the Swedish
    experience. Journal of Marketing 56(1), 6–21 (0–100 indices); GB/T 19038-2009.

    Examples
    --------
    >>> m = Moments.from_observations([[4.0], [7.0], [5.0], [6.0]])
    >>> index = satisfaction_index(m, scale=(1, 7))
    >>> round(index.value, 2), index.n, index.method
    (75.0, 4, 'mean_perception')
    """
    low, high = scale
    if respondent_means.n == 0:
        return SatisfactionIndex(math.nan, (math.nan, math.nan), 0, "mean_perception", "1")
    mean = float(respondent_means.mean[0])
    variance = float(respondent_means.variance()[0])
    lo, hi = t_interval(mean, variance, respondent_means.n)
    return SatisfactionIndex(
        value=_rescale(mean, low, high),
        ci95=(_rescale(lo, low, high), _rescale(hi, low, high)),
        n=respondent_means.n,
        method="mean_perception",
        version=INDEX_METHODS["mean_perception"],
    )


def weighted_satisfaction_index(
    dimension_means: dict[str, float],
    weights: dict[str, float],
    profile: Moments,
    *,
    scale: tuple[int, int],
    method: str,
) -> SatisfactionIndex:
    """An importance-weighted satisfaction index on 0–100.

    Parameters
    ----------
    dimension_means : dict of str to float
        Mean perception per dimension (respondent rule).
    weights : dict of str to float
        Importance weights summing to 1 (stated points / 100, or derived coefficients
        normalised by :func:`analytics.importance.importance_weights`).
    profile : Moments
        Moments of (P̄_1, …, P̄_D, overall) in the same dimension order; its covariance
        gives the interval.
    scale : (int, int), keyword-only
        The answer scale.
    method : str, keyword-only
        ``stated_importance_weighted`` or ``derived_importance_weighted``.

    Returns
    -------
    SatisfactionIndex
        I_w = (Σ_d w_d P̄_d − min) / (max − min) × 100; the interval is
        Σ w_d P̄_d ± t·√(wᵀ S w / n) from the covariance S of the dimension means over the
        n respondents of ``profile``, rescaled.

    Notes
    -----
    Missing data: each P̄_d uses everyone who answered in dimension d; the interval uses
    the respondents who answered in every dimension (an approximation when many skip).

    References
    ----------
    Parasuraman, Zeithaml & Berry (1988) for importance points; Fornell et al. (1996),
    The American Customer Satisfaction Index, Journal of Marketing 60(4), 7–18, for an
    index as a weighted mean of rescaled scores.

    Examples
    --------
    >>> profile = Moments.from_observations([[4.0, 6.0, 3.0], [6.0, 7.0, 5.0]])
    >>> index = weighted_satisfaction_index({"a": 5.0, "b": 6.5}, {"a": 0.5, "b": 0.5},
    ...     profile, scale=(1, 7), method="stated_importance_weighted")
    >>> round(index.value, 4)
    79.1667
    """
    low, high = scale
    if method not in INDEX_METHODS:
        raise ValueError(f"unknown index method {method!r}")
    codes = list(dimension_means)
    w = np.array([weights.get(code, 0.0) for code in codes])
    mean = float(np.dot(w, [dimension_means[code] for code in codes]))
    n = profile.n
    if n >= 2:
        covariance = profile.covariance()[: len(codes), : len(codes)]
        variance = float(w @ covariance @ w)
        lo, hi = t_interval(mean, variance, n)
    else:
        lo, hi = math.nan, math.nan
    return SatisfactionIndex(
        value=_rescale(mean, low, high),
        ci95=(_rescale(lo, low, high), _rescale(hi, low, high)),
        n=n,
        method=method,
        version=INDEX_METHODS[method],
    )
