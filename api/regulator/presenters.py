"""The comparison page as tables and a chart, in the reader's language and without a
database session: the operators (rank, index with its 95 % interval, n, fair index and
each dimension's gap) and each operator's halls with their progress toward the sampling
rule. Every number computed from fewer than the minimum n respondents is left out."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api import charts
from api.exports.tables import Column, Table
from api.notices import gaps_table, operators_table, ranking_bars
from survey.regulation.comparison import Comparison, OperatorResult, operator_figures


@dataclass(frozen=True)
class ComparisonView:
    """What the evaluation page shows."""

    operators: Table
    gaps: Table
    chart: dict[str, Any]
    chart_marks: int
    halls: tuple[tuple[OperatorResult, Table], ...]


def present_comparison(
    comparison: Comparison,
    *,
    _: Callable[[str], str],
    dimension_name: Callable[[str], str],
    dimension_codes: tuple[str, ...],
) -> ComparisonView:
    """The operators ranked fairly, then those too small to rank, greyed: the rows the
    notices and the API publish (:func:`operator_figures`), in the same tables."""
    rows = operator_figures(comparison)
    operators = operators_table(
        rows,
        name="operators",
        title=_("Operators side by side"),
        note=_(
            "Ranked by the index shrunk toward the average of all operators; operators with "
            "fewer than {n} respondents are greyed, not ranked, and their figures are not "
            "shown."
        ).format(n=comparison.min_n),
        _=_,
    )
    bars = ranking_bars(rows)
    return ComparisonView(
        operators=operators,
        gaps=gaps_table(
            rows,
            list(dimension_codes),
            name="gaps",
            _=_,
            dimension_name=dimension_name,
            note=_("Below zero: customers got less than they expected."),
        ),
        chart=charts.ranking_chart(bars, charts.translated_chart_text(_)),
        chart_marks=charts.expected_marks(bars),
        halls=tuple(
            (result, _halls_table(result, comparison, _)) for result in comparison.operators
        ),
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
