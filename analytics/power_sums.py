"""Exact integer power sums of survey answers: what the database keeps per segment.

Every statistic manyi reports (means, gaps, confidence intervals, Cronbach's alpha, the
satisfaction index, derived importance) is a function of a handful of *power sums*: counts,
sums, sums of squares and cross-products. They are integers when the answers are, they add
across segments and periods with plain SQL ``SUM``, and nothing is lost by adding them.

A power sum is stored under a :class:`StatKey` ``(family, field, a, b, stratum)`` with four
integers ``(n, s_a, s_b, s_ab)``:

=========== ================================================================================
family      meaning of ``n, s_a, s_b, s_ab``
=========== ================================================================================
respondents number of respondents who gave any answer (``n`` only)
item        listwise block: respondents who answered every item of the dimension of items
            ``a`` and ``b`` for ``field``: n, Σx_a, Σx_b, Σx_a·x_b (``a == b``: Σx_a²)
pair        the same over the respondents who did *not* answer every item of the dimension
            but answered both ``a`` and ``b`` (pairwise deletion adds it to ``item``)
score       respondent dimension scores ``u = L·S/k`` (S: sum of the k answered items of
            dimension ``a``, L: :meth:`Layout.score_scale`): n, Σu, Σu²
index       respondents who answered K = ``stratum`` perception items in all: n, ΣT, ΣT²
            with T the sum of their perception answers
overall     the overall rating: n, Σ, Σ²
importance  full importance allocations (100 points): n, Σ points of ``a``, Σ points²
profile     respondents with an overall rating and at least one perception per dimension:
            the vector (u_1 … u_D, overall) of scaled dimension perception scores; pairs
            ``a ≤ b`` of it: n, Σv_a, Σv_b, Σv_a·v_b
=========== ================================================================================

Fields are the answer kinds ``P`` (perception), ``E`` (expectation), ``MIN`` (minimum
acceptable), ``DES`` (desired) and the derived ``G = P − E`` (gap), ``ADQ = P − MIN``
(adequacy gap) and ``SUP = P − DES`` (superiority gap); a derived value exists only where
both of its answers do.

The scale ``L`` of a dimension with m items is the least common multiple of 1 … m, so that
a respondent's mean over any number of answered items, times L, is an integer: exact
integers even for means, without keeping one stratum per number of answered items.
"""

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

ANSWER_FIELDS = ("P", "E", "MIN", "DES")
DERIVED_FIELDS = {"G": ("P", "E"), "ADQ": ("P", "MIN"), "SUP": ("P", "DES")}
OVERALL = "overall"
IMPORTANCE_TOTAL = 100


@dataclass(frozen=True)
class Dimension:
    """A dimension code and the codes of its items, in display order."""

    code: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    """Which items belong to which dimension, and the answer scales.

    ``scale`` is the range of the item answers (1–7 in SERVQUAL), ``overall_scale`` that of
    the overall rating.
    """

    dimensions: tuple[Dimension, ...]
    scale: tuple[int, int] = (1, 7)
    overall_scale: tuple[int, int] = (1, 5)

    def __post_init__(self) -> None:
        codes = [d.code for d in self.dimensions]
        if len(set(codes)) != len(codes):
            raise ValueError("dimension codes must be unique")
        items = self.items
        if len(set(items)) != len(items):
            raise ValueError("an item may belong to one dimension only")
        if any(not d.items for d in self.dimensions):
            raise ValueError("every dimension needs at least one item")
        if OVERALL in codes:
            raise ValueError(f"{OVERALL!r} is not a dimension code")

    @property
    def items(self) -> tuple[str, ...]:
        """All item codes, dimension by dimension."""
        return tuple(item for d in self.dimensions for item in d.items)

    @property
    def dimension_codes(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.dimensions)

    def item_columns(self, dimension: Dimension) -> list[int]:
        """Column positions of a dimension's items in :attr:`items` order."""
        positions = {code: i for i, code in enumerate(self.items)}
        return [positions[code] for code in dimension.items]

    def score_scale(self, dimension_code: str) -> int:
        """L = lcm(1, …, m) for a dimension of m items (60 for 4 or 5 items)."""
        m = len(self.dimension(dimension_code).items)
        return reduce(math.lcm, range(1, m + 1), 1)

    def dimension(self, code: str) -> Dimension:
        for dimension in self.dimensions:
            if dimension.code == code:
                return dimension
        raise KeyError(code)


class StatKey(NamedTuple):
    """Where a power sum is kept; see the module docstring for the families."""

    family: str
    field: str = ""
    a: str = ""
    b: str = ""
    stratum: str = ""


PowerSumValue = tuple[int, int, int, int]


