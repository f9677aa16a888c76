"""What the charts draw: plain rows the caller fills from analytics results, and their words.

The caller (a presenter) converts report objects into these rows and translates every
label beforehand, so the chart code never calls gettext and shows no text of its own:
the English defaults of :class:`ChartText` exist for tests and for a quick look only.
A value that is ``None`` or NaN is "not available" and is never drawn as zero.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class GapRow:
    """One SERVQUAL dimension: mean expectation, mean perception and their gap P − E.

    ``expectation`` and ``gap`` are ``None`` in perception-only campaigns.
    """

    label: str
    expectation: float | None
    perception: float
    gap: float | None


@dataclass(frozen=True)
class ZoneRow:
    """One dimension of a three-column campaign: its zone of tolerance and perception."""

    label: str
    minimum: float
    desired: float
    perception: float


@dataclass(frozen=True)
class ItemGapRow:
    """One item's gap (or perception) with its 95 % confidence interval.

    ``insufficient`` marks an item with too few answers to read: it is drawn grey.
    """

    label: str
    value: float
    low: float
    high: float
    n: int
    insufficient: bool


@dataclass(frozen=True)
class IpaPoint:
    """One dimension in the importance–performance grid; ``quadrant`` is its translated name."""

    label: str
    importance: float
    performance: float
    quadrant: str


@dataclass(frozen=True)
class ControlPoint:
    """One period of a control chart; ``value`` is ``None`` for a period without answers.

    ``running`` marks the period still under way (drawn hollow); ``judged`` is False while
    it has too few answers for the control rules to judge it.
    """

    label: str
    value: float | None
    signal: bool
    running: bool = False
    judged: bool = True


@dataclass(frozen=True)
class RankRow:
    """One ranked place: its shrunken index, the answers behind it and its standing.

    ``mark`` is ``"top"``, ``"bottom"`` or ``""``; ``ranked`` is False when too few
    answers allow no rank (the bar is greyed and ``mark`` is ignored).
    """

    label: str
    value: float
    n: int
    ranked: bool
    mark: str


@dataclass(frozen=True)
class ChartText:
    """The translated words the charts show: axis titles, legend entries, tooltip titles.

    Build one per request with the request's gettext; the defaults are English so tests
    and scripts can leave it out.
    """

    dimension: str = "Dimension"
    item: str = "Item"
    name: str = "Name"
    expectation: str = "Expectation"
    perception: str = "Perception"
    gap: str = "Gap"
    score: str = "Mean score"
    minimum: str = "Minimum"
    desired: str = "Desired"
    tolerance_zone: str = "Zone of tolerance"
    importance: str = "Importance"
    performance: str = "Performance"
    quadrant: str = "Quadrant"
    index: str = "Index"
    period: str = "Period"
    centre_line: str = "Centre line"
    upper_limit: str = "Upper limit"
    lower_limit: str = "Lower limit"
    signal: str = "Signal"
    no_signal: str = "No signal"
    not_judged: str = "Not judged yet (too few answers so far)"
    answers: str = "Answers"
    ci_low: str = "95 % CI low"
    ci_high: str = "95 % CI high"
    too_few: str = "Too few answers"
    top: str = "Top"
    bottom: str = "Bottom"
    ranked: str = "Ranked"
