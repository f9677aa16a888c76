"""The dashboard's charts as Vega-Lite specs, built declaratively with altair.

Each ``*_chart`` function returns a plain ``dict`` (Vega-Lite 6) that the page embeds as
JSON for vega-embed and that :mod:`api.charts.render` turns into SVG or PNG. Specs are
built per request, so they skip altair's schema validation (``validate=False``) and keep
the rows out of altair (see :func:`_source`); the tests validate every chart against the
Vega-Lite schema.

Every chart fills the width of its container, uses only the Okabe–Ito colours (two
series never differ by red against green alone), a font stack with Noto Sans CJK for
Chinese labels and a top-level ``description`` for screen readers.

Counting marks: the data layer each chart is about is named ``"primary"``; vega draws it
as ``<g class="mark-… role-mark primary_marks">`` with one child element per datum, so
``PRIMARY_SELECTOR`` finds exactly :func:`expected_marks` elements, in the browser as
in :func:`api.charts.render.chart_svg`. Secondary layers are named likewise (the
``*_LAYER`` constants; select them with :func:`mark_selector`).
"""

import functools
import json
import math
from collections.abc import Iterable, Sequence
from typing import Any, Final

import altair as alt

from api.charts.rows import ChartText, ControlPoint, GapRow, IpaPoint, ItemGapRow, RankRow, ZoneRow

BLUE: Final = "#0072B2"
ORANGE: Final = "#E69F00"
GREEN: Final = "#009E73"
VERMILLION: Final = "#D55E00"
PURPLE: Final = "#CC79A7"
SKY_BLUE: Final = "#56B4E9"
YELLOW: Final = "#F0E442"
GREY: Final = "#999999"
BLACK: Final = "#000000"
#: Okabe & Ito (2008), "Color Universal Design": distinguishable with any colour vision.
OKABE_ITO: Final = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE, YELLOW)
#: Every colour a chart may use: the palette, grey for "not enough data", black for text.
CHART_COLOURS: Final = frozenset((*OKABE_ITO, GREY, BLACK))
SHAPES: Final = ("circle", "square", "diamond", "triangle-up", "triangle-down", "cross")
FONT: Final = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", '
    '"Microsoft YaHei", "DejaVu Sans", sans-serif'
)
#: Pixels per bar of the horizontal bar charts, whose height grows with their rows.
BAR_HEIGHT: Final = 26
#: Pixels a legend entry may take before it is cut with an ellipsis (Vega's default is 160).
LEGEND_LABEL_LIMIT: Final = 400
HEIGHT: Final = 320
SOLID: Final = (1.0, 0.0)
DASHED: Final = (5.0, 4.0)

#: Font, palette and ARIA settings shared by every chart (see :func:`_finish`). Axis and
#: legend text is black, never a light grey, so it meets WCAG AA contrast on white.
CONFIG: Final = alt.Config(
    font=FONT,
    axis=alt.AxisConfig(labelColor=BLACK, titleColor=BLACK),
    legend=alt.LegendConfig(labelColor=BLACK, titleColor=BLACK),
    aria=False,
    range=alt.RangeConfig(category=list(OKABE_ITO)),
    mark=alt.MarkConfig(color=BLUE, aria=False),
    view=alt.ViewConfig(stroke=None),
)

PRIMARY: Final = "primary"
GAP_LABELS_LAYER: Final = "gap_labels"
PERCEPTION_LAYER: Final = "perception"
ERROR_BARS_LAYER: Final = "error_bars"
POINT_LABELS_LAYER: Final = "point_labels"
IMPORTANCE_MEAN_LAYER: Final = "importance_mean"
PERFORMANCE_MEAN_LAYER: Final = "performance_mean"
TREND_LINE_LAYER: Final = "trend_line"
LIMITS_LAYER: Final = "limits"
LIMIT_LABELS_LAYER: Final = "limit_labels"

Record = dict[str, Any]
ChartRow = GapRow | ZoneRow | ItemGapRow | IpaPoint | ControlPoint | RankRow


def mark_selector(layer: str) -> str:
    """The CSS selector of the elements vega draws for the layer named ``layer``.

    Vega names a Vega-Lite unit called ``x`` ``x_marks`` and renders it as a ``g`` whose
    children are one ``path`` (bar, point), ``line`` (rule) or ``text`` per datum.
    """
    return f"g.role-mark.{layer}_marks > *"