class PowerSums(Mapping[StatKey, PowerSumValue]):
    """A bag of power sums ``StatKey -> (n, s_a, s_b, s_ab)`` that adds like a counter.

    Adding two bags gives the power sums of the union of their respondents; the order of
    respondents and of additions does not matter (integer addition).
    """

    def __init__(self, values: Mapping[StatKey, Sequence[int]] | None = None) -> None:
        self._values: dict[StatKey, PowerSumValue] = {}
        for key, value in (values or {}).items():
            n, s_a, s_b, s_ab = (int(v) for v in value)
            if n:
                self._values[StatKey(*key)] = (n, s_a, s_b, s_ab)

    def __getitem__(self, key: StatKey) -> PowerSumValue:
        return self._values[key]

    def __iter__(self) -> Iterator[StatKey]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __add__(self, other: "PowerSums") -> "PowerSums":
        total = dict(self._values)
        for key, (n, s_a, s_b, s_ab) in other.items():
            old = total.get(key, (0, 0, 0, 0))
            total[key] = (old[0] + n, old[1] + s_a, old[2] + s_b, old[3] + s_ab)
        return PowerSums(total)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PowerSums) and self._values == other._values

    __hash__ = None  # type: ignore[assignment]

    def get_value(self, key: StatKey) -> PowerSumValue:
        """The power sum under ``key``, zeros when nobody contributed to it."""
        return self._values.get(key, (0, 0, 0, 0))

    @classmethod
    def total(cls, parts: Iterable["PowerSums"]) -> "PowerSums":
        """The sum of many bags."""
        result = cls()
        for part in parts:
            result = result + part
        return result


@dataclass(frozen=True)
class AnswerMatrix:
    """Raw answers of n respondents, as float arrays with ``nan`` for a missing answer.

    ``values`` maps an answer field (``P``, ``E``, ``MIN``, ``DES``) to an n×k array whose
    columns follow ``layout.items``; fields that were not asked are absent. ``overall`` has
    length n; ``importance`` is n×D in ``layout.dimension_codes`` order, or None.
    """

    layout: Layout
    values: Mapping[str, FloatArray]
    overall: FloatArray
    importance: FloatArray | None = None

    @property
    def n(self) -> int:
        return int(self.overall.shape[0])

    def field(self, name: str) -> FloatArray | None:
        """The n×k answers of a field, deriving ``G``, ``ADQ`` and ``SUP`` (nan-propagating)."""
        if name in DERIVED_FIELDS:
            left, right = DERIVED_FIELDS[name]
            if left not in self.values or right not in self.values:
                return None
            return self.values[left] - self.values[right]
        return self.values.get(name)

    def fields(self) -> list[str]:
        """Answer and derived fields present, in a stable order."""
        names = [f for f in ANSWER_FIELDS if f in self.values]
        names += [
            f for f, (a, b) in DERIVED_FIELDS.items() if a in self.values and b in self.values
        ]
        return names


def _as_int(values: FloatArray, what: str) -> IntArray:
    """Answers as integers; a fractional answer is an error (answers are scale points)."""
    filled = np.where(np.isnan(values), 0.0, values)
    as_int = filled.astype(np.int64)
    if not np.array_equal(as_int, filled):
        raise ValueError(f"{what}: answers must be whole numbers")
    return as_int


def _pair_sums(
    values: IntArray, answered: NDArray[np.bool_]
) -> tuple[IntArray, IntArray, IntArray]:
    """n_ij, Σ_{both} x_i (row i, column j) and Σ x_i x_j over rows answering i and j."""
    present = answered.astype(np.int64)
    counts = present.T @ present
    sums = values.T @ present
    cross = values.T @ values
    return counts, sums, cross


