"""Fair ranking of small units by empirical-Bayes shrinkage of their means.

A counter with 8 answers and a perfect mean should not top a counter with 800 answers
and a slightly lower mean. Each unit's mean is pulled toward the mean of its parent
(the office, the whole service) in proportion to how little data it has, using the
normal–normal model with the between-unit variance estimated by the method of moments.

The functions take sufficient statistics (respondent count, mean and variance of each
unit), never raw answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import rankdata

__all__ = ["ShrinkageResult", "shrink_means"]

_RANK_DECIMALS = 10


@dataclass(frozen=True)
class ShrinkageResult:
    """Shrunken unit means and the quantities of the normal–normal model behind them.

    All per-unit tuples are in the order of the input units.

    Attributes
    ----------
    shrunken_means
        ``(n_j * mean_j + W * mu) / (n_j + W)`` for each unit; ``mu`` for a unit with no
        respondents.
    weights
        ``n_j / (n_j + W)``, the weight of the unit's own mean (0 = all prior, 1 = all data).
    prior_weight
        ``W = sigma2 / tau2``, the prior's weight counted in respondents
        (``math.inf`` when ``tau2 == 0``).
    tau2
        Method-of-moments (DerSimonian–Laird) estimate of the between-unit variance of the
        true means; ``nan`` if ``sigma2`` is undefined.
    sigma2
        Pooled within-unit variance of a single answer; ``nan`` if no unit has two or more
        respondents.
    mu
        The mean shrunk toward: ``parent_mean`` if given, else the respondent-weighted mean.
    rankable
        ``n_j >= min_n`` and ``n_j > 0``.
    ranks
        Competition ranking ("1224") of the shrunken means among rankable units,
        1 = highest mean (higher is better); ``None`` for units that are not rankable.
    """

    shrunken_means: tuple[float, ...]
    weights: tuple[float, ...]
    prior_weight: float
    tau2: float
    sigma2: float
    mu: float
    rankable: tuple[bool, ...]
    ranks: tuple[int | None, ...]


def _as_1d(values: npt.ArrayLike, name: str) -> npt.NDArray[np.float64]:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def shrink_means(
    n: npt.ArrayLike,
    means: npt.ArrayLike,
    variances: npt.ArrayLike,
    *,
    parent_mean: float | None = None,
    prior_weight: float | None = None,
    min_n: int = 30,
) -> ShrinkageResult:
    r"""Shrink unit means toward their parent mean (empirical Bayes) and rank the units.

    Model (normal–normal): the true mean of unit ``j`` is
    :math:`\theta_j \sim N(\mu, \tau^2)` and its observed mean is
    :math:`\bar y_j \sim N(\theta_j, \sigma^2 / n_j)`. The posterior mean of
    :math:`\theta_j` is

    .. math:: \hat\theta_j = \frac{n_j \bar y_j + W \mu}{n_j + W},
              \qquad W = \sigma^2 / \tau^2,

    i.e. a "Bayesian average" in which the prior counts as ``W`` pseudo-respondents
    answering ``mu``. The weight of the unit's own data is :math:`n_j / (n_j + W)`.

    Estimators (units with :math:`n_j > 0`, :math:`J` of them, :math:`N = \sum n_j`):

    * :math:`\sigma^2 = \sum (n_j - 1) s_j^2 / \sum (n_j - 1)`, the pooled within-unit
      variance (``variances`` use ``ddof=1``).
    * :math:`\mu` = ``parent_mean`` if given, else :math:`\bar y_w = \sum n_j \bar y_j / N`.
    * :math:`\tau^2` by the method of moments of DerSimonian & Laird (1986) with
      weights :math:`w_j = n_j / \sigma^2`:
      :math:`\tau^2 = \max(0, (Q - (J - 1)) / (\sum w - \sum w^2 / \sum w))`,
      :math:`Q = \sum w_j (\bar y_j - \bar y_w)^2`. It is computed in the equivalent form
      :math:`\max(0, (\sum n_j (\bar y_j - \bar y_w)^2 - (J - 1)\sigma^2) /
      (N - \sum n_j^2 / N))`, which stays finite when :math:`\sigma^2 = 0`. The centre
      is always the data's own :math:`\bar y_w`, even when ``parent_mean`` is given.
      With fewer than two units :math:`\tau^2 = 0`.

    When :math:`\tau^2 = 0` the units are indistinguishable from noise: ``W`` is infinite
    and every unit gets ``mu``. ``prior_weight`` fixes ``W`` instead of estimating it
    (``tau2`` and ``sigma2`` are still reported).

    Ranks are competition ranks ("1224") of the shrunken means rounded to 10 decimals,
    1 = best (higher means are better), over the rankable units only
    (``n_j >= min_n`` and ``n_j > 0``); other units get ``None``.

    Parameters
    ----------
    n
        Respondents per unit (non-negative integers).
    means
        Mean answer per unit.
    variances
        Variance (``ddof=1``) of the answers per unit.
    parent_mean
        Mean to shrink toward; default the respondent-weighted mean of the units.
    prior_weight
        Fixed ``W`` (in respondents, ``>= 0``) instead of ``sigma2 / tau2``.
    min_n
        Minimum respondents for a unit to be ranked.

    Returns
    -------
    ShrinkageResult

    Raises
    ------
    ValueError
        On arrays of different lengths, negative or fractional ``n``, missing data where
        it is not allowed (below), no respondents at all, or no unit with ``n >= 2``
        when ``W`` must be estimated.

    Notes
    -----
    Missing data: a unit with ``n == 0`` may have ``nan`` mean and variance; it is ignored
    by every estimator and gets ``mu`` with weight 0. A unit with ``n == 1`` may have a
    ``nan`` variance (it adds nothing to :math:`\sigma^2`). Any other ``nan`` is an error.

    References
    ----------
    DerSimonian, R. & Laird, N. (1986). Meta-analysis in clinical trials.
    *Controlled Clinical Trials* 7(3), 177–188.
    Efron, B. & Morris, C. (1975). Data analysis using Stein's estimator and its
    generalizations. *JASA* 70(350), 311–319.

    Examples
    --------
    Three units with ``n = (10, 20, 10)``, means ``(4.25, 5, 5.75)`` and variances
    ``(2, 2.5, 3)``. By hand: :math:`\sigma^2 = (9 \cdot 2 + 19 \cdot 2.5 + 9 \cdot 3) / 37
    = 2.5`; :math:`\mu = (42.5 + 100 + 57.5) / 40 = 5`;
    :math:`\sum n_j (\bar y_j - \mu)^2 = 10 \cdot 0.5625 + 0 + 10 \cdot 0.5625 = 11.25`;
    :math:`N - \sum n^2 / N = 40 - 600 / 40 = 25`; so
    :math:`\tau^2 = (11.25 - 2 \cdot 2.5) / 25 = 0.25` and :math:`W = 2.5 / 0.25 = 10`.
    The first unit becomes :math:`(10 \cdot 4.25 + 10 \cdot 5) / 20 = 4.625`.

    >>> r = shrink_means([10, 20, 10], [4.25, 5.0, 5.75], [2.0, 2.5, 3.0], min_n=10)
    >>> round(r.sigma2, 6), round(r.tau2, 6), round(r.prior_weight, 6), r.mu
    (2.5, 0.25, 10.0, 5.0)
    >>> [round(m, 6) for m in r.shrunken_means]
    [4.625, 5.0, 5.375]
    >>> [round(w, 4) for w in r.weights]
    [0.5, 0.6667, 0.5]
    >>> r.ranks
    (3, 2, 1)

    Among counters whose means differ little (small ``tau2``), eight perfect answers do
    not beat 800 slightly lower ones. (How far a small unit is pulled depends on
    ``tau2``: when the units' true means differ a lot, eight answers carry more weight.)

    >>> r = shrink_means(
    ...     [8, 800, 200, 300, 250, 400],
    ...     [7.0, 6.5, 5.9, 6.0, 5.95, 6.1],
    ...     [0.0, 1.2, 1.5, 1.4, 1.6, 1.3],
    ...     min_n=5,
    ... )
    >>> round(r.prior_weight, 1), [round(m, 3) for m in r.shrunken_means[:2]], r.ranks
    (16.1, [6.474, 6.494], (2, 1, 6, 4, 5, 3))
    """
    n_arr = _as_1d(n, "n")
    y = _as_1d(means, "means")
    s2 = _as_1d(variances, "variances")
    if not n_arr.shape == y.shape == s2.shape:
        raise ValueError(
            f"n, means and variances must have equal lengths, got "
            f"{n_arr.shape[0]}, {y.shape[0]} and {s2.shape[0]}"
        )
    if not np.all(np.isfinite(n_arr)) or np.any(n_arr < 0) or np.any(n_arr != np.round(n_arr)):
        raise ValueError("n must be non-negative integers")
    if min_n < 0:
        raise ValueError("min_n must be >= 0")
    if parent_mean is not None and not math.isfinite(parent_mean):
        raise ValueError("parent_mean must be finite")
    if prior_weight is not None and not (prior_weight >= 0 and not math.isnan(prior_weight)):
        raise ValueError("prior_weight must be >= 0")

    has = n_arr > 0
    if np.any(~np.isfinite(y[has])):
        raise ValueError("means must be finite for units with n > 0")
    pooled = n_arr >= 2
    if np.any(~np.isfinite(s2[pooled])) or np.any(s2[pooled] < 0):
        raise ValueError("variances must be finite and >= 0 for units with n >= 2")
    if not np.any(has):
        raise ValueError("no unit has respondents")

    # Sums over units use math.fsum so that the result does not depend on unit order.
    nj, yj = n_arr[has], y[has]
    n_total = math.fsum(nj)
    y_w = math.fsum(nj * yj) / n_total
    mu = y_w if parent_mean is None else float(parent_mean)

    df_within = math.fsum(n_arr[pooled] - 1.0)
    if df_within > 0:
        sigma2 = math.fsum((n_arr[pooled] - 1.0) * s2[pooled]) / df_within
    else:
        sigma2 = math.nan
    if math.isnan(sigma2) and prior_weight is None:
        raise ValueError("need a unit with n >= 2 to estimate the within-unit variance")

    n_units = int(nj.size)
    if math.isnan(sigma2):
        tau2 = math.nan
    elif n_units < 2:
        tau2 = 0.0
    else:
        # Deviations within rounding of the weighted mean are zero: equal unit means must
        # give tau2 == 0 exactly, not a rounding residue that would switch shrinkage off.
        deviations = yj - y_w
        deviations[np.abs(deviations) <= 1e-12 * max(1.0, abs(y_w))] = 0.0
        between = math.fsum(nj * deviations**2)
        denom = n_total - math.fsum(nj * nj) / n_total
        tau2 = max(0.0, (between - (n_units - 1) * sigma2) / denom)

    if prior_weight is not None:
        big_w = float(prior_weight)
    elif tau2 == 0.0:
        big_w = math.inf
    else:
        big_w = sigma2 / tau2

    weights = np.zeros_like(n_arr)
    if math.isinf(big_w):
        pass
    elif big_w == 0.0:
        weights[has] = 1.0
    else:
        weights[has] = n_arr[has] / (n_arr[has] + big_w)
    y_filled = np.where(has, y, mu)
    shrunk = weights * y_filled + (1.0 - weights) * mu
    shrunk[~has] = mu

    rankable = has & (n_arr >= min_n)
    ranks: list[int | None] = [None] * int(n_arr.size)
    if np.any(rankable):
        values = np.round(shrunk[rankable], _RANK_DECIMALS)
        competition = rankdata(-values, method="min")
        for idx, rank in zip(np.flatnonzero(rankable), competition, strict=True):
            ranks[int(idx)] = int(rank)

    return ShrinkageResult(
        shrunken_means=tuple(float(v) for v in shrunk),
        weights=tuple(float(v) for v in weights),
        prior_weight=big_w,
        tau2=tau2,
        sigma2=sigma2,
        mu=mu,
        rankable=tuple(bool(v) for v in rankable),
        ranks=tuple(ranks),
    )
