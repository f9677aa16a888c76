"""``manyi analyze``: the SERVQUAL report of a wide CSV, overall, per group and per period.

The file's answers become power sums (exactly what the database keeps for responses
collected by the app), and the report is computed from them by the same code the app uses.
"""

from analytics.intervals import DEFAULT_MIN_N
from analytics.power_sums import PowerSums, power_sums
from analytics.report import servqual_report
from analytics.trends import trend_report
from survey.analysis import Analysis
from survey.wide_csv import WideTable, group_rows

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
    for column in by:
        groups[column] = {}
        for value, rows in group_rows(table.segments[column]).items():
            part: PowerSums = power_sums(table.select(rows))
            groups[column][value] = Analysis(
                report=servqual_report(part, layout, min_n=min_n, missing=missing, mode=table.mode),
                trend=None,
            )
    return Analysis(report=report, trend=trend, groups=groups)
