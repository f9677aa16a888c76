"""The dashboard's figures, each a chart with its table: the gap chart, control charts
and rankings, shared by several pages."""

import math
from typing import Any

from analytics.control import ControlChart
from analytics.rankings import Ranking
from analytics.report import ServqualReport
from analytics.trends import TrendReport
from api import charts
from api.exports.report_json import number
from api.exports.tables import Column, Table
from api.manager.dashboard.context import Figure, PageContext
from survey.errors import N_
from survey.stats.dashboard import Breakdown

MARKED = 3
"""How many units the top and the bottom marks each take."""
MIN_FOR_MARKS = 2 * MARKED + 1


def _top_bottom(ranking: Ranking) -> dict[str, str]:
    """``top`` for the best three ranked units, ``bottom`` for the worst three, only when
    at least seven are ranked: with six or fewer every unit would be top or bottom and the
    marks would say nothing (the table's note says so)."""
    ranked = [u for u in ranking.units if u.rank is not None]
    if len(ranked) < MIN_FOR_MARKS:
        return {}
    marks = {u.unit: "top" for u in ranked[:MARKED]}
    marks.update({u.unit: "bottom" for u in ranked[-MARKED:]})
    return marks


def gap_figure(ctx: PageContext, report: ServqualReport) -> Figure:
    """The gap chart (expectation and perception side by side, the gap written on it), or
    in three-column campaigns the zone of tolerance with the perception marker."""
    _ = ctx._
    rows: list[dict[str, Any]] = []
    muted = set()
    for i, dimension in enumerate(report.dimensions):
        scores = dimension.scores
        row: dict[str, Any] = {"dimension": ctx.dimension_name(dimension.code)}
        for key, score in scores.items():
            row[key] = number(score.mean)
            row[f"{key}_low"], row[f"{key}_high"] = (number(v) for v in score.ci95)
        last = scores.get("G") or scores.get("ADQ") or scores["P"]
        row["n"] = last.n
        if not last.sufficient:
            muted.add(i)
        rows.append(row)
    if report.mode == "three_column":
        columns = (
            Column("dimension", _("Dimension")),
            Column("MIN", _("Minimum"), "number"),
            Column("DES", _("Desired"), "number"),
            Column("P", _("Perception"), "number"),
            Column("ADQ", _("Adequacy gap"), "number"),
            Column("SUP", _("Superiority gap"), "number"),
            Column("n", _("Respondents"), "int"),
        )
        zones = [
            charts.ZoneRow(r["dimension"], r["MIN"], r["DES"], r["P"])
            for r in rows
            if None not in (r["MIN"], r["DES"], r["P"])
        ]
        spec = charts.tolerance_chart(zones, ctx.chart_text())
        marks = charts.expected_marks(zones)
        title = _("Zone of tolerance per dimension")
    else:
        columns = (
            Column("dimension", _("Dimension")),
            *((Column("E", _("Expectation"), "number"),) if report.mode == "paired" else ()),
            Column("P", _("Perception"), "number"),
            *(
                (
                    Column("G", _("Gap"), "number"),
                    Column("G_low", _("Gap 95% CI low"), "number"),
                    Column("G_high", _("Gap 95% CI high"), "number"),
                )
                if report.mode == "paired"
                else (
                    Column("P_low", _("95% CI low"), "number"),
                    Column("P_high", _("95% CI high"), "number"),
                )
            ),
            Column("n", _("Respondents"), "int"),
        )
        gaps = [
            charts.GapRow(r["dimension"], r.get("E"), r["P"], r.get("G"))
            for r in rows
            if r["P"] is not None
        ]
        spec = charts.gap_chart(gaps, ctx.chart_text())
        marks = charts.expected_marks(gaps)
        title = (
            _("Expectation and perception per dimension")
            if report.mode == "paired"
            else _("Perception per dimension")
        )
    table = Table("gaps", title, columns, rows, muted_rows=frozenset(muted))
    return Figure("gaps", title, spec, table, marks)


