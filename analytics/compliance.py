"""Compliance rates of inspections: the share of checked items that passed.

An inspection marks each item of a checklist ``pass``, ``fail`` or ``na`` (not
applicable: no phone rang, so the phone greeting could not be checked). Not-applicable
items say nothing about the clerk and are left out of both the numerator and the
denominator; a section where nothing could be checked has no rate (NaN), not 0 % or 100 %.

The outcome values are the strings stored in the database (:data:`PASS`, :data:`FAIL`,
:data:`NOT_APPLICABLE`), so this module needs nothing from the rest of the project.
"""

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, TypeVar

PASS: Final = "pass"  # noqa: S105 - an outcome, not a password
FAIL: Final = "fail"
NOT_APPLICABLE: Final = "na"
OUTCOMES: Final = (PASS, FAIL, NOT_APPLICABLE)

PlaceT = TypeVar("PlaceT", bound=Hashable)
PeriodT = TypeVar("PeriodT", bound=Hashable)


@dataclass(frozen=True)
class Compliance:
    """Counts of outcomes and the compliance rate they give.

    ``rate`` is ``n_pass / (n_pass + n_fail)`` in [0, 1], NaN when nothing was checked
    (every item not applicable, or no items).
    """

    n_pass: int
    n_fail: int
    n_not_applicable: int

    @property
    def n_checked(self) -> int:
        """Items that could be checked (pass or fail)."""
        return self.n_pass + self.n_fail

    @property
    def rate(self) -> float:
        return self.n_pass / self.n_checked if self.n_checked else math.nan

    def __add__(self, other: "Compliance") -> "Compliance":
        return Compliance(
            self.n_pass + other.n_pass,
            self.n_fail + other.n_fail,
            self.n_not_applicable + other.n_not_applicable,
        )


NO_OUTCOMES: Final = Compliance(0, 0, 0)


@dataclass(frozen=True)
class ComplianceScores:
    """The rate per checklist section and overall, for one inspection or a group of them.

    ``overall`` pools the items of all sections (it is not the mean of the section rates),
    so each checked item weighs the same wherever it sits.
    """

    sections: Mapping[str, Compliance] = field(default_factory=dict)
    overall: Compliance = NO_OUTCOMES


def compliance_rate(n_pass: int, n_fail: int, n_not_applicable: int = 0) -> Compliance:
    """The compliance rate of counted outcomes.

    Parameters
    ----------
    n_pass, n_fail : int
        Items that passed and failed.
    n_not_applicable : int, optional
        Items not applicable; counted for the record, excluded from the rate.

    Returns
    -------
    Compliance
        ``rate = n_pass / (n_pass + n_fail)``; NaN when ``n_pass + n_fail == 0``.

    Examples
    --------
    >>> c = compliance_rate(3, 1, 2)
    >>> c.rate, c.n_checked
    (0.75, 4)
    >>> compliance_rate(0, 0, 5).rate
    nan
    """
    if min(n_pass, n_fail, n_not_applicable) < 0:
        raise ValueError("counts cannot be negative")
    return Compliance(n_pass, n_fail, n_not_applicable)


def _counted(outcome: str, count: int) -> Compliance:
    if outcome == PASS:
        return Compliance(count, 0, 0)
    if outcome == FAIL:
        return Compliance(0, count, 0)
    if outcome == NOT_APPLICABLE:
        return Compliance(0, 0, count)
    raise ValueError(f"unknown outcome {outcome!r}; expected one of {OUTCOMES}")


def section_scores(outcomes: Iterable[tuple[str, str]]) -> ComplianceScores:
    """Compliance per section and overall from ``(section, outcome)`` pairs.

    Section rate = passes / (passes + fails) of the section's items; overall rate =
    passes / (passes + fails) of all items. Not-applicable items are excluded from both;
    a section with only not-applicable items has the rate NaN.

    Examples
    --------
    >>> s = section_scores([("language", "pass"), ("language", "fail"),
    ...                     ("appearance", "pass"), ("appearance", "na")])
    >>> s.sections["language"].rate, s.sections["appearance"].rate, round(s.overall.rate, 3)
    (0.5, 1.0, 0.667)
    """
    return section_scores_of_counts((section, outcome, 1) for section, outcome in outcomes)


def section_scores_of_counts(rows: Iterable[tuple[str, str, int]]) -> ComplianceScores:
    """:func:`section_scores` from ``(section, outcome, count)`` rows (as a GROUP BY
    returns them); sections keep the order they first appear in.

    >>> section_scores_of_counts([("quality", "pass", 3), ("quality", "fail", 1)]).overall.rate
    0.75
    """
    sections: dict[str, Compliance] = {}
    overall = NO_OUTCOMES
    for section, outcome, count in rows:
        counted = _counted(outcome, count)
        sections[section] = sections.get(section, NO_OUTCOMES) + counted
        overall = overall + counted
    return ComplianceScores(sections=sections, overall=overall)


def compliance_rates(
    rows: Iterable[tuple[PlaceT, PeriodT, str, str, int]],
) -> dict[tuple[PlaceT, PeriodT], ComplianceScores]:
    """Compliance per place and period, per section and overall.

    Parameters
    ----------
    rows : iterable of (place, period, section, outcome, count)
        Counted outcomes of inspection items: ``place`` and ``period`` are any hashable
        keys (a site id and ``"2026-11"``), ``outcome`` one of :data:`OUTCOMES`.

    Returns
    -------
    dict
        ``(place, period)`` → :class:`ComplianceScores`. Within a cell, section rate =
        Σ passes / (Σ passes + Σ fails) over all the cell's inspections of that section
        (pooled over items, so an inspection with more checked items weighs more), overall
        likewise over all sections. Not applicable is excluded; a section with nothing
        checked has the rate NaN.

    Examples
    --------
    >>> rates = compliance_rates([
    ...     (1, "2026-10", "language", "pass", 3), (1, "2026-10", "language", "fail", 1),
    ...     (1, "2026-10", "discipline", "na", 2), (2, "2026-10", "language", "pass", 1),
    ... ])
    >>> rates[(1, "2026-10")].sections["language"].rate
    0.75
    >>> rates[(1, "2026-10")].sections["discipline"].rate
    nan
    >>> rates[(2, "2026-10")].overall.rate
    1.0
    """
    grouped: dict[tuple[PlaceT, PeriodT], list[tuple[str, str, int]]] = defaultdict(list)
    for place, period, section, outcome, count in rows:
        grouped[(place, period)].append((section, outcome, count))
    return {key: section_scores_of_counts(cell) for key, cell in grouped.items()}
