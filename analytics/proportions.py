"""A share with its confidence interval: the on-time rate of complaint cases and the
compliance rate of inspections are counts out of a total, often small ones."""

import math
from dataclasses import dataclass
from functools import lru_cache

from scipy.stats import norm


@dataclass(frozen=True)
class Proportion:
    """``successes`` out of ``total``, the share and its Wilson interval (all NaN when
    the total is 0)."""

    successes: int
    total: int
    share: float
    low: float
    high: float


@lru_cache(maxsize=16)
def _normal_quantile(q: float) -> float:
    """scipy's ``norm.ppf`` costs half a millisecond; a table of rates asks for the same q."""
    return float(norm.ppf(q))


def wilson_proportion(successes: int, total: int, *, confidence: float = 0.95) -> Proportion:
    """The share ``successes / total`` with the Wilson score interval.

    With z the normal quantile, p̂ = k/n:
    centre = (p̂ + z²/2n) / (1 + z²/n), half-width = z/(1 + z²/n) · √(p̂(1−p̂)/n + z²/4n²)
    (Wilson 1927; Agresti & Coull 1998 recommend it over the Wald interval, which collapses
    to [1, 1] at 10 out of 10 and is wrong for small counts like a site's month of cases).

    >>> p = wilson_proportion(9, 10)
    >>> round(p.share, 3), round(p.low, 3), round(p.high, 3)
    (0.9, 0.596, 0.982)
    """
    if total < 0 or not 0 <= successes <= total:
        raise ValueError("successes must be between 0 and the total")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    if total == 0:
        nan = math.nan
        return Proportion(0, 0, nan, nan, nan)
    z = _normal_quantile(0.5 + confidence / 2)
    share = successes / total
    denominator = 1 + z * z / total
    centre = (share + z * z / (2 * total)) / denominator
    half = z / denominator * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total))
    return Proportion(successes, total, share, max(0.0, centre - half), min(1.0, centre + half))
