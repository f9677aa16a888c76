"""One segment's whole SERVQUAL report, computed from its power sums.

The same function serves the app (power sums read from the daily aggregates), ``manyi
analyze`` (power sums of a CSV file) and the tests (power sums of simulated answers), so the
three agree by construction; the tests check the numbers against raw-data computations.
"""

import math
from dataclasses import dataclass

from analytics.gaps import (
    ServqualScores,
    ToleranceZone,
    dimension_scores,
    item_means,
    servqual_scores,
    tolerance_zones,
)
from analytics.importance import (
    ImportancePerformance,
    derived_importance,
    importance_performance,
    importance_weights,
)
from analytics.indices import SatisfactionIndex, satisfaction_index, weighted_satisfaction_index
from analytics.intervals import DEFAULT_MIN_N, MeanEstimate, mean_estimate
from analytics.power_sums import Layout, PowerSums, StatKey
from analytics.reliability import (
    AlphaResult,
    cronbach_alpha_from_covariance,
    listwise_covariance,
    pairwise_covariance,
)
from analytics.segment import (
    importance_moments,
    index_moments,
    item_block,
    overall_moments,
    profile_moments,
)

MODES = ("paired", "perception_only", "three_column")
MODE_FIELDS = {
    "paired": ("E", "P", "G"),
    "perception_only": ("P",),
    "three_column": ("MIN", "DES", "P", "ADQ", "SUP"),
}


@dataclass(frozen=True)
class DimensionReport:
    """Scores of one dimension per field, its reliability and (three-column) its zone.

    ``scores`` maps a field (``E``, ``P``, ``G``; ``MIN``, ``DES``, ``ADQ``, ``SUP``) to
    the respondent-rule mean; ``item_rule`` the same under the item rule.
    """

    code: str
    scores: dict[str, MeanEstimate]
    item_rule: dict[str, MeanEstimate]
    alpha: dict[str, AlphaResult]
    zone: ToleranceZone | None


@dataclass(frozen=True)
class ItemReport:
    """Means of one item per field, and (three-column) its zone of tolerance."""

    code: str
    dimension: str
    means: dict[str, MeanEstimate]
    zone: ToleranceZone | None


@dataclass(frozen=True)
class ServqualReport:
    """Everything managers and regulators read about one segment."""

    mode: str
    n_respondents: int
    min_n: int
    dimensions: tuple[DimensionReport, ...]
    items: tuple[ItemReport, ...]
    servqual: ServqualScores | None
    importance: dict[str, float]
    importance_source: str
    n_importance: int
    stated_importance: dict[str, float]
    derived_importance: dict[str, float]
    index: SatisfactionIndex
    weighted_indices: tuple[SatisfactionIndex, ...]
    ipa: dict[str, ImportancePerformance]
    overall: MeanEstimate

    def dimension(self, code: str) -> DimensionReport:
        for dimension in self.dimensions:
            if dimension.code == code:
                return dimension
        raise KeyError(code)


def detect_mode(sums: PowerSums) -> str:
    """``three_column`` when minimum answers exist, ``paired`` with expectations, else
    ``perception_only``."""
    fields = {key.field for key in sums if key.family == "score"}
    if "MIN" in fields or "DES" in fields:
        return "three_column"
    if "E" in fields:
        return "paired"
    return "perception_only"


def segment_alpha(
    sums: PowerSums, layout: Layout, field: str, dimension_code: str, *, missing: str
) -> AlphaResult:
    """Cronbach's alpha of one dimension and field from the power sums.

    ``missing="listwise"`` uses the respondents who answered every item of the dimension;
    ``"pairwise"`` the pairwise-complete covariance matrix (needed with item sampling,
    where nobody answers every item), with n the smallest pairwise count.
    """
    block = item_block(sums, layout, field, dimension_code)
    if missing == "listwise":
        covariance = listwise_covariance(
            block.listwise_n, block.listwise_sums, block.listwise_cross
        )
        n = block.listwise_n
    elif missing == "pairwise":
        p = block.pairwise
        covariance = pairwise_covariance(p.counts, p.sums, p.cross)
        n = int(p.counts.min())
    else:
        raise ValueError("missing must be 'listwise' or 'pairwise'")
    return cronbach_alpha_from_covariance(covariance, n=n)


