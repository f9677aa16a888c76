"""``manyi analyze``: the SERVQUAL report of a wide CSV, overall, per group and per period.

The file's answers become power sums (exactly what the database keeps for responses
collected by the app), and the report is computed from them by the same code the app uses.
"""

from analytics.factors import factor_structure
from analytics.intervals import DEFAULT_MIN_N
from analytics.power_sums import PowerSums, power_sums
from analytics.rankings import Ranking, index_ranking
from analytics.report import servqual_report
from analytics.trends import trend_report
from survey.imports.wide_csv import WideTable, group_rows
from survey.stats.analysis import RANKED_COLUMNS, Analysis

GROUP_COLUMNS = ("site", "counter", "staff", "period")


def analyze_table(
    table: WideTable,
    *,
    by: tuple[str, ...] = (),
    min_n: int = DEFAULT_MIN_N,
    missing: str = "listwise",
    trend_grain_label: str = "period",
) -> Analysis:
    """The report of every respondent of ``table``, with a breakdown per column in ``by``.

    Raises ValueError for a ``by`` column the file does not have.
    """
    for column in by:
        if column not in GROUP_COLUMNS:
            raise ValueError(f"--by takes {', '.join(GROUP_COLUMNS)}, not {column!r}")
        if column not in table.segments:
            raise ValueError(f"the file has no {column!r} column to break down by")
    layout = table.answers.layout
    sums = power_sums(table.answers)
    report = servqual_report(sums, layout, min_n=min_n, missing=missing, mode=table.mode)
    trend = None
    if "period" in table.segments:
        per_period = [
            (label, power_sums(table.select(rows)))
            for label, rows in group_rows(table.segments["period"]).items()
            if label
        ]
        trend = trend_report(per_period, layout, mode=table.mode)
    groups: dict[str, dict[str, Analysis]] = {}
    rankings: dict[str, Ranking] = {}
    for column in by:
        parts: dict[str, PowerSums] = {
            value: power_sums(table.select(rows))
            for value, rows in group_rows(table.segments[column]).items()
        }
        groups[column] = {
            value: Analysis(
                report=servqual_report(part, layout, min_n=min_n, missing=missing, mode=table.mode),
                trend=None,
            )
            for value, part in parts.items()
        }
        if column in RANKED_COLUMNS:
            rankings[column] = index_ranking(parts, scale=layout.scale, min_n=min_n)
    item_dimensions = [d.code for d in layout.dimensions for _ in d.items]
    factors = factor_structure(table.answers.values["P"], item_dimensions)
    return Analysis(report=report, trend=trend, groups=groups, rankings=rankings, factors=factors)