PRIMARY_SELECTOR: Final = mark_selector(PRIMARY)


def expected_marks(rows: Iterable[ChartRow]) -> int:
    """How many elements ``PRIMARY_SELECTOR`` finds once a chart of ``rows`` is drawn.

    A mark is drawn when all the numbers it needs are available: two bars per gap row
    (one in perception-only campaigns), one point per control period with a value, one
    band, bar or point for every other row.
    """
    return sum(
        all(_number(value) is not None for value in needed)
        for row in rows
        for needed in _primary_mark_values(row)
    )


def _primary_mark_values(row: ChartRow) -> list[tuple[float | None, ...]]:
    """Per primary mark of ``row``, the numbers it is drawn from."""
    if isinstance(row, GapRow):
        return [(row.expectation,), (row.perception,)]
    if isinstance(row, ZoneRow):
        return [(row.minimum, row.desired)]
    if isinstance(row, IpaPoint):
        return [(row.importance, row.performance)]
    return [(row.value,)]


def gap_chart(
    rows: Sequence[GapRow], text: ChartText = ChartText(), *, description: str | None = None
) -> dict[str, Any]:
    """Per dimension, expectation and perception bars side by side, the gap written beside.

    Horizontal grouped bars (labels of any length stay readable on a tablet); expectation
    orange, perception blue, and the two also differ by position within the group. The
    gap P − E is a signed number after the longer bar. Rows without an expectation
    (perception-only campaigns) get only the perception bar and no gap.
    """
    series = [text.expectation, text.perception]
    if all(_number(row.expectation) is None for row in rows):
        series = [text.perception]
    tooltip = [
        alt.Tooltip("label:N", title=text.dimension),
        alt.Tooltip("perception:Q", title=text.perception, format=".2f"),
    ]
    if len(series) > 1:
        tooltip[1:1] = [alt.Tooltip("expectation:Q", title=text.expectation, format=".2f")]
        tooltip.append(alt.Tooltip("gap:Q", title=text.gap, format="+.2f"))
    bars = (
        _source(PRIMARY)
        .mark_bar()
        .encode(
            y=_category_axis(text.dimension),
            yOffset=alt.YOffset("series:N", sort=series, scale=alt.Scale(domain=series)),
            x=alt.X("value:Q", title=text.score),
            color=_legend_colour("series", series, [ORANGE, BLUE][-len(series) :]),
            tooltip=tooltip,
        )
    )
    gaps = (
        _source(GAP_LABELS_LAYER)
        .mark_text(align="left", dx=4, color=BLACK)
        .encode(
            y=_category_axis(text.dimension),
            x=alt.X("end:Q"),
            text=alt.Text("gap:Q", format="+.2f"),
        )
    )
    data = {PRIMARY: _gap_bar_records(rows, text)}
    if len(series) == 1:
        height = _bars_height(len(rows))
        return _finish([bars], data, _describe(series, rows, description), height=height)
    data[GAP_LABELS_LAYER] = _gap_label_records(rows)
    terms = [*series, text.gap]
    height = _bars_height(2 * len(rows))
    return _finish([bars, gaps], data, _describe(terms, rows, description), height=height)


def _gap_bar_records(rows: Sequence[GapRow], text: ChartText) -> list[Record]:
    """One record per bar: the dimension, which series, its value and the whole summary."""
    records = []
    for row in rows:
        summary = {
            "label": row.label,
            "expectation": _number(row.expectation),
            "perception": _number(row.perception),
            "gap": _number(row.gap),
        }
        if summary["expectation"] is not None:
            records.append({**summary, "series": text.expectation, "value": summary["expectation"]})
        records.append({**summary, "series": text.perception, "value": summary["perception"]})
    return records


def _gap_label_records(rows: Sequence[GapRow]) -> list[Record]:
    """One record per known gap, placed at the end of the dimension's longer bar."""
    records = []
    for row in rows:
        gap = _number(row.gap)
        if gap is None:
            continue
        ends = [v for v in (_number(row.expectation), _number(row.perception)) if v is not None]
        records.append({"label": row.label, "gap": gap, "end": max(ends, default=0.0)})
    return records


