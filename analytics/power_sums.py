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

import functools
import hashlib
import math
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import NamedTuple, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
T = TypeVar("T")

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

    @functools.cached_property
    def items(self) -> tuple[str, ...]:
        """All item codes, dimension by dimension."""
        return tuple(item for d in self.dimensions for item in d.items)

    @functools.cached_property
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

    @property
    def id(self) -> int:
        """A stable signed 63-bit number for the key (BLAKE2b of its parts), so that a
        database can keep and group by one integer instead of five strings.

        Examples
        --------
        >>> StatKey("overall").id == StatKey("overall").id != StatKey("respondents").id
        True
        """
        digest = hashlib.blake2b("\x1f".join(self).encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") >> 1


def possible_keys(layout: "Layout") -> dict[int, StatKey]:
    """Every key that :func:`power_sums` can produce for ``layout``, by :attr:`StatKey.id`.

    Lets a reader of stored power sums turn key numbers back into keys without storing
    the names; a test checks that the computation produces no other key.

    Examples
    --------
    >>> layout = Layout((Dimension("speed", ("q1", "q2")),))
    >>> keys = possible_keys(layout)
    >>> keys[StatKey("score", "G", "speed").id]
    StatKey(family='score', field='G', a='speed', b='', stratum='')
    """
    return _possible_keys(layout)


@functools.lru_cache(maxsize=64)
def _possible_keys(layout: "Layout") -> dict[int, StatKey]:
    keys = [StatKey("respondents"), StatKey(OVERALL)]
    for field in (*ANSWER_FIELDS, *DERIVED_FIELDS):
        for dimension in layout.dimensions:
            codes = dimension.items
            for i in range(len(codes)):
                for j in range(i, len(codes)):
                    keys += [
                        StatKey("item", field, codes[i], codes[j]),
                        StatKey("pair", field, codes[i], codes[j]),
                    ]
            keys.append(StatKey("score", field, dimension.code))
    keys += [StatKey("index", "P", stratum=str(k)) for k in range(1, len(layout.items) + 1)]
    keys += [StatKey("importance", a=code) for code in layout.dimension_codes]
    names = [*layout.dimension_codes, OVERALL]
    keys += [
        StatKey("profile", "P", names[i], names[j])
        for i in range(len(names))
        for j in range(i, len(names))
    ]
    by_id = {key.id: key for key in keys}
    if len(by_id) != len(keys):
        raise ValueError("two statistic keys share a number; rename an item or dimension")
    return by_id


PowerSumValue = tuple[int, int, int, int]


class PowerSums(Mapping[StatKey, PowerSumValue]):
    """A bag of power sums ``StatKey -> (n, s_a, s_b, s_ab)`` that adds like a counter.

    Adding two bags gives the power sums of the union of their respondents; the order of
    respondents and of additions does not matter (integer addition).
    """

    def __init__(self, values: Mapping[StatKey, Sequence[int]] | None = None) -> None:
        self._derived: dict[Hashable, object] = {}
        self._values: dict[StatKey, PowerSumValue] = {}
        for key, value in (values or {}).items():
            n, s_a, s_b, s_ab = (int(v) for v in value)
            if n:
                self._values[StatKey(*key)] = (n, s_a, s_b, s_ab)

    @classmethod
    def from_arrays(cls, keys: Sequence[StatKey], values: IntArray) -> "PowerSums":
        """Power sums from a k×4 integer array, one row per key (rows with n = 0 dropped)."""
        result = cls()
        present = np.flatnonzero(values[:, 0])
        rows = values[present].tolist()
        result._values = {
            keys[k]: tuple(row) for k, row in zip(present.tolist(), rows, strict=True)
        }
        return result

    def __getitem__(self, key: StatKey) -> PowerSumValue:
        return self._values[key]

    def __iter__(self) -> Iterator[StatKey]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __add__(self, other: "PowerSums") -> "PowerSums":
        return PowerSums.total((self, other))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PowerSums) and self._values == other._values

    __hash__ = None  # type: ignore[assignment]

    def derived(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A value computed from these sums, computed once (the sums never change)."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]  # type: ignore[return-value]

    def get_value(self, key: StatKey) -> PowerSumValue:
        """The power sum under ``key``, zeros when nobody contributed to it."""
        return self._values.get(key, (0, 0, 0, 0))

    @classmethod
    def total(cls, parts: Iterable["PowerSums"]) -> "PowerSums":
        """The sum of many bags, added in one pass (keys of stored bags are already
        checked, so they are not rebuilt on every addition)."""
        total: dict[StatKey, PowerSumValue] = {}
        for part in parts:
            for key, (n, s_a, s_b, s_ab) in part._values.items():
                old = total.get(key)
                total[key] = (
                    (n, s_a, s_b, s_ab)
                    if old is None
                    else (old[0] + n, old[1] + s_a, old[2] + s_b, old[3] + s_ab)
                )
        result = cls()
        result._values = {key: value for key, value in total.items() if value[0]}
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

    def rows(self, selector: "slice | NDArray[np.bool_] | IntArray") -> "AnswerMatrix":
        """The answers of some respondents (a slice, a boolean mask or indices)."""
        return AnswerMatrix(
            self.layout,
            {name: matrix[selector] for name, matrix in self.values.items()},
            overall=self.overall[selector],
            importance=None if self.importance is None else self.importance[selector],
        )

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


LIGHT_FAMILIES = frozenset({"respondents", "score", "index", "overall", "importance"})
"""Families kept for small places (counter, clerk, language): no cross-products."""
ALL_FAMILIES = LIGHT_FAMILIES | {"item", "pair", "profile"}

_EXACT_LIMIT = 2**53
"""Sums are accumulated in float64, exact while every partial sum stays below 2^53."""


@dataclass(frozen=True)
class GroupedPowerSums:
    """Power sums of several groups of respondents at once: ``values[g, k]`` holds
    ``(n, s_a, s_b, s_ab)`` of group g under ``keys[k]`` (zeros where nobody contributed)."""

    keys: tuple[StatKey, ...]
    values: IntArray

    @property
    def n_groups(self) -> int:
        return int(self.values.shape[0])

    def group(self, index: int) -> PowerSums:
        """The power sums of one group."""
        return PowerSums.from_arrays(self.keys, self.values[index])

    def rows(self) -> Iterator[tuple[int, StatKey, PowerSumValue]]:
        """Every non-empty ``(group, key, value)``, group by group."""
        for g, k in zip(*np.nonzero(self.values[:, :, 0]), strict=True):
            n, s_a, s_b, s_ab = (int(v) for v in self.values[g, k])
            yield int(g), self.keys[k], (n, s_a, s_b, s_ab)


class _Accumulator:
    """Adds per-respondent columns into per-group sums with one sparse product per block."""

    def __init__(self, groups: IntArray, n_groups: int) -> None:
        n = groups.shape[0]
        self.n_groups = n_groups
        self.onehot = sparse.csr_matrix(
            (np.ones(n), (groups, np.arange(n))), shape=(n_groups, n), dtype=np.float64
        )
        self.keys: list[StatKey] = []
        self.blocks: list[IntArray] = []

    def add(self, keys: list[StatKey], columns: list[list[IntArray]]) -> None:
        """``columns[k]`` holds the four per-respondent columns (n, s_a, s_b, s_ab) of
        ``keys[k]``; zeros for respondents that do not count."""
        if not keys:
            return
        stacked = np.column_stack([c for four in columns for c in four]).astype(np.float64)
        if stacked.size and np.abs(stacked).sum(axis=0).max() >= _EXACT_LIMIT:
            raise OverflowError("too many respondents in one call; split them in chunks")
        summed = np.asarray(self.onehot @ stacked)
        self.keys += keys
        self.blocks.append(np.rint(summed).astype(np.int64).reshape(self.n_groups, len(keys), 4))

    def result(self) -> GroupedPowerSums:
        values = (
            np.concatenate(self.blocks, axis=1)
            if self.blocks
            else np.zeros((self.n_groups, 0, 4), dtype=np.int64)
        )
        return GroupedPowerSums(keys=tuple(self.keys), values=values)


def grouped_power_sums(
    answers: AnswerMatrix,
    groups: ArrayLike,
    n_groups: int,
    *,
    families: frozenset[str] = ALL_FAMILIES,
) -> GroupedPowerSums:
    """The power sums of each group of respondents (see the module docstring).

    Parameters
    ----------
    answers : AnswerMatrix
        Whole-number answers with nan for missing ones.
    groups : array of int, length n
        The group (0 … n_groups − 1) of each respondent.
    n_groups : int
        Number of groups.
    families : frozenset of str, keyword-only
        Which families to compute (e.g. :data:`LIGHT_FAMILIES` for counters and clerks).

    Returns
    -------
    GroupedPowerSums
        Exact integer power sums per group; the sums of a union of groups are the sums of
        its groups added.

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
    >>> layout = Layout((Dimension("speed", ("q1",)),))
    >>> p = np.array([[6.0], [5.0], [7.0]])
    >>> grouped = grouped_power_sums(
    ...     AnswerMatrix(layout, {"P": p}, overall=np.full(3, np.nan)), [0, 1, 0], 2)
    >>> grouped.group(0)[StatKey("item", "P", "q1", "q1")]
    (2, 13, 13, 85)
    """
    group_index = np.asarray(groups, dtype=np.int64)
    if group_index.shape != (answers.n,):
        raise ValueError("groups must give one group per respondent")
    if answers.n and (group_index.min() < 0 or group_index.max() >= n_groups):
        raise ValueError("group numbers must be from 0 to n_groups - 1")
    if answers.n <= ROWS_PER_PASS:
        return _grouped_pass(answers, group_index, n_groups, families)
    # Memory stays bounded: the per-respondent columns of one pass, whatever the total.
    total: GroupedPowerSums | None = None
    for start in range(0, answers.n, ROWS_PER_PASS):
        rows = slice(start, start + ROWS_PER_PASS)
        part = _grouped_pass(answers.rows(rows), group_index[rows], n_groups, families)
        total = part if total is None else GroupedPowerSums(part.keys, total.values + part.values)
    assert total is not None
    return total


ROWS_PER_PASS = 20_000
"""Respondents whose columns are built at once by :func:`grouped_power_sums`."""


def _grouped_pass(
    answers: AnswerMatrix, group_index: IntArray, n_groups: int, families: frozenset[str]
) -> GroupedPowerSums:
    """:func:`grouped_power_sums` over respondents few enough to hold their columns."""
    layout = answers.layout
    acc = _Accumulator(group_index, n_groups)
    zeros = np.zeros(answers.n, dtype=np.int64)

    if "respondents" in families:
        any_answer = ~np.isnan(answers.overall)
        for name in ANSWER_FIELDS:
            if name in answers.values:
                any_answer |= ~np.isnan(answers.values[name]).all(axis=1)
        acc.add([StatKey("respondents")], [[any_answer.astype(np.int64), zeros, zeros, zeros]])

    for name in answers.fields():
        matrix = answers.field(name)
        assert matrix is not None
        for dimension in layout.dimensions:
            block = matrix[:, layout.item_columns(dimension)]
            answered = ~np.isnan(block)
            values = _as_int(block, name)
            codes = dimension.items
            m = len(codes)
            pairs = [(i, j) for i in range(m) for j in range(i, m)]
            if "item" in families or "pair" in families:
                complete: IntArray = np.asarray(answered.all(axis=1), dtype=np.int64)
                incomplete: IntArray = 1 - complete
                for family, rows in (("item", complete), ("pair", incomplete)):
                    if family not in families:
                        continue
                    present = answered.astype(np.int64) * rows[:, None]
                    kept = values * rows[:, None]
                    acc.add(
                        [StatKey(family, name, codes[i], codes[j]) for i, j in pairs],
                        [
                            [
                                present[:, i] * present[:, j],
                                kept[:, i] * present[:, j],
                                kept[:, j] * present[:, i],
                                kept[:, i] * kept[:, j],
                            ]
                            for i, j in pairs
                        ],
                    )
            if "score" in families:
                given: IntArray = np.asarray(answered.any(axis=1), dtype=np.int64)
                scores = _scaled_scores(values, answered, layout.score_scale(dimension.code))
                acc.add(
                    [StatKey("score", name, dimension.code)],
                    [[given, scores, zeros, scores * scores]],
                )

    perceptions = answers.values.get("P")
    if perceptions is not None and "index" in families:
        answered = ~np.isnan(perceptions)
        values = _as_int(perceptions, "P")
        k_answered = answered.sum(axis=1)
        totals = values.sum(axis=1)
        strata = range(1, len(layout.items) + 1)
        acc.add(
            [StatKey("index", "P", stratum=str(k)) for k in strata],
            [
                [
                    (k_answered == k).astype(np.int64),
                    totals * (k_answered == k),
                    zeros,
                    totals * totals * (k_answered == k),
                ]
                for k in strata
            ],
        )

    if "overall" in families:
        rated = (~np.isnan(answers.overall)).astype(np.int64)
        overall = _as_int(answers.overall, OVERALL)
        acc.add([StatKey(OVERALL)], [[rated, overall, zeros, overall * overall]])

    if answers.importance is not None and "importance" in families:
        full = ~np.isnan(answers.importance).any(axis=1)
        points = _as_int(answers.importance, "importance")
        counted = (full & (points.sum(axis=1) == IMPORTANCE_TOTAL)).astype(np.int64)
        acc.add(
            [StatKey("importance", a=code) for code in layout.dimension_codes],
            [
                [counted, points[:, d] * counted, zeros, points[:, d] ** 2 * counted]
                for d in range(len(layout.dimension_codes))
            ],
        )

    if perceptions is not None and "profile" in families:
        _add_profile(acc, answers, perceptions)
    return acc.result()


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
    The same computation as :func:`grouped_power_sums` with one group.

    References
    ----------
    Parasuraman, A., Zeithaml, V. A., & Berry, L. L. (1988). SERVQUAL. Journal of
    Retailing 64(1), 12–40.

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
    return grouped_power_sums(answers, np.zeros(answers.n, dtype=np.int64), 1).group(0)


def _scaled_scores(values: IntArray, answered: NDArray[np.bool_], scale: int) -> IntArray:
    """Per respondent L·(sum of answered items)/(number answered), exact; 0 if none."""
    k = answered.sum(axis=1)
    totals = values.sum(axis=1)
    safe_k = np.where(k == 0, 1, k)
    scores: IntArray = (totals * scale) // safe_k
    return scores


def _add_profile(acc: _Accumulator, answers: AnswerMatrix, perceptions: FloatArray) -> None:
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
    counted = eligible.astype(np.int64)
    vectors = [column * counted for column in columns]
    pairs = [(i, j) for i in range(len(names)) for j in range(i, len(names))]
    acc.add(
        [StatKey("profile", "P", names[i], names[j]) for i, j in pairs],
        [[counted, vectors[i], vectors[j], vectors[i] * vectors[j]] for i, j in pairs],
    )


def respondent_power_sums(
    answers: AnswerMatrix, *, families: frozenset[str] = ALL_FAMILIES
) -> PowerSums:
    """The power sums of one respondent, in plain Python (no array overhead).

    Parameters
    ----------
    answers : AnswerMatrix
        Exactly one respondent.
    families : frozenset of str, keyword-only
        Which families to compute.

    Returns
    -------
    PowerSums
        Equal to ``grouped_power_sums(answers, [0], 1, families=families).group(0)`` (a
        property test checks it); used on every submission, where numpy's per-call
        overhead would cost milliseconds.

    Notes
    -----
    Missing data: as :func:`grouped_power_sums`.

    References
    ----------
    Parasuraman, Zeithaml & Berry (1988), SERVQUAL, Journal of Retailing 64(1), 12–40.

    Examples
    --------
    >>> layout = Layout((Dimension("speed", ("q1", "q2")),))
    >>> one = AnswerMatrix(layout, {"P": np.array([[6.0, np.nan]])}, overall=np.array([4.0]))
    >>> respondent_power_sums(one)[StatKey("score", "P", "speed")]
    (1, 12, 0, 144)
    """
    if answers.n != 1:
        raise ValueError("respondent_power_sums takes exactly one respondent")
    layout = answers.layout
    out: dict[StatKey, PowerSumValue] = {}
    rows: dict[str, list[int | None]] = {}
    for name in ANSWER_FIELDS:
        if name in answers.values:
            rows[name] = [_whole(v, name) for v in answers.values[name][0].tolist()]
    for name, (left, right) in DERIVED_FIELDS.items():
        if left in rows and right in rows:
            rows[name] = [
                None if a is None or b is None else a - b
                for a, b in zip(rows[left], rows[right], strict=True)
            ]
    overall = _whole(float(answers.overall[0]), OVERALL)
    if "respondents" in families and (
        overall is not None
        or any(v is not None for name in ANSWER_FIELDS if name in rows for v in rows[name])
    ):
        out[StatKey("respondents")] = (1, 0, 0, 0)

    for name in answers.fields():
        row = rows[name]
        for dimension in layout.dimensions:
            values = [row[c] for c in layout.item_columns(dimension)]
            given = [v for v in values if v is not None]
            codes = dimension.items
            family = "item" if len(given) == len(values) else "pair"
            if family in families:
                for i in range(len(codes)):
                    vi = values[i]
                    if vi is None:
                        continue
                    for j in range(i, len(codes)):
                        vj = values[j]
                        if vj is not None:
                            out[StatKey(family, name, codes[i], codes[j])] = (1, vi, vj, vi * vj)
            if "score" in families and given:
                u = sum(given) * layout.score_scale(dimension.code) // len(given)
                out[StatKey("score", name, dimension.code)] = (1, u, 0, u * u)

    perceptions = rows.get("P")
    if perceptions is not None and "index" in families:
        answered = [v for v in perceptions if v is not None]
        if answered:
            total = sum(answered)
            out[StatKey("index", "P", stratum=str(len(answered)))] = (1, total, 0, total * total)
    if overall is not None and "overall" in families:
        out[StatKey(OVERALL)] = (1, overall, 0, overall * overall)
    if answers.importance is not None and "importance" in families:
        points = [_whole(v, "importance") for v in answers.importance[0].tolist()]
        if all(p is not None for p in points) and sum(p or 0 for p in points) == 100:
            for code, p in zip(layout.dimension_codes, points, strict=True):
                assert p is not None
                out[StatKey("importance", a=code)] = (1, p, 0, p * p)
    if perceptions is not None and overall is not None and "profile" in families:
        vector: list[int] = []
        for dimension in layout.dimensions:
            answered_p = [
                v for v in (perceptions[c] for c in layout.item_columns(dimension)) if v is not None
            ]
            if not answered_p:
                break
            vector.append(sum(answered_p) * layout.score_scale(dimension.code) // len(answered_p))
        else:
            vector.append(overall)
            names = [*layout.dimension_codes, OVERALL]
            for i in range(len(names)):
                for j in range(i, len(names)):
                    out[StatKey("profile", "P", names[i], names[j])] = (
                        1,
                        vector[i],
                        vector[j],
                        vector[i] * vector[j],
                    )
    return PowerSums(out)


def _whole(value: float, what: str) -> int | None:
    """A whole-number answer, None for nan; a fraction is an error."""
    if math.isnan(value):
        return None
    if not float(value).is_integer():
        raise ValueError(f"{what}: answers must be whole numbers")
    return int(value)
