"""Targets of a service quality agreement, checked window by window with exemptions left out.

A target ("availability at least 98 %", "at most 1 hour of outage a year", "satisfaction
index at least 80") is met or missed in each **window** of its measurement. One yearly
figure can hide what the customer lived through: 98 % availability over a year allows a
whole week down (a 365-day year has 8,760 hours, 2 % of which is 175.2 hours, more than
the 168 hours of a week). So an agreement names its windows, typically the year and each
week, and the target must hold in every one of them.

**Exemptions** (force majeure and other agreed periods) are taken out of the measurement,
not counted as met: an exempt hour is neither time the service should have been up nor
time it was down. A window wholly exempt has no figure.

Spans are half-open ``[start, end)`` intervals of aware or naive datetimes (never mixed);
the caller turns local calendar windows into spans in the service's time zone.

References
----------
Office of Government Commerce (2007), *ITIL Service Design*, §4.2 (service level
management) and §4.4 (availability management: availability = (agreed service time −
downtime) / agreed service time).
"""

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from analytics.control import period_end, period_label, period_range

Comparison = Literal["at_least", "at_most"]
"""How a figure meets its target: ``at_least`` (availability ≥ 98 %) or ``at_most``
(outage ≤ 1 hour)."""


@dataclass(frozen=True, order=True)
class Span:
    """A half-open interval of time ``[start, end)``."""

    start: datetime.datetime
    end: datetime.datetime

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"a span cannot end ({self.end}) before it starts ({self.start})")

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def merged(spans: Iterable[Span]) -> tuple[Span, ...]:
    """The union of ``spans`` as disjoint spans in time order (touching spans join).

    Examples
    --------
    >>> t = lambda h: datetime.datetime(2026, 1, 1, h)
    >>> spans = merged([Span(t(3), t(5)), Span(t(1), t(2)), Span(t(4), t(6))])
    >>> [(s.start.hour, s.end.hour) for s in spans]
    [(1, 2), (3, 6)]
    """
    result: list[Span] = []
    for span in sorted(s for s in spans if s.end > s.start):
        if result and span.start <= result[-1].end:
            last = result[-1]
            result[-1] = Span(last.start, max(last.end, span.end))
        else:
            result.append(span)
    return tuple(result)


def clipped(spans: Iterable[Span], window: Span) -> tuple[Span, ...]:
    """The parts of ``spans`` inside ``window``, merged."""
    return merged(
        Span(max(span.start, window.start), min(span.end, window.end))
        for span in spans
        if span.start < window.end and span.end > window.start
    )


def without(spans: Iterable[Span], removed: Iterable[Span]) -> tuple[Span, ...]:
    """``spans`` with every moment of ``removed`` taken out (a set difference).

    Examples
    --------
    >>> t = lambda h: datetime.datetime(2026, 1, 1, h)
    >>> [(s.start.hour, s.end.hour) for s in without([Span(t(1), t(9))], [Span(t(3), t(4))])]
    [(1, 3), (4, 9)]
    """
    holes = merged(removed)
    result: list[Span] = []
    for span in merged(spans):
        start = span.start
        for hole in holes:
            if hole.end <= start or hole.start >= span.end:
                continue
            if hole.start > start:
                result.append(Span(start, hole.start))
            start = max(start, hole.end)
        if start < span.end:
            result.append(Span(start, span.end))
    return tuple(result)


def total_seconds(spans: Iterable[Span]) -> float:
    """The length of the union of ``spans`` (overlaps counted once)."""
    return sum(span.seconds for span in merged(spans))


@dataclass(frozen=True)
class Availability:
    """Time measured and time down in one window, exemptions taken out of both.

    ``rate`` = (measured − down) / measured, in [0, 1]; NaN when the whole window is exempt.
    """

    window: Span
    measured_seconds: float
    down_seconds: float
    exempt_seconds: float

    @property
    def rate(self) -> float:
        if self.measured_seconds <= 0:
            return math.nan
        return (self.measured_seconds - self.down_seconds) / self.measured_seconds

    @property
    def down_hours(self) -> float:
        return self.down_seconds / 3600


def availability(window: Span, outages: Iterable[Span], exemptions: Iterable[Span]) -> Availability:
    """Availability of a service over ``window``.

    Formula: with ``X`` the exempt time inside the window, ``A = |window| − |X|`` is the
    agreed time measured and ``D = |outages ∩ window ∖ X|`` the time down in it;
    availability = (A − D) / A. Overlapping outages count once.

    Missing data: none possible; a window wholly exempt has ``A = 0`` and rate NaN (no
    figure, neither met nor missed).

    Examples
    --------
    A week-long outage in a 365-day year: 98.08 % for the year, 0 % for that week.

    >>> d = lambda m, day: datetime.datetime(2026, m, day)
    >>> year = Span(d(1, 1), datetime.datetime(2027, 1, 1))
    >>> week = [Span(d(3, 2), d(3, 9))]
    >>> round(availability(year, week, []).rate, 4)
    0.9808
    >>> availability(Span(d(3, 2), d(3, 9)), week, []).rate
    0.0

    The same outage under force majeure is out of the measurement:

    >>> availability(year, week, week).rate
    1.0
    """
    exempt = clipped(exemptions, window)
    down = without(clipped(outages, window), exempt)
    exempt_seconds = total_seconds(exempt)
    return Availability(
        window=window,
        measured_seconds=window.seconds - exempt_seconds,
        down_seconds=total_seconds(down),
        exempt_seconds=exempt_seconds,
    )


def meets(value: float, comparison: Comparison, target: float) -> bool | None:
    """Whether ``value`` meets ``target``; ``None`` when there is no figure (NaN).

    >>> meets(0.98, "at_least", 0.98), meets(1.5, "at_most", 1.0), meets(math.nan, "at_most", 1)
    (True, False, None)
    """
    if math.isnan(value):
        return None
    if comparison == "at_least":
        return value >= target
    if comparison == "at_most":
        return value <= target
    raise ValueError(f"unknown comparison {comparison!r}")


@dataclass(frozen=True)
class Window:
    """One measurement window: a local calendar period and its span in time."""

    grain: str
    label: str
    first_day: datetime.date
    span: Span


def windows(
    first: datetime.date,
    last: datetime.date,
    grain: str,
    timezone: datetime.tzinfo | None = None,
) -> tuple[Window, ...]:
    """Every ``grain`` window (``"week"``, ``"month"``, ``"quarter"``, ``"year"``) that
    touches the days ``first`` to ``last``, as spans from local midnight to local midnight
    in ``timezone`` (naive when ``None``).

    Examples
    --------
    >>> [w.label for w in windows(datetime.date(2026, 12, 28), datetime.date(2027, 1, 4), "week")]
    ['2026-W53', '2027-W01']
    """
    result = []
    for start in period_range(first, last, grain):
        end = period_end(start, grain)
        span = Span(
            datetime.datetime.combine(start, datetime.time(), timezone),
            datetime.datetime.combine(end, datetime.time(), timezone),
        )
        result.append(Window(grain, period_label(start, grain), start, span))
    return tuple(result)


def share_met(results: Sequence[bool | None]) -> float:
    """The share of windows with a figure that met the target (NaN when none has one)."""
    judged = [result for result in results if result is not None]
    if not judged:
        return math.nan
    return sum(judged) / len(judged)
