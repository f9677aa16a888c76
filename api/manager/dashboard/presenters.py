"""The dashboard's pages as data: their figures (chart + table) and tables.

Each presenter is a pure function: it turns the results of :mod:`survey.stats.dashboard`
(read by :mod:`api.manager.dashboard.pages`) into a :class:`PageView` in the reader's
language, without a database session. The page template renders the view, and the export
routes take a table or a chart from the very same view, so downloads match the page.
"""

import math
from dataclasses import dataclass, field, replace
from datetime import date, tzinfo
from typing import Any

from babel.dates import format_skeleton

from analytics.control import ControlChart
from analytics.rankings import Ranking
from analytics.reliability import ACCEPTABLE_ALPHA
from analytics.report import ServqualReport
from analytics.trends import TrendReport
from api import charts, i18n
from api.exports.report_json import number
from api.exports.tables import Column, Table
from api.manager.dashboard.filters import Filters
from survey.errors import N_
from survey.questionnaires.instruments import InstrumentSpec
from survey.stats import dashboard
from survey.stats.comments import CustomerComment
from survey.stats.dashboard import Breakdown, Period, ScopePlaces, add_months
from survey.stats.reports import Scope, scope_query

PAGES = ("overview", "items", "importance", "trends", "rankings", "comments", "reliability")
DEFAULT_MONTHS = {"trends": 12}
"""Months shown when no period is chosen: three, but a year for the trends."""
TREND_GRAINS = ("week", "month", "quarter")


@dataclass(frozen=True)
class Figure:
    """A chart with its data as a table (the text alternative and the CSV download)."""

    name: str
    title: str
    spec: dict[str, Any]
    table: Table
    marks: int
    fold_table: bool = True
    """Fold the table once the chart is drawn; False where the table's links are the way
    on (rankings: each unit opens its own overview)."""


@dataclass
class PageView:
    page: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def table(self, name: str) -> Table | None:
        for table in self.tables:
            if table.name == name:
                return table
        return next((f.table for f in self.figures if f.table.name == name), None)

    def figure(self, name: str) -> Figure | None:
        return next((f for f in self.figures if f.name == name), None)


@dataclass(frozen=True)
class PageContext:
    """Everything a page needs to know of its request: the data scope, the period, the
    questionnaire and the reader's language (no database session: presenters get results)."""

    filters: Filters
    scope: Scope
    places: ScopePlaces
    period: Period
    spec: InstrumentSpec
    locale: str
    today: date
    timezone: tzinfo
    options: dict[str, str] = field(default_factory=dict)
    export: bool = False
    """Building a download: lists hold every row that matches, not one page of them."""

    def scope_in_period(self) -> Scope:
        return replace(self.scope, since=self.period.since, until=self.period.until)

    def _(self, message: str) -> str:
        return i18n.gettext(self.locale, message)

    def dimension_name(self, code: str) -> str:
        return self.spec.text(f"dimension.{code}", self.locale)

    def item_text(self, code: str) -> str:
        return self.spec.text(f"item.{code}", self.locale)

    def period_name(self, label: str) -> str:
        """``2026-09`` → ``2026年9月`` / ``Sep 2026``; weeks and quarters as they are."""
        if len(label) == 7 and label[4] == "-" and label[5:].isdigit():
            month = date(int(label[:4]), int(label[5:]), 1)
            return format_skeleton("yMMM", month, locale=self.locale)
        return label

    def path(self, page: str = "overview") -> str:
        base = f"/manager/campaigns/{self.filters.campaign_id}"
        return base if page == "overview" else f"{base}/{page}"

    def url(self, page: str = "overview", **changes: Any) -> str:
        """A dashboard page with the current filters (and ``changes`` to them)."""
        return self.path(page) + self.filters.query(**changes)

    def export_url(self, page: str, name: str, extension: str) -> str:
        """The download of a table or chart, with the filters and the page's options."""
        options = {k: v for k, v in self.options.items() if k != "before"}
        base = f"/manager/campaigns/{self.filters.campaign_id}/{page}/export"
        return f"{base}/{name}.{extension}" + self.filters.query(options)

    def period_last_month(self) -> str:
        return add_months(self.period.until, -1).strftime("%Y-%m")

    def period_text(self) -> str:
        first = self.period_name(self.period.since.strftime("%Y-%m"))
        last = self.period_name(self.period_last_month())
        return first if first == last else f"{first} – {last}"

    def place_name(self) -> str:
        places = self.places
        for place in (places.staff, places.counter, places.site, places.organisation):
            if place is not None:
                return place.name
        return ""

    def chart_text(self) -> charts.ChartText:
        """The charts' words in the reader's language."""
        _ = self._
        return charts.ChartText(
            dimension=_("Dimension"),
            item=_("Item"),
            name=_("Name"),
            expectation=_("Expectation"),
            perception=_("Perception"),
            gap=_("Gap"),
            score=_("Mean score"),
            minimum=_("Minimum"),
            desired=_("Desired"),
            tolerance_zone=_("Zone of tolerance"),
            importance=_("Importance"),
            performance=_("Performance"),
            quadrant=_("Quadrant"),
            index=_("Satisfaction index"),
            period=_("Period"),
            centre_line=_("Centre line"),
            upper_limit=_("Upper control limit"),
            lower_limit=_("Lower control limit"),
            signal=_("Signal"),
            no_signal=_("No signal"),
            not_judged=_("Not judged yet (too few answers so far)"),
            answers=_("Respondents"),
            ci_low=_("95% CI low"),
            ci_high=_("95% CI high"),
            too_few=_("Too few answers"),
            top=_("top 3"),
            bottom=_("bottom 3"),
            ranked=_("Ranked"),
        )


