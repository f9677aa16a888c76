"""A report with its trend and its breakdowns: what ``manyi analyze`` and the app return."""

from dataclasses import dataclass, field

from analytics.report import ServqualReport
from analytics.trends import TrendReport


@dataclass(frozen=True)
class Analysis:
    """A report, its trend (when there are periods), and the reports of its groups
    (``groups[column][value]``)."""

    report: ServqualReport
    trend: TrendReport | None
    groups: dict[str, dict[str, "Analysis"]] = field(default_factory=dict)