def power_sums(answers: AnswerMatrix) -> PowerSums:
    """The power sums of a set of respondents (see the module docstring).

    Parameters
    ----------
    answers : AnswerMatrix
        Whole-number answers with nan for missing ones.

    Returns
    -------
    PowerSums
        Exact integer power sums; ``power_sums(a ∪ b) == power_sums(a) + power_sums(b)``.

    Notes
    -----
    Missing data: every family documents the respondents it counts; nothing is imputed.
    A derived field (gap) exists for an item only when both of its answers do.

    References
    ----------
    Parasuraman, A., Zeithaml, V. A., & Berry, L. L. (1988). SERVQUAL: a multiple-item
    scale for measuring consumer perceptions of service quality. Journal of Retailing
    64(1), 12–40 (the statistics); Chan, Golub & LeVeque (1979) for why power sums merge.

    Examples
    --------
    >>> layout = Layout((Dimension("speed", ("q1", "q2")),))
    >>> p = np.array([[6.0, 7.0], [5.0, np.nan]])
    >>> sums = power_sums(AnswerMatrix(layout, {"P": p}, overall=np.array([5.0, np.nan])))
    >>> sums[StatKey("item", "P", "q1", "q2")]   # listwise: the first respondent only
    (1, 6, 7, 42)
    >>> sums[StatKey("score", "P", "speed")]    # L = 2: u = 2·13/2 = 13 and 2·5/1 = 10
    (2, 23, 0, 269)
    """
    layout = answers.layout
    result: dict[StatKey, PowerSumValue] = {}

    def put(key: StatKey, n: int, s_a: int = 0, s_b: int = 0, s_ab: int = 0) -> None:
        if n:
            result[key] = (int(n), int(s_a), int(s_b), int(s_ab))

    any_answer = np.zeros(answers.n, dtype=bool)
    for name in ANSWER_FIELDS:
        if name in answers.values:
            any_answer |= ~np.isnan(answers.values[name]).all(axis=1)
    any_answer |= ~np.isnan(answers.overall)
    put(StatKey("respondents"), int(any_answer.sum()))

    for name in answers.fields():
        matrix = answers.field(name)
        assert matrix is not None
        for dimension in layout.dimensions:
            block = matrix[:, layout.item_columns(dimension)]
            answered = ~np.isnan(block)
            values = _as_int(block, name)
            complete = answered.all(axis=1)
            codes = dimension.items
            for rows, family in ((complete, "item"), (~complete, "pair")):
                counts, sums, cross = _pair_sums(values[rows], answered[rows])
                for i in range(len(codes)):
                    for j in range(i, len(codes)):
                        put(
                            StatKey(family, name, codes[i], codes[j]),
                            counts[i, j],
                            sums[i, j],
                            sums[j, i],
                            cross[i, j],
                        )
            scores = _scaled_scores(values, answered, layout.score_scale(dimension.code))
            given = answered.any(axis=1)
            put(
                StatKey("score", name, dimension.code),
                int(given.sum()),
                int(scores[given].sum()),
                0,
                int((scores[given] ** 2).sum()),
            )

    perceptions = answers.values.get("P")
    if perceptions is not None:
        answered = ~np.isnan(perceptions)
        values = _as_int(perceptions, "P")
        k_answered = answered.sum(axis=1)
        totals = values.sum(axis=1)
        for k in np.unique(k_answered[k_answered > 0]):
            rows = k_answered == k
            put(
                StatKey("index", "P", stratum=str(int(k))),
                int(rows.sum()),
                int(totals[rows].sum()),
                0,
                int((totals[rows] ** 2).sum()),
            )

    rated = ~np.isnan(answers.overall)
    overall = _as_int(answers.overall[rated], OVERALL)
    put(StatKey(OVERALL), int(rated.sum()), int(overall.sum()), 0, int((overall**2).sum()))

    if answers.importance is not None:
        full = ~np.isnan(answers.importance).any(axis=1)
        points = _as_int(answers.importance[full], "importance")
        full_rows = points.sum(axis=1) == IMPORTANCE_TOTAL
        points = points[full_rows]
        for d, code in enumerate(layout.dimension_codes):
            column = points[:, d]
            put(
                StatKey("importance", a=code),
                int(points.shape[0]),
                int(column.sum()),
                0,
                int((column**2).sum()),
            )

    if perceptions is not None:
        for key, value in _profile_sums(answers, perceptions).items():
            put(key, *value)
    return PowerSums(result)


def _scaled_scores(values: IntArray, answered: NDArray[np.bool_], scale: int) -> IntArray:
    """Per respondent L·(sum of answered items)/(number answered), exact; 0 if none."""
    k = answered.sum(axis=1)
    totals = values.sum(axis=1)
    safe_k = np.where(k == 0, 1, k)
    scores: IntArray = (totals * scale) // safe_k
    return scores


def _profile_sums(answers: AnswerMatrix, perceptions: FloatArray) -> dict[StatKey, PowerSumValue]:
    """The ``profile`` family: scaled dimension perception scores and the overall rating."""
    layout = answers.layout
    names = [*layout.dimension_codes, OVERALL]
    columns: list[IntArray] = []
    eligible = ~np.isnan(answers.overall)
    for dimension in layout.dimensions:
        block = perceptions[:, layout.item_columns(dimension)]
        answered = ~np.isnan(block)
        eligible &= answered.any(axis=1)
        columns.append(
            _scaled_scores(_as_int(block, "P"), answered, layout.score_scale(dimension.code))
        )
    columns.append(_as_int(answers.overall, OVERALL))
    vectors = np.stack(columns, axis=1)[eligible]
    n = int(vectors.shape[0])
    if n == 0:
        return {}
    sums = vectors.sum(axis=0)
    cross = vectors.T @ vectors
    return {
        StatKey("profile", "P", names[i], names[j]): (
            n,
            int(sums[i]),
            int(sums[j]),
            int(cross[i, j]),
        )
        for i in range(len(names))
        for j in range(i, len(names))
    }