def servqual_report(
    sums: PowerSums,
    layout: Layout,
    *,
    min_n: int = DEFAULT_MIN_N,
    missing: str = "listwise",
    ipa_importance: str = "stated",
    mode: str | None = None,
) -> ServqualReport:
    """The SERVQUAL report of one segment.

    Parameters
    ----------
    sums : PowerSums
        Power sums of the segment's respondents.
    layout : Layout
        Items, dimensions and scales of the instrument.
    min_n : int, keyword-only
        Cells with fewer respondents are marked insufficient (default 30).
    missing : {"listwise", "pairwise"}, keyword-only
        Deletion rule for Cronbach's alpha.
    ipa_importance : {"stated", "derived"}, keyword-only
        Which importance places the dimensions in the importance–performance grid.
    mode : str, optional, keyword-only
        ``paired``, ``perception_only`` or ``three_column``; detected from the data when
        omitted.

    Returns
    -------
    ServqualReport
        Dimension scores (respondent and item rule) with 95 % t intervals and n, item
        means, Cronbach's alpha with the Feldt interval per dimension and field, the
        unweighted and weighted SERVQUAL scores (paired mode), stated and derived
        importance, the satisfaction index and its weighted variants, and the
        importance–performance quadrants.

    Notes
    -----
    Missing data: see each building block; nothing is imputed. ``importance`` holds the
    weights used for the weighted index: stated points when anybody allocated them,
    otherwise derived importance.

    References
    ----------
    Parasuraman, Zeithaml & Berry (1988, 1994); Martilla & James (1977); Cronbach (1951).

    Examples
    --------
    >>> import numpy as np
    >>> from analytics.power_sums import AnswerMatrix, Dimension, power_sums
    >>> layout = Layout((Dimension("speed", ("q1", "q2")),), scale=(1, 7))
    >>> p = np.array([[6.0, 7.0], [4.0, 5.0], [5.0, 5.0]])
    >>> e = np.array([[7.0, 7.0], [6.0, 6.0], [6.0, 6.0]])
    >>> report = servqual_report(
    ...     power_sums(AnswerMatrix(layout, {"P": p, "E": e}, overall=np.full(3, np.nan))),
    ...     layout)
    >>> report.mode, report.n_respondents, report.dimension("speed").scores["G"].mean
    ('paired', 3, -1.0)
    >>> round(report.index.value, 2)
    72.22
    """
    mode = mode or detect_mode(sums)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    fields = MODE_FIELDS[mode]
    scores = {f: dimension_scores(sums, layout, f, min_n=min_n) for f in fields}
    item_rule = {f: dimension_scores(sums, layout, f, rule="item", min_n=min_n) for f in fields}
    means = {f: item_means(sums, layout, f, min_n=min_n) for f in fields}
    alpha_fields = [f for f in fields if f in ("P", "E", "G")]
    zones = tolerance_zones(sums, layout, min_n=min_n) if mode == "three_column" else {}
    item_zones = (
        tolerance_zones(sums, layout, level="item", min_n=min_n) if mode == "three_column" else {}
    )
    dimensions = tuple(
        DimensionReport(
            code=code,
            scores={f: scores[f][code] for f in fields},
            item_rule={f: item_rule[f][code] for f in fields},
            alpha={f: segment_alpha(sums, layout, f, code, missing=missing) for f in alpha_fields},
            zone=zones.get(code),
        )
        for code in layout.dimension_codes
    )
    items = tuple(
        ItemReport(
            code=item,
            dimension=dimension.code,
            means={f: means[f][item] for f in fields},
            zone=item_zones.get(item),
        )
        for dimension in layout.dimensions
        for item in dimension.items
    )

    n_importance, stated = importance_moments(sums, layout)
    profile = profile_moments(sums, layout)
    derived = dict(zip(layout.dimension_codes, derived_importance(profile), strict=True))
    performance = {code: scores["P"][code].mean for code in layout.dimension_codes}
    servqual = (
        servqual_scores({code: scores["G"][code].mean for code in layout.dimension_codes}, stated)
        if mode == "paired"
        else None
    )
    if stated:
        source, weights = "stated", importance_weights(stated)
    elif not any(math.isnan(v) for v in derived.values()):
        source, weights = "derived", importance_weights(derived)
    else:
        source, weights = "", {}

    weighted: list[SatisfactionIndex] = []
    if stated:
        weighted.append(
            weighted_satisfaction_index(
                performance,
                importance_weights(stated),
                profile,
                scale=layout.scale,
                method="stated_importance_weighted",
            )
        )
    if not any(math.isnan(v) for v in derived.values()):
        weighted.append(
            weighted_satisfaction_index(
                performance,
                importance_weights(derived),
                profile,
                scale=layout.scale,
                method="derived_importance_weighted",
            )
        )
    overall = overall_moments(sums)
    return ServqualReport(
        mode=mode,
        n_respondents=sums.get_value(StatKey("respondents"))[0],
        min_n=min_n,
        dimensions=dimensions,
        items=items,
        servqual=servqual,
        importance=weights,
        importance_source=source,
        n_importance=n_importance,
        stated_importance=stated,
        derived_importance=derived,
        index=satisfaction_index(index_moments(sums), scale=layout.scale),
        weighted_indices=tuple(weighted),
        ipa=importance_performance(performance, stated=stated, derived=derived, use=ipa_importance),
        overall=mean_estimate(
            float(overall.mean[0]), float(overall.variance()[0]), overall.n, min_n=min_n
        ),
    )
