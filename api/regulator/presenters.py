"""The comparison page as tables and a chart, in the reader's language and without a
database session: the operators (rank, index with its 95 % interval, n, fair index and
each dimension's gap) and each operator's halls with their progress toward the sampling
rule. Every number computed from fewer than the minimum n respondents is left out."""

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from analytics.report import ServqualReport
from api import charts
from api.exports.report_json import number
from api.exports.tables import Column, Table
from survey.regulation.comparison import Comparison, OperatorResult


@dataclass(frozen=True)
class ComparisonView:
    """What the evaluation page shows."""

    operators: Table
    gaps: Table
    chart: dict[str, Any]
    chart_marks: int
    halls: tuple[tuple[OperatorResult, Table], ...]


def _gap(report: ServqualReport | None, code: str) -> float | None:
    if report is None:
        return None
    scores = report.dimension(code).scores
    estimate = scores.get("G")
    return number(estimate.mean) if estimate is not None and estimate.sufficient else None


def present_comparison(
    comparison: Comparison,
    *,
    _: Callable[[str], str],
    dimension_name: Callable[[str], str],
    dimension_codes: tuple[str, ...],
) -> ComparisonView:
    """The operators ranked fairly, then those too small to rank, greyed."""
    rows: list[dict[str, Any]] = []
    muted = set()
    bars = []
    for i, unit in enumerate(comparison.ranking.units):
        result = comparison.result(int(unit.unit))
        report = result.report
        shown = report is not None and report.n_respondents >= comparison.min_n
        index = report.index if report is not None else None
        row: dict[str, Any] = {
            "rank": unit.rank,
            "operator": result.name,
            "n": result.n,
            "index": number(index.value) if shown and index else None,
            "ci_low": number(index.ci95[0]) if shown and index else None,
            "ci_high": number(index.ci95[1]) if shown and index else None,
            "fair": number(unit.shrunken_index) if shown else None,
        }
        rows.append(row)
        if not shown or unit.rank is None:
            muted.add(i)
        if shown and math.isfinite(unit.shrunken_index):
            bars.append(charts.RankRow(result.name, unit.shrunken_index, unit.n, True, ""))
    ranked_ids = {int(unit.unit) for unit in comparison.ranking.units}
    for result in comparison.operators:
        if result.organisation_id not in ranked_ids:
            rows.append({"operator": result.name, "n": 0})
            muted.add(len(rows) - 1)
    columns = (
        Column("rank", _("Rank"), "int"),
        Column("operator", _("Operator")),
        Column("n", _("Respondents"), "int"),
        Column("index", _("Satisfaction index"), "number", 1),
        Column("ci_low", _("95% CI low"), "number", 1),
        Column("ci_high", _("95% CI high"), "number", 1),
        Column("fair", _("Fair index (shrunken)"), "number", 1),
    )
    operators = Table(
        "operators",
        _("Operators side by side"),
        columns,
        rows,
        muted_rows=frozenset(muted),
        note=_(
            "Ranked by the index shrunk toward the average of all operators; operators with "
            "fewer than {n} respondents are greyed, not ranked, and their figures are not "
            "shown."
        ).format(n=comparison.min_n),
    )
    text = charts.translated_chart_text(_)
    return ComparisonView(
        operators=operators,
        gaps=_gaps_table(comparison, _, dimension_name, dimension_codes),
        chart=charts.ranking_chart(bars, text),
        chart_marks=charts.expected_marks(bars),
        halls=tuple(
            (result, _halls_table(result, comparison, _)) for result in comparison.operators
        ),
    )


def _gaps_table(
    comparison: Comparison,
    _: Callable[[str], str],
    dimension_name: Callable[[str], str],
    dimension_codes: tuple[str, ...],
) -> Table:
    """A row per dimension, a column per operator: perception minus expectation, where the
    operator has at least the minimum n (an empty cell otherwise)."""
    rows = []
    for code in dimension_codes:
        row: dict[str, Any] = {"dimension": dimension_name(code)}
        for result in comparison.operators:
            enough = result.report is not None and result.n >= comparison.min_n
            row[f"op_{result.organisation_id}"] = _gap(result.report, code) if enough else None
        rows.append(row)
    columns = (
        Column("dimension", _("Dimension")),
        *(
            Column(f"op_{result.organisation_id}", result.name, "number", 2)
            for result in comparison.operators
        ),
    )
    return Table(
        "gaps",
        _("Gaps by dimension (perception minus expectation)"),
        columns,
        rows,
        note=_("Below zero: customers got less than they expected."),
    )


def _halls_table(result: OperatorResult, comparison: Comparison, _: Callable[[str], str]) -> Table:
    target = comparison.evaluation.answers_per_hall
    rows = [
        {
            "hall": hall.name,
            "n": hall.n,
            "target": target,
            "reached": _("yes") if hall.n >= target else _("not yet"),
        }
        for hall in result.halls
    ]
    return Table(
        f"halls-{result.organisation_id}",
        result.name,
        (
            Column("hall", _("Hall")),
            Column("n", _("Respondents"), "int"),
            Column("target", _("Wanted"), "int"),
            Column("reached", _("Reached")),
        ),
        rows,
        muted_rows=frozenset(i for i, hall in enumerate(result.halls) if hall.n < target),
    )
