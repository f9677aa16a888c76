"""A report with its trend and its breakdowns: what ``manyi analyze`` and the app return."""

from dataclasses import dataclass, field

from analytics.factors import FactorStructure
from analytics.rankings import Ranking
from analytics.report import ServqualReport
from analytics.trends import TrendReport

RANKED_COLUMNS = ("site", "counter", "staff")
"""Breakdowns whose units are also ranked (by shrunken index)."""


@dataclass(frozen=True)
class Analysis:
    """A report, its trend (when there are periods), the reports of its groups
    (``groups[column][value]``), for sites, counters and clerks their fair ranking, and
    (from raw answers only) the factor-structure check of the perception items."""

    report: ServqualReport
    trend: TrendReport | None
    groups: dict[str, dict[str, "Analysis"]] = field(default_factory=dict)
    rankings: dict[str, Ranking] = field(default_factory=dict)
    factors: FactorStructure | None = None