def _top_bottom(ranking: Ranking) -> dict[str, str]:
    """``top`` for the best three ranked units, ``bottom`` for the worst three (fewer when
    there are fewer than six, so no unit is both)."""
    ranked = [u for u in ranking.units if u.rank is not None]
    count = min(3, len(ranked) // 2)
    marks = {u.unit: "top" for u in ranked[:count]}
    marks.update({u.unit: "bottom" for u in ranked[len(ranked) - count :]} if count else {})
    return marks


# --- overview ---------------------------------------------------------------------------


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
    columns = (
        Column("rank", _("Rank"), "int"),
        Column("unit", titles[breakdown.column], "link"),
        Column("n", _("Respondents"), "int"),
        Column("index", _("Own index"), "number", 1),
        Column("shrunken", _("Fair index (shrunken)"), "number", 1),
        Column("mark", ""),
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
        ).format(n=breakdown.ranking.min_n),
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


def present_overview(
    ctx: PageContext, result: dashboard.Overview, staff_card: dashboard.StaffCard | None
) -> PageView:
    """The index with its change, the gap chart, the index's trend, the units one level down
    and the alerts the trend raises; a clerk's star card when the scope is one clerk."""
    _ = ctx._
    report = result.report
    view = PageView("overview", _("Overview"))
    view.figures.append(gap_figure(ctx, report))
    if result.trend is not None:
        view.figures.append(
            control_figure(
                ctx,
                "index-trend",
                _("Satisfaction index by month"),
                result.trend.index,
                result.trend,
            )
        )
    if result.children is not None:
        view.figures.append(ranking_figure(ctx, result.children))
    alerts = []
    for alert in result.alerts:
        series = (
            _("Satisfaction index") if alert.series == "index" else ctx.dimension_name(alert.series)
        )
        direction = _("up") if alert.signal.direction == "above" else _("down")
        alerts.append(
            {
                "series": series,
                "period": ctx.period_name(alert.signal.label),
                "rule": _(SIGNAL_RULES.get(alert.signal.rule, alert.signal.rule)),
                "direction": direction,
                "good": alert.signal.direction == "above",
            }
        )
    change = None
    if result.previous_index is not None and result.previous_index.n:
        change = number(report.index.value - result.previous_index.value)
    view.extra.update(
        report=report,
        previous_index=result.previous_index,
        change=change,
        alerts=alerts,
        weakest=_weakest(ctx, report),
        staff_card=staff_card,
    )
    return view


def _weakest(ctx: PageContext, report: ServqualReport) -> dict[str, Any] | None:
    weakest = dashboard.weakest_dimension(report)
    if weakest is None:
        return None
    return {"dimension": ctx.dimension_name(weakest[0]), "value": weakest[1]}


# --- items ------------------------------------------------------------------------------


def present_items(ctx: PageContext, report: ServqualReport) -> PageView:
    """Item-level gaps (or perceptions, or adequacy gaps) sorted from the worst."""
    _ = ctx._
    field_ = {"paired": "G", "three_column": "ADQ"}.get(report.mode, "P")
    value_title = {"G": _("Gap"), "ADQ": _("Adequacy gap"), "P": _("Perception")}[field_]
    items = sorted(
        report.items,
        key=lambda item: (
            not math.isfinite(item.means[field_].mean),
            item.means[field_].mean if math.isfinite(item.means[field_].mean) else 0.0,
        ),
    )
    rows, bars, muted = [], [], set()
    for i, item in enumerate(items):
        estimate = item.means[field_]
        low, high = (number(v) for v in estimate.ci95)
        row: dict[str, Any] = {
            "code": item.code,
            "dimension": ctx.dimension_name(item.dimension),
            "text": ctx.item_text(item.code),
            "value": number(estimate.mean),
            "low": low,
            "high": high,
            "n": estimate.n,
        }
        for key in ("E", "P", "MIN", "DES"):
            if key in item.means:
                row[key] = number(item.means[key].mean)
        rows.append(row)
        if not estimate.sufficient:
            muted.add(i)
        if row["value"] is not None and low is not None and high is not None:
            label = f"{item.code} {_short(row['text'])}"
            bars.append(
                charts.ItemGapRow(
                    label, row["value"], low, high, estimate.n, not estimate.sufficient
                )
            )
    field_columns = [
        Column(key, title, "number")
        for key, title in (
            ("E", _("Expectation")),
            ("MIN", _("Minimum")),
            ("DES", _("Desired")),
            ("P", _("Perception")),
        )
        if any(key in row for row in rows) and key != field_
    ]
    columns = (
        Column("code", _("Item")),
        Column("dimension", _("Dimension")),
        Column("text", _("Question")),
        *field_columns,
        Column("value", value_title, "number"),
        Column("low", _("95% CI low"), "number"),
        Column("high", _("95% CI high"), "number"),
        Column("n", _("Respondents"), "int"),
    )
    title = _("Items from the worst")
    table = Table("items", title, columns, rows, muted_rows=frozenset(muted))
    spec = charts.item_gap_chart(bars, ctx.chart_text(), value_title=value_title)
    view = PageView("items", _("Items"))
    view.figures.append(Figure("items", title, spec, table, charts.expected_marks(bars)))
    view.extra["report"] = report
    return view


def _short(text: str, limit: int = 18) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- importance–performance -------------------------------------------------------------


def importance_choice(ctx: PageContext) -> str:
    """Stated importance (the points customers gave) unless the reader chose derived."""
    return ctx.options.get("importance", "stated")


def present_importance(ctx: PageContext, report: ServqualReport) -> PageView:
    """The importance–performance grid with stated or derived importance."""
    _ = ctx._
    use = importance_choice(ctx)
    quadrant_names = {
        "concentrate_here": _("Concentrate here"),
        "keep_up_the_good_work": _("Keep up the good work"),
        "low_priority": _("Low priority"),
        "possible_overkill": _("Possible overkill"),
        "": "",
    }
    rows, points = [], []
    for code, entry in report.ipa.items():
        importance = entry.stated_importance if use == "stated" else entry.derived_importance
        row: dict[str, Any] = {
            "dimension": ctx.dimension_name(code),
            "stated": number(entry.stated_importance),
            "derived": number(entry.derived_importance),
            "performance": number(entry.performance),
            "quadrant": quadrant_names.get(entry.quadrant, entry.quadrant),
        }
        rows.append(row)
        if number(importance) is not None and number(entry.performance) is not None:
            points.append(
                charts.IpaPoint(row["dimension"], importance, entry.performance, row["quadrant"])
            )
    columns = (
        Column("dimension", _("Dimension")),
        Column("stated", _("Stated importance"), "number", 3),
        Column("derived", _("Derived importance"), "number", 3),
        Column("performance", _("Performance (perception)"), "number"),
        Column("quadrant", _("Quadrant")),
    )
    title = _("Importance and performance")
    table = Table("importance", title, columns, rows)
    mean_importance = _mean([p.importance for p in points])
    mean_performance = _mean([p.performance for p in points])
    spec = charts.ipa_chart(
        points,
        ctx.chart_text(),
        importance_mean=mean_importance,
        performance_mean=mean_performance,
    )
    view = PageView("importance", _("Importance"))
    view.figures.append(Figure("importance", title, spec, table, charts.expected_marks(points)))
    view.extra.update(
        report=report,
        importance=use,
        no_points=not points,
    )
    return view


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan


# --- trends -----------------------------------------------------------------------------


def trend_grain(ctx: PageContext) -> str:
    """The grain the reader chose (a month by default); months where weeks are not kept
    (counters, clerks and languages keep months only)."""
    grain = ctx.options.get("grain", "month")
    if grain == "week" and scope_query(ctx.scope).level == "place":
        return "month"
    return grain


def present_trends(ctx: PageContext, trend: TrendReport | None) -> PageView:
    """The index and each dimension per week, month or quarter on control charts."""
    _ = ctx._
    view = PageView("trends", _("Trends"))
    grain = trend_grain(ctx)
    if grain != ctx.options.get("grain", "month"):
        view.extra["grain_note"] = _(
            "Weekly figures are kept for whole sites only; showing months instead."
        )
    view.extra["grain"] = grain
    if trend is None:
        return view
    field_title = {"G": _("gap"), "P": _("perception"), "ADQ": _("adequacy gap")}[trend.field]
    axis_title = {"G": _("Gap"), "P": _("Perception"), "ADQ": _("Adequacy gap")}[trend.field]
    view.figures.append(control_figure(ctx, "index", _("Satisfaction index"), trend.index, trend))
    for code, chart in trend.dimensions.items():
        title = f"{ctx.dimension_name(code)} ({field_title})"
        view.figures.append(
            control_figure(ctx, f"dim-{code}", title, chart, trend, value_title=axis_title)
        )
    return view


# --- rankings ---------------------------------------------------------------------------


def present_rankings(ctx: PageContext, breakdowns: list[Breakdown]) -> PageView:
    """Each level below the scope (sites, counters, clerks) ranked by the shrunken index."""
    _ = ctx._
    view = PageView("rankings", _("Rankings"))
    for breakdown in breakdowns:
        view.figures.append(ranking_figure(ctx, breakdown))
    return view


# --- comments ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CommentSearch:
    """What the reader asked of the comments: words, a dimension scored low, and where the
    page starts (the cursor of the previous page's last comment)."""

    search: str | None
    low_dimension: str | None
    before: str | None


def comment_search(ctx: PageContext) -> CommentSearch:
    options = ctx.options
    return CommentSearch(
        options.get("q") or None, options.get("dimension") or None, options.get("before") or None
    )


def present_comments(
    ctx: PageContext, comments: list[CustomerComment], next_before: str | None
) -> PageView:
    """The customers' comments, newest first, searchable, by dimension of low score."""
    _ = ctx._
    asked = comment_search(ctx)
    rows = [
        {
            "when": comment.submitted_at.astimezone(ctx.timezone).strftime("%Y-%m-%d %H:%M"),
            "place": f"{comment.site_name} · {comment.counter_name}",
            "staff": comment.staff_name or "",
            "language": i18n.LOCALE_NAMES.get(comment.locale, comment.locale),
            "overall": comment.overall,
            "low": ", ".join(ctx.dimension_name(code) for code in comment.low_dimensions),
            "comment": comment.comment,
        }
        for comment in comments
    ]
    columns = (
        Column("when", _("When")),
        Column("place", _("Where")),
        Column("staff", _("Staff member")),
        Column("language", _("Language")),
        Column("overall", _("Overall rating"), "int"),
        Column("low", _("Low scores")),
        Column("comment", _("Comment")),
    )
    view = PageView("comments", _("Comments"))
    view.tables.append(Table("comments", _("Customers' comments"), columns, rows))
    view.extra.update(
        search=asked.search or "",
        dimension=asked.low_dimension or "",
        next_before=None if ctx.export else next_before,
        dimensions=[(code, ctx.dimension_name(code)) for code in ctx.spec.dimension_codes],
    )
    return view


# --- reliability ------------------------------------------------------------------------


def present_reliability(ctx: PageContext, result: dashboard.Reliability) -> PageView:
    """Cronbach's alpha per dimension and the factor-structure check, in plain words."""
    _ = ctx._
    report = result.report
    alpha_available = scope_query(ctx.scope).level == "site"
    rows = []
    for dimension in report.dimensions:
        row: dict[str, Any] = {"dimension": ctx.dimension_name(dimension.code)}
        for key, alpha in dimension.alpha.items():
            row[f"{key}_alpha"] = number(alpha.alpha) if alpha_available else None
            row[f"{key}_low"], row[f"{key}_high"] = (
                (number(alpha.ci[0]), number(alpha.ci[1])) if alpha_available else (None, None)
            )
            row["k"] = alpha.k
            row["n"] = alpha.n if alpha_available else None
        rows.append(row)
    weak = [
        {"dimension": ctx.dimension_name(code), "alpha": alpha}
        for code, alpha in (result.weak_dimensions if alpha_available else [])
    ]
    fields = [key for key in ("E", "P", "G") if any(f"{key}_alpha" in r for r in rows)]
    names = {"E": _("Expectation"), "P": _("Perception"), "G": _("Gap")}
    columns = (
        Column("dimension", _("Dimension")),
        Column("k", _("Items"), "int"),
        *(
            column
            for key in fields
            for column in (
                Column(f"{key}_alpha", _("Alpha: {field}").format(field=names[key]), "number"),
                Column(f"{key}_low", _("95% CI low"), "number"),
                Column(f"{key}_high", _("95% CI high"), "number"),
            )
        ),
        Column("n", _("Respondents (complete)"), "int"),
    )
    view = PageView("reliability", _("Reliability"))
    view.tables.append(Table("alpha", _("Cronbach's alpha per dimension"), columns, rows))
    factors = result.factors
    factor_rows = []
    if factors is not None and not factors.insufficient:
        codes = ctx.spec.items
        for fit in factors.items:
            code = codes[fit.item].code
            factor_rows.append(
                {
                    "item": code,
                    "text": ctx.item_text(code),
                    "intended": ctx.dimension_name(str(fit.intended)),
                    "assigned": ctx.dimension_name(str(fit.assigned)),
                    "loading": number(fit.loading),
                    "ok": _("yes") if fit.ok else _("no"),
                }
            )
        view.tables.append(
            Table(
                "factors",
                _("Does each question go with its own dimension?"),
                (
                    Column("item", _("Item")),
                    Column("text", _("Question")),
                    Column("intended", _("Its dimension")),
                    Column("assigned", _("Answers go with")),
                    Column("loading", _("Loading"), "number"),
                    Column("ok", _("As intended")),
                ),
                factor_rows,
                marks={i: "bottom" for i, fit in enumerate(factors.items) if not fit.ok},
            )
        )
    view.extra.update(
        weak=weak,
        alpha_available=alpha_available,
        factors=factors,
        sample_size=result.sample_size,
        structure_questioned=result.structure_questioned,
        alpha_floor=ACCEPTABLE_ALPHA,
    )
    return view
