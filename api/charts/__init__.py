"""The dashboard's charts: Vega-Lite specs, their static rendering and the browser bundle.

A presenter turns report objects into the rows of :mod:`api.charts.rows` (labels already
translated), calls one ``*_chart`` function per figure and embeds the returned spec as
JSON; ``api/static/dashboard.js`` draws it with the bundle served by
:mod:`api.public.assets`, and :func:`chart_svg` / :func:`chart_png` draw it for exports.
"""

from api.charts.render import (
    STATIC_WIDTH,
    VEGA_BUNDLE_VERSION,
    VL_VERSION,
    chart_png,
    chart_svg,
    static_spec,
    vega_bundle,
)
from api.charts.rows import ChartText, ControlPoint, GapRow, IpaPoint, ItemGapRow, RankRow, ZoneRow
from api.charts.specs import (
    CHART_COLOURS,
    OKABE_ITO,
    PRIMARY,
    PRIMARY_SELECTOR,
    ChartRow,
    control_chart,
    expected_marks,
    gap_chart,
    ipa_chart,
    item_gap_chart,
    mark_selector,
    ranking_chart,
    tolerance_chart,
)
from api.charts.words import translated_chart_text

__all__ = [
    "CHART_COLOURS",
    "OKABE_ITO",
    "PRIMARY",
    "PRIMARY_SELECTOR",
    "STATIC_WIDTH",
    "VEGA_BUNDLE_VERSION",
    "VL_VERSION",
    "ChartRow",
    "ChartText",
    "ControlPoint",
    "GapRow",
    "IpaPoint",
    "ItemGapRow",
    "RankRow",
    "ZoneRow",
    "chart_png",
    "chart_svg",
    "control_chart",
    "expected_marks",
    "gap_chart",
    "ipa_chart",
    "item_gap_chart",
    "mark_selector",
    "ranking_chart",
    "static_spec",
    "tolerance_chart",
    "translated_chart_text",
    "vega_bundle",
]