def control_figure(
    ctx: PageContext,
    name: str,
    title: str,
    chart: ControlChart,
    trend: TrendReport,
    *,
    value_title: str | None = None,
) -> Figure:
    """A control chart of one of ``trend``'s series with its periods as a table (value,
    limits and whether it signalled); the period still running is labelled "so far" and,
    on too few answers, "not judged yet". ``value_title`` names the value axis (default:
    the satisfaction index)."""
    _ = ctx._
    signalled = {signal.index for signal in chart.signals}
    rules = {signal.index: signal.rule for signal in chart.signals}
    counts = trend.n_respondents
    rows = []
    points = []
    for i, point in enumerate(chart.points):
        value = number(point.value)
        label = ctx.period_name(point.label)
        running = point.label == trend.running
        judged = not running or trend.running_judged
        if running:
            label = _("%(period)s (so far)") % {"period": label}
        points.append(charts.ControlPoint(label, value, i in signalled, running, judged))
        verdict = _(SIGNAL_RULES.get(rules[i], rules[i])) if i in rules else ""
        if not judged:
            verdict = _("Not judged yet (too few answers so far)")
        rows.append(
            {
                "period": label,
                "n": counts[i] if i < len(counts) else None,
                "value": value,
                "centre": number(chart.centre),
                "upper": number(chart.upper),
                "lower": number(chart.lower),
                "signal": verdict,
            }
        )
    columns = (
        Column("period", _("Period")),
        Column("n", _("Respondents"), "int"),
        Column("value", _("Value"), "number"),
        Column("centre", _("Centre line"), "number"),
        Column("upper", _("Upper control limit"), "number"),
        Column("lower", _("Lower control limit"), "number"),
        Column("signal", _("Signal")),
    )
    spec = charts.control_chart(
        points,
        ctx.chart_text(),
        centre=number(chart.centre),
        upper=number(chart.upper),
        lower=number(chart.lower),
        value_title=value_title,
    )
    marks = charts.expected_marks(points)
    table = Table(name, title, columns, rows, muted_rows=frozenset(), marks={})
    return Figure(name, title, spec, table, marks)


SIGNAL_RULES = {
    "beyond_limits": N_("beyond the control limits"),
    "run": N_("eight in a row on one side"),
    "ewma": N_("drift (EWMA)"),
}


def ranking_figure(ctx: PageContext, breakdown: Breakdown) -> Figure:
    """Units by shrunken index, top three and bottom three marked, too-small units greyed
    with their n and no rank; each unit links to its own overview."""
    _ = ctx._
    titles = {
        "site": _("Sites"),
        "counter": _("Counters"),
        "staff": _("Staff members"),
    }
    marks = _top_bottom(breakdown.ranking)
    rows: list[dict[str, Any]] = []
    muted = set()
    bars = []
    mark_names = {"top": _("top 3"), "bottom": _("bottom 3")}
    for i, unit in enumerate(breakdown.ranking.units):
        name = breakdown.names.get(unit.unit, unit.unit)
        link = ctx.url(**_drill(breakdown.column, int(unit.unit)))
        rows.append(
            {
                "rank": unit.rank,
                "unit": (name, link),
                "n": unit.n,
                "index": number(unit.index),
                "shrunken": number(unit.shrunken_index),
                "mark": mark_names.get(marks.get(unit.unit, ""), ""),
            }
        )
        if unit.rank is None:
            muted.add(i)
        if math.isfinite(unit.shrunken_index):
            bars.append(
                charts.RankRow(
                    name,
                    unit.shrunken_index,
                    unit.n,
                    unit.rank is not None,
                    marks.get(unit.unit, ""),
                )
            )
    for unit_id, name in breakdown.unrated.items():
        muted.add(len(rows))
        rows.append(
            {
                "rank": None,
                "unit": (name, ctx.url(**_drill(breakdown.column, int(unit_id)))),
                "n": 0,
                "index": None,
                "shrunken": None,
                "mark": _("no answers"),
            }
        )
    columns = (
        Column("rank", _("Rank"), "int"),
        Column("unit", titles[breakdown.column], "link"),
        Column("n", _("Respondents"), "int"),
        Column("index", _("Own index"), "number", 1),
        Column("shrunken", _("Fair index (shrunken)"), "number", 1),
        Column("mark", _("Note")),
    )
    title = titles[breakdown.column]
    table = Table(
        f"ranking-{breakdown.column}",
        title,
        columns,
        rows,
        muted_rows=frozenset(muted),
        marks={i: marks.get(u.unit, "") for i, u in enumerate(breakdown.ranking.units)},
        note=_(
            "Ranked by the index shrunk toward the average of all units, so a unit with few "
            "answers cannot top or tail the list by chance; units with fewer than {n} "
            "answers are shown greyed and not ranked."
        ).format(n=breakdown.ranking.min_n)
        + (
            ""
            if marks
            else " "
            + _("Top 3 and bottom 3 are marked from {k} ranked units on.").format(k=MIN_FOR_MARKS)
        ),
    )
    spec = charts.ranking_chart(bars, ctx.chart_text())
    drawn = charts.expected_marks(bars)
    return Figure(f"ranking-{breakdown.column}", title, spec, table, drawn, fold_table=False)


def _drill(column: str, unit_id: int) -> dict[str, Any]:
    """Filter changes that open a unit's own overview."""
    if column == "site":
        return {"site": unit_id, "counter": None, "staff": None}
    if column == "counter":
        return {"counter": unit_id, "staff": None}
    return {"staff": unit_id, "counter": None}
