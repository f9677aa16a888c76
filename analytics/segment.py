"""Moments of one segment, read back from its power sums.

Every reader here turns a few entries of :class:`~analytics.power_sums.PowerSums` into
:class:`~analytics.moments.Moments` (or pairwise sums), dividing the integer sums exactly
(:class:`fractions.Fraction`) so that a report from aggregates equals one from raw answers.
"""

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from analytics.moments import Moments
from analytics.power_sums import OVERALL, Layout, PowerSums, StatKey

IntMatrix = NDArray[np.int64]


@dataclass(frozen=True)
class PairwiseSums:
    """Pairwise-complete sums of k items: for every pair, over respondents answering both.

    ``counts[i, j]`` respondents answered i and j; ``sums[i, j]`` = Σ x_i over them (not
    symmetric); ``cross[i, j]`` = Σ x_i·x_j over them (the diagonal is Σ x_i²).
    """

    counts: IntMatrix
    sums: IntMatrix
    cross: IntMatrix


@dataclass(frozen=True)
class ItemBlock:
    """The items of one dimension and one field: listwise moments and pairwise sums."""

    items: tuple[str, ...]
    listwise_n: int
    listwise_sums: IntMatrix
    listwise_cross: IntMatrix
    pairwise: PairwiseSums

    def listwise(self) -> Moments:
        """Moments over the respondents who answered every item of the dimension."""
        k = len(self.items)
        return Moments.from_power_sums(
            self.listwise_n,
            [int(v) for v in self.listwise_sums],
            [[int(self.listwise_cross[i, j]) for j in range(k)] for i in range(k)],
        )


def item_block(sums: PowerSums, layout: Layout, field: str, dimension_code: str) -> ItemBlock:
    """The :class:`ItemBlock` of a dimension for ``field`` (``item`` plus ``pair`` sums)."""
    return sums.derived(
        ("item_block", layout, field, dimension_code),
        lambda: _item_block(sums, layout, field, dimension_code),
    )


def _item_block(sums: PowerSums, layout: Layout, field: str, dimension_code: str) -> ItemBlock:
    items = layout.dimension(dimension_code).items
    k = len(items)
    listwise_sums = np.zeros(k, dtype=np.int64)
    listwise_cross = np.zeros((k, k), dtype=np.int64)
    counts = np.zeros((k, k), dtype=np.int64)
    pair_sums = np.zeros((k, k), dtype=np.int64)
    cross = np.zeros((k, k), dtype=np.int64)
    listwise_n = 0
    for i in range(k):
        for j in range(i, k):
            n, s_a, s_b, s_ab = sums.get_value(StatKey("item", field, items[i], items[j]))
            if i == 0 and j == 0:
                listwise_n = n
            if i == j:
                listwise_sums[i] = s_a
            listwise_cross[i, j] = listwise_cross[j, i] = s_ab
            pn, ps_a, ps_b, ps_ab = sums.get_value(StatKey("pair", field, items[i], items[j]))
            counts[i, j] = counts[j, i] = n + pn
            pair_sums[i, j] = s_a + ps_a
            pair_sums[j, i] = s_b + ps_b
            cross[i, j] = cross[j, i] = s_ab + ps_ab
    return ItemBlock(
        items=items,
        listwise_n=listwise_n,
        listwise_sums=listwise_sums,
        listwise_cross=listwise_cross,
        pairwise=PairwiseSums(counts=counts, sums=pair_sums, cross=cross),
    )


def score_moments(sums: PowerSums, layout: Layout, field: str, dimension_code: str) -> Moments:
    """Moments of the respondents' dimension scores (mean of their answered items).

    The stored scores are scaled by L (:meth:`Layout.score_scale`); dividing by L and L²
    is exact.
    """
    n, total, _, squares = sums.get_value(StatKey("score", field, dimension_code))
    scale = layout.score_scale(dimension_code)
    return Moments.from_power_sums(
        n, [Fraction(total, scale)], [[Fraction(squares, scale * scale)]]
    )


def index_moments(sums: PowerSums) -> Moments:
    """Moments of each respondent's mean perception over all the items they answered.

    Respondents are kept in strata by the number K of perception items answered, so the
    mean T/K and its square T²/K² add up exactly: Σm = Σ_K ΣT/K, Σm² = Σ_K ΣT²/K².
    """
    n_total = 0
    total = Fraction(0)
    squares = Fraction(0)
    for key, (n, s_a, _s_b, s_ab) in sums.items():
        if key.family == "index":
            k = int(key.stratum)
            n_total += n
            total += Fraction(s_a, k)
            squares += Fraction(s_ab, k * k)
    return Moments.from_power_sums(n_total, [total], [[squares]])


def overall_moments(sums: PowerSums) -> Moments:
    """Moments of the overall rating over the respondents who gave one."""
    n, total, _, squares = sums.get_value(StatKey(OVERALL))
    return Moments.from_power_sums(n, [total], [[squares]])


def importance_moments(sums: PowerSums, layout: Layout) -> tuple[int, dict[str, float]]:
    """The number of full importance allocations and the mean points per dimension."""
    codes = layout.dimension_codes
    n = sums.get_value(StatKey("importance", a=codes[0]))[0]
    if n == 0:
        return 0, {}
    return n, {code: sums.get_value(StatKey("importance", a=code))[1] / n for code in codes}


def profile_moments(sums: PowerSums, layout: Layout) -> Moments:
    """Moments of (P̄_1, …, P̄_D, overall) over respondents with all of them.

    P̄_d is the respondent's mean perception in dimension d; the stored values are scaled
    by L_d and are divided back exactly.
    """
    names = [*layout.dimension_codes, OVERALL]
    scales = [layout.score_scale(code) for code in layout.dimension_codes] + [1]
    d = len(names)
    n = sums.get_value(StatKey("profile", "P", names[0], names[0]))[0]
    totals: list[Fraction] = [Fraction(0)] * d
    cross = [[Fraction(0)] * d for _ in range(d)]
    for i in range(d):
        for j in range(i, d):
            _, s_a, _s_b, s_ab = sums.get_value(StatKey("profile", "P", names[i], names[j]))
            if i == j:
                totals[i] = Fraction(s_a, scales[i])
            cross[i][j] = cross[j][i] = Fraction(s_ab, scales[i] * scales[j])
    return Moments.from_power_sums(n, totals, cross)
