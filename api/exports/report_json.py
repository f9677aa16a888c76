"""The JSON shape of a SERVQUAL report (``manyi analyze --format json``, exports).

Field codes become words (``P`` → ``perception``, ``G`` → ``gap``); a number that cannot be
computed (too few answers, no variance) is ``null``, never NaN, so any JSON reader takes it.
The schema is documented in the README under "manyi analyze".
"""

import math
from typing import Any

from analytics.control import ControlChart
from analytics.factors import FactorStructure
from analytics.intervals import MeanEstimate
from analytics.rankings import Ranking
from analytics.report import ServqualReport
from analytics.trends import TrendReport
from survey.stats.analysis import Analysis

FIELD_NAMES = {
    "P": "perception",
    "E": "expectation",
    "G": "gap",
    "MIN": "minimum",
    "DES": "desired",
    "ADQ": "adequacy_gap",
    "SUP": "superiority_gap",
}
SCHEMA_VERSION = 1


def number(value: float | int | None) -> float | int | None:
    """A JSON number, or None for NaN and infinities."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return None if math.isnan(value) or math.isinf(value) else float(value)


def pair(values: tuple[float, float]) -> list[float | int | None]:
    return [number(values[0]), number(values[1])]


def estimate_json(estimate: MeanEstimate) -> dict[str, Any]:
    return {
        "mean": number(estimate.mean),
        "ci95": pair(estimate.ci95),
        "n": estimate.n,
        "sd": number(estimate.sd),
        "sufficient": estimate.sufficient,
    }


def report_json(report: ServqualReport) -> dict[str, Any]:
    """The report as plain JSON types."""
    dimensions: dict[str, Any] = {}
    for dimension in report.dimensions:
        entry: dict[str, Any] = {
            FIELD_NAMES[f]: estimate_json(e) for f, e in dimension.scores.items()
        }
        entry["item_rule"] = {
            FIELD_NAMES[f]: estimate_json(e) for f, e in dimension.item_rule.items()
        }
        entry["alpha"] = {FIELD_NAMES[f]: number(a.alpha) for f, a in dimension.alpha.items()}
        entry["alpha_detail"] = {
            FIELD_NAMES[f]: {"alpha": number(a.alpha), "ci95": pair(a.ci), "n": a.n, "k": a.k}
            for f, a in dimension.alpha.items()
        }
        if dimension.zone is not None:
            entry["zone_of_tolerance"] = {
                "minimum": number(dimension.zone.minimum),
                "desired": number(dimension.zone.desired),
                "perception": number(dimension.zone.perception),
                "position": dimension.zone.position,
            }
        dimensions[dimension.code] = entry
    items: dict[str, Any] = {}
    for item in report.items:
        item_entry: dict[str, Any] = {"dimension": item.dimension}
        item_entry.update({FIELD_NAMES[f]: estimate_json(e) for f, e in item.means.items()})
        if item.zone is not None:
            item_entry["zone_of_tolerance"] = {
                "minimum": number(item.zone.minimum),
                "desired": number(item.zone.desired),
                "position": item.zone.position,
            }
        items[item.code] = item_entry
    result: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "mode": report.mode,
        "n_respondents": report.n_respondents,
        "min_n": report.min_n,
        "dimensions": dimensions,
        "items": items,
        "servqual": None
        if report.servqual is None
        else {
            "unweighted": number(report.servqual.unweighted),
            "weighted": number(report.servqual.weighted),
        },
        "importance": {code: number(w) for code, w in report.importance.items()},
        "importance_source": report.importance_source,
        "n_importance": report.n_importance,
        "stated_importance": {c: number(v) for c, v in report.stated_importance.items()},
        "derived_importance": {c: number(v) for c, v in report.derived_importance.items()},
        "index": index_json(report.index),
        "weighted_indices": {index.method: index_json(index) for index in report.weighted_indices},
        "ipa": {
            code: {
                "derived_importance": number(r.derived_importance),
                "stated_importance": number(r.stated_importance),
                "performance": number(r.performance),
                "quadrant": r.quadrant or None,
            }
            for code, r in report.ipa.items()
        },
        "overall": estimate_json(report.overall),
    }
    return result


def index_json(index: Any) -> dict[str, Any]:
    return {
        "value": number(index.value),
        "ci95": pair(index.ci95),
        "n": index.n,
        "method": index.method,
        "version": index.version,
    }


def chart_json(chart: ControlChart) -> dict[str, Any]:
    """One control chart: its centre line and limits, per period the value and EWMA."""
    return {
        "centre": number(chart.centre),
        "sigma": number(chart.sigma),
        "upper": number(chart.upper),
        "lower": number(chart.lower),
        "points": [
            {
                "period": p.label,
                "value": number(p.value),
                "ewma": number(p.ewma),
                "ewma_limits": [number(p.ewma_lower), number(p.ewma_upper)],
            }
            for p in chart.points
        ],
        "signals": [
            {
                "period": s.label,
                "rule": s.rule,
                "direction": s.direction,
                "value": number(s.value),
            }
            for s in chart.signals
        ],
    }


def trend_json(trend: TrendReport) -> dict[str, Any]:
    """Per period the index (with n), its chart, and a chart per dimension."""
    return {
        "periods": [
            {"period": label, "n": n}
            for label, n in zip(trend.periods, trend.n_respondents, strict=True)
        ],
        "index": chart_json(trend.index),
        "dimension_field": FIELD_NAMES[trend.field],
        "dimensions": {code: chart_json(chart) for code, chart in trend.dimensions.items()},
    }


def analysis_json(analysis: Analysis) -> dict[str, Any]:
    """A file's report with its trend (if it has periods) and its groups (``--by``)."""
    result = report_json(analysis.report)
    if analysis.trend is not None:
        result["trend"] = trend_json(analysis.trend)
    if analysis.groups:
        result["groups"] = {
            column: {value: analysis_json(part) for value, part in parts.items()}
            for column, parts in analysis.groups.items()
        }
    if analysis.factors is not None:
        result["factor_check"] = factors_json(analysis.factors, analysis.report)
    if analysis.rankings:
        result["rankings"] = {
            column: ranking_json(ranking) for column, ranking in analysis.rankings.items()
        }
    return result


def factors_json(factors: FactorStructure, report: ServqualReport) -> dict[str, Any]:
    """Does each perception item load highest on its own dimension's factor?"""
    codes = [item.code for item in report.items]
    return {
        "method": "factor_analysis_varimax",
        "n": factors.n_used,
        "insufficient": factors.insufficient,
        "reason": factors.reason,
        "share_ok": number(factors.share_ok),
        "items": {
            codes[fit.item]: {
                "intended": fit.intended,
                "assigned": fit.assigned,
                "loading": number(fit.loading),
                "ok": fit.ok,
            }
            for fit in factors.items
        },
    }


def ranking_json(ranking: Ranking) -> dict[str, Any]:
    """A fair ranking: units in rank order, unranked (too few answers) last."""
    return {
        "method": ranking.method,
        "parent_index": number(ranking.parent_index),
        "prior_weight": number(ranking.prior_weight),
        "min_n": ranking.min_n,
        "units": [
            {
                "unit": unit.unit,
                "n": unit.n,
                "index": number(unit.index),
                "shrunken_index": number(unit.shrunken_index),
                "rank": unit.rank,
            }
            for unit in ranking.units
        ],
    }