def tolerance_chart(
    rows: Sequence[ZoneRow], text: ChartText = ChartText(), *, description: str | None = None
) -> dict[str, Any]:
    """Per dimension the zone of tolerance (a band from minimum to desired) and perception.

    The band is orange, the perception a blue diamond: a diamond left of its band means
    service below the adequate level, right of it service beyond what is desired.
    """
    records = [
        {
            "label": row.label,
            "minimum": _number(row.minimum),
            "desired": _number(row.desired),
            "perception": _number(row.perception),
        }
        for row in rows
    ]
    series = [text.tolerance_zone, text.perception]
    colour = _legend_colour("series", series, [ORANGE, BLUE])
    tooltip = [
        alt.Tooltip("label:N", title=text.dimension),
        alt.Tooltip("minimum:Q", title=text.minimum, format=".2f"),
        alt.Tooltip("desired:Q", title=text.desired, format=".2f"),
        alt.Tooltip("perception:Q", title=text.perception, format=".2f"),
    ]
    bands = (
        _source(PRIMARY)
        .mark_bar(height=alt.RelativeBandSize(band=0.6))
        .encode(
            y=_category_axis(text.dimension),
            x=alt.X("minimum:Q", title=text.score, scale=alt.Scale(zero=False, padding=12)),
            x2=alt.X2("desired:Q"),
            color=colour,
            tooltip=tooltip,
        )
    )
    perception = (
        _source(PERCEPTION_LAYER)
        .mark_point(shape="diamond", filled=True, size=160, opacity=1)
        .encode(
            y=_category_axis(text.dimension),
            x=alt.X("perception:Q"),
            color=colour,
            tooltip=tooltip,
        )
    )
    # The series travels in the data (not a calculate expression): labels are user text.
    data = {
        PRIMARY: [{**r, "series": series[0]} for r in records],
        PERCEPTION_LAYER: [{**r, "series": series[1]} for r in records],
    }
    height = _bars_height(len(rows))
    return _finish([bands, perception], data, _describe(series, rows, description), height=height)


def item_gap_chart(
    rows: Sequence[ItemGapRow],
    text: ChartText = ChartText(),
    *,
    value_title: str,
    description: str | None = None,
) -> dict[str, Any]:
    """Per item a horizontal bar of its gap (or perception) with its 95 % confidence interval.

    Items keep the caller's order (worst first, at the top); an item with too few answers
    is drawn grey, as the legend says. ``value_title`` names the value axis.
    """
    status = [value_title, text.too_few]
    records = [
        {
            "label": row.label,
            "value": _number(row.value),
            "low": _number(row.low),
            "high": _number(row.high),
            "n": row.n,
            "status": status[row.insufficient],
        }
        for row in rows
    ]
    tooltip = [
        alt.Tooltip("label:N", title=text.item),
        alt.Tooltip("value:Q", title=value_title, format=".2f"),
        alt.Tooltip("low:Q", title=text.ci_low, format=".2f"),
        alt.Tooltip("high:Q", title=text.ci_high, format=".2f"),
        alt.Tooltip("n:Q", title=text.answers),
    ]
    present = [s for s in status if any(r["status"] == s for r in records)] or status[:1]
    colours = [GREY if s == text.too_few else BLUE for s in present]
    bars = (
        _source(PRIMARY)
        .mark_bar()
        .encode(
            y=_category_axis(text.item),
            x=alt.X("value:Q", title=value_title),
            color=_legend_colour("status", present, colours),
            tooltip=tooltip,
        )
    )
    error_bars = (
        _source(PRIMARY, name=ERROR_BARS_LAYER)
        .mark_rule(color=BLACK, strokeWidth=1.5)
        .encode(y=_category_axis(text.item), x=alt.X("low:Q"), x2=alt.X2("high:Q"), tooltip=tooltip)
    )
    data = {PRIMARY: records}
    height = _bars_height(len(rows))
    return _finish(
        [bars, error_bars], data, _describe([value_title], rows, description), height=height
    )


