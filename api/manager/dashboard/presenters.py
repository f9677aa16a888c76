"""The dashboard's pages as data: their figures (chart + table) and tables.

Each presenter is a pure function: it turns the results of :mod:`survey.stats.dashboard`
(read by :mod:`api.manager.dashboard.pages`) into a :class:`PageView` in the reader's
language, without a database session. The page template renders the view, and the export
routes take a table or a chart from the very same view, so downloads match the page.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from analytics.reliability import ACCEPTABLE_ALPHA
from analytics.report import ServqualReport
from analytics.trends import TrendReport
from api import charts, i18n
from api.exports.report_json import number
from api.exports.tables import Column, Table
from api.manager.dashboard.context import Figure, PageContext, PageView
from api.manager.dashboard.figures import (
    SIGNAL_RULES,
    control_figure,
    gap_figure,
    ranking_figure,
)
from survey.lifecycle.actions import signal_key
from survey.models import ActionState, CorrectiveAction
from survey.stats import dashboard
from survey.stats.comments import CustomerComment
from survey.stats.dashboard import Breakdown
from survey.stats.reports import scope_query

# --- overview ---------------------------------------------------------------------------


def present_overview(
    ctx: PageContext,
    result: dashboard.Overview,
    staff_card: dashboard.StaffCard | None,
    actions: Sequence[CorrectiveAction] = (),
) -> PageView:
    """The index with its change, the gap chart, the index's trend, the units one level down
    and the alerts the trend raises, each with the corrective action it opened (signals are
    judged campaign-wide, so only the organisation's page links them); the campaign's
    actions still running; a clerk's star card when the scope is one clerk."""
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
    campaign_id = ctx.places.campaign.id or 0
    by_key = {action.trigger_key: action for action in actions}
    alerts = []
    for alert in result.alerts:
        action = (
            by_key.get(signal_key(campaign_id, alert.series, alert.signal.label))
            if ctx.places.level == "organisation"
            else None
        )
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
                "action_id": action.id if action is not None else None,
                "n": _respondents_at(result.trend, alert.signal.index),
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
        running_actions=[a for a in actions if a.state != ActionState.effective],
        weakest=_weakest(ctx, report),
        staff_card=staff_card,
    )
    return view


def _respondents_at(trend: TrendReport | None, index: int) -> int | None:
    """How many answered in the trend's ``index``-th period (shown with its alert)."""
    if trend is None or not 0 <= index < len(trend.n_respondents):
        return None
    return trend.n_respondents[index]


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
