"""Importance of the dimensions, stated and derived, and importance–performance analysis."""

import math
from dataclasses import dataclass

import numpy as np

from analytics.moments import Moments

QUADRANTS = (
    "concentrate_here",
    "keep_up_the_good_work",
    "low_priority",
    "possible_overkill",
)


def derived_importance(profile: Moments) -> tuple[float, ...]:
    """Standardised coefficients of overall satisfaction regressed on dimension scores.

    Parameters
    ----------
    profile : Moments
        Moments of (P̄_1, …, P̄_D, overall) over the respondents who have all of them
        (the last variable is the overall rating).

    Returns
    -------
    tuple of float
        β*_d = b_d · s_d / s_y, where b = S_xx⁻¹ s_xy are the least-squares coefficients
        of the overall rating on the D dimension perception means (with an intercept),
        computed from the covariance matrix. All nan when n ≤ D + 1 or S_xx is singular.

    Notes
    -----
    Missing data: listwise; only respondents with an overall rating and at least one
    perception in every dimension count. The normal equations are solved from the
    covariance matrix, so the regression runs on sufficient statistics; the tests check
    it against scikit-learn's ``LinearRegression`` on the raw answers.

    References
    ----------
    Martilla, J. A., & James, J. C. (1977). Importance-performance analysis. Journal of
    Marketing 41(1), 77–79; Neslin, S. A. (1981). Linking product features to perceived
    quality. Journal of Marketing Research 18(1), 80–86 (derived importance).

    Examples
    --------
    >>> x = np.array([[1, 2], [2, 1], [3, 4], [4, 3], [5, 5]], dtype=float)
    >>> y = 2 * x[:, 0] + 0 * x[:, 1]
    >>> beta = derived_importance(Moments.from_observations(np.column_stack([x, y])))
    >>> [round(b, 6) + 0.0 for b in beta]
    [1.0, 0.0]
    """
    d = profile.k - 1
    if profile.n <= d + 1:
        return (math.nan,) * d
    covariance = profile.covariance()
    sxx = covariance[:d, :d]
    sxy = covariance[:d, d]
    if np.linalg.matrix_rank(sxx) < d or covariance[d, d] <= 0:
        return (math.nan,) * d
    coefficients = np.linalg.solve(sxx, sxy)
    sd_x = np.sqrt(np.diag(sxx))
    sd_y = math.sqrt(covariance[d, d])
    return tuple(float(v) for v in coefficients * sd_x / sd_y)


def importance_weights(importance: dict[str, float]) -> dict[str, float]:
    """Importance as weights that sum to 1.

    Parameters
    ----------
    importance : dict of str to float
        Stated points or derived coefficients per dimension.

    Returns
    -------
    dict of str to float
        w_d = max(v_d, 0) / Σ max(v, 0): a negative derived coefficient (a dimension whose
        better score goes with lower overall satisfaction, usually collinearity) gets no
        weight. Equal weights when nothing is positive or a value is nan.

    Notes
    -----
    Missing data: a nan value gives equal weights (nothing to go on).

    References
    ----------
    Parasuraman, Zeithaml & Berry (1988): importance as 100 points split across the
    dimensions, i.e. weights summing to 1.

    Examples
    --------
    >>> importance_weights({"a": 30.0, "b": 10.0})
    {'a': 0.75, 'b': 0.25}
    >>> importance_weights({"a": 0.6, "b": -0.1})
    {'a': 1.0, 'b': 0.0}
    """
    values = list(importance.values())
    if not values:
        return {}
    clipped = {code: max(value, 0.0) for code, value in importance.items()}
    total = sum(clipped.values())
    if any(math.isnan(v) for v in values) or total <= 0:
        return {code: 1 / len(values) for code in importance}
    return {code: value / total for code, value in clipped.items()}


@dataclass(frozen=True)
class ImportancePerformance:
    """One dimension in the importance–performance grid."""

    stated_importance: float
    derived_importance: float
    performance: float
    quadrant: str


def importance_performance(
    performance: dict[str, float],
    *,
    stated: dict[str, float] | None = None,
    derived: dict[str, float] | None = None,
    use: str = "stated",
) -> dict[str, ImportancePerformance]:
    """Importance–performance analysis: a quadrant per dimension.

    Parameters
    ----------
    performance : dict of str to float
        Dimension code → mean perception.
    stated, derived : dict of str to float, keyword-only
        Mean importance points and standardised regression coefficients per dimension.
    use : {"stated", "derived"}, keyword-only
        Which importance places the dimensions; falls back to the other when the chosen
        one is missing.

    Returns
    -------
    dict of str to ImportancePerformance
        The crosshairs are the means over dimensions of importance (Ī) and performance
        (P̄). Quadrant: I ≥ Ī and P < P̄ → ``concentrate_here``; I ≥ Ī and P ≥ P̄ →
        ``keep_up_the_good_work``; I < Ī and P < P̄ → ``low_priority``; I < Ī and
        P ≥ P̄ → ``possible_overkill``.

    Notes
    -----
    Missing data: without any importance the quadrant is ``""``.

    References
    ----------
    Martilla, J. A., & James, J. C. (1977). Importance-performance analysis. Journal of
    Marketing 41(1), 77–79 (crosshairs at the means: Bacon 2003, IJMR 45(1), 55–71).

    Examples
    --------
    >>> ipa = importance_performance({"a": 4.0, "b": 6.0, "c": 4.5},
    ...                              stated={"a": 50.0, "b": 30.0, "c": 20.0})
    >>> {code: r.quadrant for code, r in ipa.items()}
    {'a': 'concentrate_here', 'b': 'possible_overkill', 'c': 'low_priority'}
    """
    stated = stated or {}
    derived = derived or {}
    if use not in ("stated", "derived"):
        raise ValueError("use must be 'stated' or 'derived'")

    def usable(values: dict[str, float]) -> bool:
        return bool(values) and not any(math.isnan(values.get(c, math.nan)) for c in performance)

    chosen = stated if use == "stated" else derived
    if not usable(chosen):
        chosen = derived if use == "stated" else stated
    placing = chosen if usable(chosen) else {}
    mean_importance = float(np.mean(list(placing.values()))) if placing else math.nan
    mean_performance = float(np.mean(list(performance.values())))
    result: dict[str, ImportancePerformance] = {}
    for code, p in performance.items():
        quadrant = ""
        if placing:
            important = placing[code] >= mean_importance
            good = p >= mean_performance
            quadrant = QUADRANTS[(0 if important else 2) + (1 if good else 0)]
        result[code] = ImportancePerformance(
            stated_importance=stated.get(code, math.nan),
            derived_importance=derived.get(code, math.nan),
            performance=p,
            quadrant=quadrant,
        )
    return result