def ipa_chart(
    points: Sequence[IpaPoint],
    text: ChartText = ChartText(),
    *,
    importance_mean: float | None,
    performance_mean: float | None,
    quadrants: Sequence[str] = (),
    description: str | None = None,
) -> dict[str, Any]:
    """Importance against performance per dimension, split into quadrants by the means.

    Each point is labelled with its dimension and coloured and shaped by its quadrant;
    dashed grey rules at the mean importance and the mean performance mark the quadrant
    borders (a mean that is not available draws no rule). ``quadrants`` fixes the order in
    which quadrant names get colours (default: order of appearance), so one quadrant
    keeps its colour from page to page.
    """
    records = [
        {
            "label": p.label,
            "importance": _number(p.importance),
            "performance": _number(p.performance),
            "quadrant": p.quadrant,
        }
        for p in points
    ]
    names = list(dict.fromkeys([*quadrants, *(p.quadrant for p in points)]))
    x = alt.X("importance:Q", title=text.importance, scale=alt.Scale(zero=False, padding=12))
    y = alt.Y("performance:Q", title=text.performance, scale=alt.Scale(zero=False, padding=12))
    scatter = (
        _source(PRIMARY)
        .mark_point(filled=True, size=110, opacity=1)
        .encode(
            x=x,
            y=y,
            color=_legend_colour("quadrant", names, _cycle(OKABE_ITO, len(names)), text.quadrant),
            shape=alt.Shape(
                "quadrant:N",
                scale=alt.Scale(domain=names, range=_cycle(SHAPES, len(names))),
                title=text.quadrant,
            ),
            tooltip=[
                alt.Tooltip("label:N", title=text.dimension),
                alt.Tooltip("importance:Q", title=text.importance, format=".2f"),
                alt.Tooltip("performance:Q", title=text.performance, format=".2f"),
                alt.Tooltip("quadrant:N", title=text.quadrant),
            ],
        )
    )
    labels = (
        _source(PRIMARY, name=POINT_LABELS_LAYER)
        .mark_text(align="left", dx=8, color=BLACK)
        .encode(x=x, y=y, text=alt.Text("label:N"))
    )
    layers, data = [scatter, labels], {PRIMARY: records}
    for name, channel, mean in (
        (IMPORTANCE_MEAN_LAYER, alt.X("value:Q"), importance_mean),
        (PERFORMANCE_MEAN_LAYER, alt.Y("value:Q"), performance_mean),
    ):
        if (value := _number(mean)) is not None:
            layers.append(_mean_rule(name, channel))
            data[name] = [{"value": value}]
    terms = [text.importance, text.performance]
    return _finish(layers, data, _describe(terms, points, description), height=HEIGHT)


def _mean_rule(name: str, position: alt.X | alt.Y) -> alt.Chart:
    """A dashed grey rule across the plot at the value of dataset ``name``."""
    rule: alt.Chart = _source(name).mark_rule(color=GREY, strokeDash=list(DASHED)).encode(position)
    return rule


