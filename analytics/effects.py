"""Did a corrective action work? The same measure before and after, with Welch's test.

A corrective action is judged on the measure that opened it: a dimension's gap, the
satisfaction index, a metric of an agreement. For survey measures the two periods are
independent samples of respondents, of unequal size and variance, so the difference of
means is tested with Welch's t-test and given a Welch–Satterthwaite confidence interval,
computed from each period's n, mean and standard deviation (what the aggregates keep).

References
----------
Welch, B. L. (1947). The generalization of "Student's" problem when several different
population variances are involved. *Biometrika* 34(1–2), 28–35.
Satterthwaite, F. E. (1946). An approximate distribution of estimates of variance
components. *Biometrics Bulletin* 2(6), 110–114.
"""

import math
from dataclasses import dataclass

from scipy import stats


@dataclass(frozen=True)
class Difference:
    """``after − before`` with its ``confidence`` interval and two-sided p-value.

    NaN throughout when either period has fewer than two answers or no variance at all."""

    before: float
    after: float
    difference: float
    ci: tuple[float, float]
    p_value: float
    df: float
    n_before: int
    n_after: int
    confidence: float = 0.95

    @property
    def significant(self) -> bool:
        """The interval leaves out zero (equivalently p < 1 − confidence)."""
        return not math.isnan(self.p_value) and self.p_value < 1 - self.confidence


def welch_difference(
    n_before: int,
    mean_before: float,
    sd_before: float,
    n_after: int,
    mean_after: float,
    sd_after: float,
    *,
    confidence: float = 0.95,
) -> Difference:
    """Welch's test of ``mean_after − mean_before`` from summary statistics.

    Formula: with vᵢ = sᵢ² / nᵢ, the standard error is √(v₁ + v₂), the statistic
    t = (x̄₂ − x̄₁) / se, and the degrees of freedom
    ν = (v₁ + v₂)² / (v₁² / (n₁ − 1) + v₂² / (n₂ − 1)) (Welch–Satterthwaite); the interval
    is (x̄₂ − x̄₁) ± t₍₁₋α/₂, ν₎ · se.

    Missing data: periods are summaries; a period with n < 2, or both with zero variance,
    gives NaN (no test is possible).

    Examples
    --------
    >>> d = welch_difference(40, -1.2, 0.9, 50, -0.6, 1.1)
    >>> round(d.difference, 2), round(d.p_value, 4), d.significant
    (0.6, 0.0055, True)
    """
    diff = mean_after - mean_before
    nan = math.nan
    if n_before < 2 or n_after < 2:
        return Difference(
            mean_before, mean_after, diff, (nan, nan), nan, nan, n_before, n_after, confidence
        )
    v1 = sd_before**2 / n_before
    v2 = sd_after**2 / n_after
    se = math.sqrt(v1 + v2)
    if se == 0:
        return Difference(
            mean_before, mean_after, diff, (nan, nan), nan, nan, n_before, n_after, confidence
        )
    denominator = v1**2 / (n_before - 1) + v2**2 / (n_after - 1)
    if denominator == 0:
        return Difference(
            mean_before, mean_after, diff, (nan, nan), nan, nan, n_before, n_after, confidence
        )
    df = (v1 + v2) ** 2 / denominator
    t = diff / se
    p_value = float(2 * stats.t.sf(abs(t), df))
    half = float(stats.t.ppf(1 - (1 - confidence) / 2, df)) * se
    return Difference(
        mean_before,
        mean_after,
        diff,
        (diff - half, diff + half),
        p_value,
        df,
        n_before,
        n_after,
        confidence,
    )
