"""Staff star ratings (1 to 5 stars), as business halls rate their clerks.

The rule is deliberately simple so a clerk can be told why they have the stars they have:
the clerk's satisfaction index, shrunk toward the index of all clerks ranked with them
(:func:`analytics.rankings.index_ranking`), placed in fixed bands of the 0–100 index.
Fixed bands, not ranks: a hall where every clerk serves well can have only five-star
clerks, and a clerk's stars mean the same thing from month to month.

Inspections (self, mutual and secret checks against the service rules) take one star off
a clerk whose checked items in the period passed less than :data:`COMPLIANCE_FLOOR` of the
time (never below one star). They never add one: a clerk who was not inspected must not
be rated below one who was, for the same customers' verdict.
"""

import math
from dataclasses import dataclass

from analytics.compliance import Compliance
from analytics.rankings import RankedUnit, Ranking

STAR_BANDS: tuple[float, ...] = (60.0, 70.0, 80.0, 90.0)
"""Lower bounds of 2, 3, 4 and 5 stars on the shrunken 0–100 index (below 60: one star)."""

COMPLIANCE_FLOOR = 0.9
"""Below this share of checked items passed, inspections take one star off."""

RULE = "shrunken_index_bands"
RULE_VERSION = "2"
"""Version 2: inspections' compliance below the floor takes one star off."""


@dataclass(frozen=True)
class StarRating:
    """A clerk's stars with everything the reasons are made of.

    ``stars`` is ``None`` (not rated) when the clerk has fewer than ``min_n`` respondents.
    ``score`` is the shrunken index the bands are applied to; ``own_index`` and ``n`` the
    clerk's own index and respondents; ``pull`` the share of the score that comes from the
    parent index (``W / (n + W)``), so 0.2 means one fifth of the way toward the parent.
    ``band`` is the range of the score that gives the stars before inspections.
    ``compliance`` is the clerk's inspections in the period (``None``: none), and
    ``inspection_penalty`` whether they took a star off.
    """

    stars: int | None
    score: float
    own_index: float
    n: int
    min_n: int
    parent_index: float
    pull: float
    band: tuple[float, float]
    compliance: Compliance | None = None
    inspection_penalty: bool = False
    rule: str = RULE
    version: str = RULE_VERSION


def stars_for_score(score: float, bands: tuple[float, ...] = STAR_BANDS) -> int:
    """Stars for a 0–100 score: one plus the number of band bounds it reaches.

    >>> [stars_for_score(s) for s in (0.0, 59.9, 60.0, 75.0, 89.99, 90.0, 100.0)]
    [1, 1, 2, 3, 4, 5, 5]
    """
    if math.isnan(score):
        raise ValueError("score must be a number")
    return 1 + sum(1 for bound in bands if score >= bound)


def band_of(stars: int, bands: tuple[float, ...] = STAR_BANDS) -> tuple[float, float]:
    """The range of scores ``[low, high)`` giving ``stars``.

    >>> band_of(1), band_of(3), band_of(5)
    ((0.0, 60.0), (70.0, 80.0), (90.0, 100.0))
    """
    bounds = (0.0, *bands, 100.0)
    return bounds[stars - 1], bounds[stars]


def star_rating(
    unit: RankedUnit,
    ranking: Ranking,
    *,
    bands: tuple[float, ...] = STAR_BANDS,
    compliance: Compliance | None = None,
    compliance_floor: float = COMPLIANCE_FLOOR,
) -> StarRating:
    """A clerk's star rating from their place in a fair ranking of clerks.

    Parameters
    ----------
    unit : RankedUnit
        The clerk, as ranked in ``ranking``.
    ranking : Ranking
        The empirical-Bayes ranking of the clerks compared with them (same campaign,
        period and parent).
    bands : tuple of float, keyword-only
        Lower bounds of 2, 3, 4 and 5 stars (default :data:`STAR_BANDS`).
    compliance : Compliance or None, keyword-only
        The clerk's inspection outcomes in the same period, if any.
    compliance_floor : float, keyword-only
        Below this compliance rate one star is taken off (default 0.9).

    Returns
    -------
    StarRating
        Stars = 1 + the number of bounds the shrunken index reaches, minus one (at least
        one star) when inspections checked items and passed fewer than
        ``compliance_floor`` of them; not rated (``None``) under ``ranking.min_n``
        respondents, where even the shrunken index says too little.

    Notes
    -----
    The shrunken index is :math:`(n I + W \\mu) / (n + W)` with ``W`` the ranking's prior
    weight and :math:`\\mu` the parent index, so a clerk with few answers is rated close to
    the parent and cannot gain or lose stars from a handful of customers. The pull toward
    the parent is :math:`W / (n + W)`.

    References
    ----------
    Morris, C. N. (1983). Parametric empirical Bayes inference. JASA 78(381), 47–55.

    Examples
    --------
    >>> from analytics.rankings import Ranking, RankedUnit
    >>> clerk = RankedUnit(unit="7", n=40, index=86.0, shrunken_index=84.0, rank=2)
    >>> ranking = Ranking(units=(clerk,), parent_index=76.0, prior_weight=10.0, min_n=30)
    >>> rating = star_rating(clerk, ranking)
    >>> rating.stars, rating.band, rating.pull
    (4, (80.0, 90.0), 0.2)
    >>> from analytics.compliance import Compliance
    >>> star_rating(clerk, ranking, compliance=Compliance(17, 3, 2)).stars  # 85 % passed
    3
    """
    n, weight = unit.n, ranking.prior_weight
    if math.isnan(weight):  # nothing to shrink with: every unit keeps its own index
        pull = 0.0
    elif math.isinf(weight) or n + weight == 0:  # no spread between units: all at the parent
        pull = 1.0
    else:
        pull = weight / (n + weight)
    rated = n >= ranking.min_n and not math.isnan(unit.shrunken_index)
    stars = stars_for_score(unit.shrunken_index, bands) if rated else None
    band = band_of(stars, bands) if stars is not None else (math.nan, math.nan)
    penalty = (
        stars is not None
        and compliance is not None
        and compliance.n_checked > 0
        and compliance.rate < compliance_floor
    )
    if penalty and stars is not None:
        stars = max(1, stars - 1)
    return StarRating(
        stars=stars,
        score=unit.shrunken_index,
        own_index=unit.index,
        n=n,
        min_n=ranking.min_n,
        parent_index=ranking.parent_index,
        pull=pull,
        band=band,
        compliance=compliance,
        inspection_penalty=penalty,
    )