def control_chart(
    points: Sequence[ControlPoint],
    text: ChartText = ChartText(),
    *,
    centre: float | None,
    upper: float | None,
    lower: float | None,
    title: str = "",
    value_title: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """The value per period as a line with points, and the chart's centre line and limits.

    A period without a value keeps its place on the time axis and breaks the line (it
    is not drawn as zero). Signalled points are larger vermillion diamonds, the others
    blue circles, so colour, shape and size all tell them apart; the period still running is
    drawn hollow, and named "not judged yet" while it has too few answers. The centre line (solid)
    and the control limits (dashed) are grey rules named in the right margin; a line that
    could not be computed (``None`` or NaN) is left out. ``value_title`` names the value
    axis (default ``text.index``).
    """
    records = [
        {
            "label": p.label,
            "value": _number(p.value),
            "status": _status(p, text),
            "signal": p.signal,
            "running": p.running,
        }
        for p in points
    ]
    value_title = value_title or text.index
    limits = _limit_records(text, centre=centre, upper=upper, lower=lower)
    kinds = tuple((str(r["kind"]), tuple(r["dash"])) for r in limits)
    unjudged = any(not p.judged for p in points)
    layout = _control_layout(text, value_title, title, kinds, unjudged)
    spec: dict[str, Any] = json.loads(layout)
    spec["description"] = _describe([title or value_title, text.period], points, description)
    spec["datasets"] = {PRIMARY: records, **({LIMITS_LAYER: limits} if limits else {})}
    return spec


@functools.lru_cache(maxsize=256)
def _control_layout(
    text: ChartText,
    value_title: str,
    title: str,
    kinds: tuple[tuple[str, tuple[float, ...]], ...],
    unjudged: bool,
) -> str:
    """The control chart without its data, as JSON: it depends only on the words, on
    which lines exist and on whether a point is not judged (a legend entry of its own), so
    a page of charts builds each layout once (altair's ``to_dict`` costs milliseconds; the
    trends page draws seven of these)."""
    status = [text.no_signal, text.signal, text.not_judged][: 3 if unjudged else 2]
    colours = [BLUE, VERMILLION, BLUE][: len(status)]
    point_shapes = ["circle", "diamond", "circle"][: len(status)]
    status_colour = alt.Scale(domain=status, range=colours)
    x = alt.X("label:O", sort=None, title=text.period, axis=alt.Axis(labelAngle=0))
    y = alt.Y("value:Q", title=value_title, scale=alt.Scale(zero=False, padding=12))
    line = (
        _source(PRIMARY, name=TREND_LINE_LAYER)
        .mark_line(color=BLUE, strokeWidth=1.5, invalid="break-paths-show-domains")
        .encode(x=x, y=y)
    )
    dots = (
        _source(PRIMARY)
        .mark_point(filled=True, opacity=1)
        .encode(
            x=x,
            y=y,
            color=_legend_colour("status", status, colours),
            stroke=alt.Stroke(
                "status:N",
                scale=status_colour,
                legend=alt.Legend(title=None, orient="bottom", labelLimit=LEGEND_LABEL_LIMIT),
            ),
            fillOpacity=alt.FillOpacityValue(1, condition={"test": "datum.running", "value": 0}),
            strokeWidth=alt.StrokeWidthValue(2),
            shape=alt.Shape(
                "status:N",
                scale=alt.Scale(domain=status, range=point_shapes),
            ),
            size=alt.SizeValue(60, condition={"test": "datum.signal", "value": 140}),
            tooltip=[
                alt.Tooltip("label:N", title=text.period),
                alt.Tooltip("value:Q", title=value_title, format=".2f"),
                alt.Tooltip("status:N", title=text.signal),
            ],
        )
    )
    shapes = [{"kind": kind, "dash": list(dash)} for kind, dash in kinds]
    layers = [*_limit_layers(shapes), line, dots]
    return json.dumps(_finish(layers, {}, "", height=HEIGHT, title=title))


def _status(point: ControlPoint, text: ChartText) -> str:
    """The legend entry of a control-chart point: signal, no signal, or not judged yet."""
    if not point.judged:
        return text.not_judged
    return text.signal if point.signal else text.no_signal


def _limit_records(
    text: ChartText, *, centre: float | None, upper: float | None, lower: float | None
) -> list[Record]:
    """The centre line and control limits that are available, each with its dash pattern."""
    candidates = (
        (text.upper_limit, upper, DASHED),
        (text.centre_line, centre, SOLID),
        (text.lower_limit, lower, DASHED),
    )
    return [
        {"kind": kind, "value": v, "dash": list(dash)}
        for kind, value, dash in candidates
        if (v := _number(value)) is not None
    ]


def _limit_layers(limits: list[Record]) -> list[alt.Chart]:
    """Grey rules named in the right margin, centre solid and limits dashed; none at all
    when no line is available."""
    if not limits:
        return []
    dash = alt.StrokeDash(
        "kind:N",
        scale=alt.Scale(domain=[r["kind"] for r in limits], range=[r["dash"] for r in limits]),
        legend=None,
    )
    value = alt.Y("value:Q")
    rules = _source(LIMITS_LAYER).mark_rule(color=GREY).encode(y=value, strokeDash=dash)
    labels = (
        _source(LIMITS_LAYER, name=LIMIT_LABELS_LAYER)
        .mark_text(x="width", align="left", baseline="middle", dx=4, color=BLACK, fontSize=10)
        .encode(y=value, text=alt.Text("kind:N"))
    )
    return [rules, labels]


def ranking_chart(
    rows: Sequence[RankRow], text: ChartText = ChartText(), *, description: str | None = None
) -> dict[str, Any]:
    """Per place a horizontal bar of its shrunken index, in the caller's order.

    Top places are dark blue, bottom places vermillion, other ranked places sky blue and
    places with too few answers to rank grey (their ``mark`` is ignored); the legend
    names each colour and the order puts top and bottom apart as well.
    """
    standings = {
        "top": (text.top, BLUE),
        "": (text.ranked, SKY_BLUE),
        "bottom": (text.bottom, VERMILLION),
        "unranked": (text.too_few, GREY),
    }
    keys = [_standing(row) for row in rows]
    records = [
        {"label": row.label, "value": _number(row.value), "n": row.n, "status": standings[k][0]}
        for row, k in zip(rows, keys, strict=True)
    ]
    present = [standings[k] for k in standings if k in keys] or [standings[""]]
    bars = (
        _source(PRIMARY)
        .mark_bar()
        .encode(
            y=_category_axis(text.name),
            x=alt.X("value:Q", title=text.index),
            color=_legend_colour("status", [s for s, _ in present], [c for _, c in present]),
            tooltip=[
                alt.Tooltip("label:N", title=text.name),
                alt.Tooltip("value:Q", title=text.index, format=".1f"),
                alt.Tooltip("n:Q", title=text.answers),
            ],
        )
    )
    data = {PRIMARY: records}
    height = _bars_height(len(rows))
    return _finish([bars], data, _describe([text.index], rows, description), height=height)


def _standing(row: RankRow) -> str:
    """``"top"``, ``"bottom"``, ``""`` (ranked, neither) or ``"unranked"``."""
    if not row.ranked:
        return "unranked"
    return row.mark if row.mark in ("top", "bottom") else ""


def _bars_height(bars: int) -> int:
    """The plot height for ``bars`` horizontal bars.

    A fixed height in pixels rather than Vega-Lite's ``{"step": …}``: a step height next
    to ``width: "container"`` makes Vega-Lite warn on every chart.
    """
    return max(bars, 1) * BAR_HEIGHT


def _source(dataset: str, *, name: str | None = None) -> alt.Chart:
    """A layer drawing the named dataset ``dataset``; the layer is called ``name`` (default
    the dataset's name), which is how its marks are found in the drawing.

    The rows travel in the spec's top-level ``datasets``, added after altair has built
    the spec: altair deep-copies inline data at every step, which made building a chart
    several times slower.
    """
    return alt.Chart(alt.NamedData(name=dataset)).properties(name=name or dataset)


def _category_axis(title: str) -> alt.Y:
    """The label axis of a horizontal chart: rows in the caller's order, the axis untitled
    (the labels speak for themselves) but ``title`` naming the field in tooltips."""
    return alt.Y("label:N", sort=None, title=title, axis=alt.Axis(title=None, labelLimit=220))


def _legend_colour(
    field: str, domain: Sequence[str], colours: Sequence[str], title: str | None = None
) -> alt.Color:
    """A colour channel on ``field`` with a fixed domain and colours and a bottom legend."""
    return alt.Color(
        f"{field}:N",
        scale=alt.Scale(domain=list(domain), range=list(colours)),
        legend=alt.Legend(title=title, orient="bottom", labelLimit=LEGEND_LABEL_LIMIT),
    )


def _cycle(values: Sequence[str], n: int) -> list[str]:
    """The first ``n`` of ``values`` repeated as often as needed."""
    return [values[i % len(values)] for i in range(n)]


def _number(value: float | None) -> float | None:
    """``value`` as a JSON-safe float, ``None`` when it is missing, NaN or infinite."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _describe(terms: Sequence[str], rows: Sequence[ChartRow], given: str | None) -> str:
    """The chart's accessible description: ``given``, else its measures and row labels."""
    if given is not None:
        return given
    return f"{' · '.join(terms)}: {', '.join(row.label for row in rows)}"


def _finish(
    layers: Sequence[alt.Chart],
    datasets: dict[str, list[Record]],
    description: str,
    *,
    height: int,
    title: str = "",
) -> dict[str, Any]:
    """The layers as one spec: width of the container, palette, font, data and description.

    ``height`` is that of the plot in pixels. ARIA is off for axes, legends and marks: vega's own
    captions are English, and the figure's data table is the text alternative; the
    ``description`` names the chart.
    """
    chart = alt.LayerChart(
        layer=list(layers),
        width="container",
        height=height,
        description=description,
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
        config=CONFIG,
        title=title or alt.Undefined,
    )
    spec: dict[str, Any] = chart.to_dict(validate=False)
    spec["datasets"] = datasets
    return spec
