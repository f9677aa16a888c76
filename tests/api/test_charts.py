"""Tests for api.charts (specs, static rendering, the browser bundle) and api.public.assets.

The drawings are checked through vl-convert's SVG, which is vega's own SVG renderer: the
browser draws the same ``g.role-mark <layer>_marks`` groups with one child per datum.
"""

import json
import math
import re
import struct
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any

import jsonschema
import pytest
import vl_convert as vlc
from altair.vegalite.v6.schema import SCHEMA_VERSION, load_schema
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.charts import (
    PRIMARY,
    STATIC_WIDTH,
    VEGA_BUNDLE_VERSION,
    VL_VERSION,
    ChartRow,
    ChartText,
    ControlPoint,
    GapRow,
    IpaPoint,
    ItemGapRow,
    RankRow,
    ZoneRow,
    chart_png,
    chart_svg,
    control_chart,
    expected_marks,
    gap_chart,
    ipa_chart,
    item_gap_chart,
    ranking_chart,
    static_spec,
    tolerance_chart,
    vega_bundle,
)
from api.charts.render import Once
from api.charts.specs import BLUE, GREY, SKY_BLUE, VERMILLION
from api.public import assets

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
VALIDATOR = jsonschema.Draft7Validator(load_schema())
# Okabe & Ito (2008), "Color Universal Design", with grey for "too few answers"; black
# (the palette's eighth colour) for text.
OKABE_ITO_GREY_BLACK = {
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
    "#999999", "#000000",
}  # fmt: skip

GAPS = [
    GapRow("可靠性", 6.5, 5.0, -1.5),
    GapRow("Responsiveness", 6.0, 5.8, -0.2),
    GapRow("Assurance", 5.9, 6.1, 0.2),
    GapRow("Empathy", 6.2, 5.1, -1.1),
]
PERCEPTION_ONLY = [GapRow(row.label, None, row.perception, None) for row in GAPS]
ZONES = [
    ZoneRow("Reliability", 4.5, 6.5, 5.0),
    ZoneRow("Responsiveness", 4.0, 6.2, 3.6),
    ZoneRow("Assurance", 4.2, 6.0, 6.3),
]
ITEMS = [
    ItemGapRow("R1", -1.8, -2.2, -1.4, 80, False),
    ItemGapRow("R2", -1.2, -1.6, -0.8, 75, False),
    ItemGapRow("T3", -0.4, -1.5, 0.7, 6, True),
    ItemGapRow("A1", 0.3, 0.0, 0.6, 81, False),
]
POINTS = [
    IpaPoint("Tangibles", 15.0, 5.2, "Low priority"),
    IpaPoint("Reliability", 30.0, 5.0, "Concentrate here"),
    IpaPoint("Responsiveness", 22.0, 5.8, "Keep up the good work"),
    IpaPoint("Assurance", 18.0, 6.1, "Possible overkill"),
]
PERIODS = [
    ControlPoint("2026-01", 72.0, False),
    ControlPoint("2026-02", 74.0, False),
    ControlPoint("2026-03", None, False),
    ControlPoint("2026-04", 71.0, False),
    ControlPoint("2026-05", 60.0, True),
    ControlPoint("2026-06", 79.0, True),
]
RUNNING = [*PERIODS[:4], ControlPoint("2026-05 (so far)", 60.0, False, True, False)]
PLACES = [
    RankRow("Counter 1", 82.0, 120, True, "top"),
    RankRow("Counter 2", 78.0, 90, True, ""),
    RankRow("Counter 3", 75.0, 100, True, ""),
    RankRow("Counter 4", 70.0, 110, True, "bottom"),
    RankRow("Counter 5", 74.0, 5, False, "top"),
]


def _control(
    *, centre: float | None = 72.0, upper: float | None = 78.5, lower: float | None = 65.5
) -> dict[str, Any]:
    return control_chart(
        PERIODS, ChartText(), centre=centre, upper=upper, lower=lower, title="Index"
    )


# name: (build the spec, its rows, primary marks counted by hand)
CHARTS: dict[str, tuple[Callable[[], dict[str, Any]], list[ChartRow], int]] = {
    "gap": (lambda: gap_chart(GAPS), list(GAPS), 8),
    "gap_perception_only": (lambda: gap_chart(PERCEPTION_ONLY), list(PERCEPTION_ONLY), 4),
    "tolerance": (lambda: tolerance_chart(ZONES), list(ZONES), 3),
    "item_gap": (lambda: item_gap_chart(ITEMS, value_title="Gap"), list(ITEMS), 4),
    "ipa": (
        lambda: ipa_chart(POINTS, importance_mean=21.25, performance_mean=5.525),
        list(POINTS),
        4,
    ),
    "control": (_control, list(PERIODS), 5),
    "control_running": (
        lambda: control_chart(RUNNING, ChartText(), centre=72.0, upper=78.5, lower=65.5),
        list(RUNNING),
        4,
    ),
    "ranking": (lambda: ranking_chart(PLACES), list(PLACES), 5),
}


@pytest.fixture(scope="module")
def specs() -> dict[str, dict[str, Any]]:
    return {name: build() for name, (build, _, _) in CHARTS.items()}


@pytest.fixture(scope="module")
def svgs(specs: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {name: chart_svg(spec) for name, spec in specs.items()}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """The asset routes on a bare app, the bundle built once for the whole module."""
    vega_bundle()
    app = FastAPI()
    app.include_router(assets.router)
    with TestClient(app) as client:
        yield client


def _mark_groups(svg: str) -> dict[str, ET.Element]:
    """Layer name → the ``g.role-mark`` group vega drew for it."""
    root = ET.fromstring(svg)  # noqa: S314 (our own renderer's output)
    groups = {}
    for group in root.iter(f"{SVG}g"):
        classes = group.get("class", "").split()
        if "role-mark" in classes:
            groups[classes[-1].removesuffix("_marks")] = group
    return groups


def _marks(svg: str, layer: str) -> list[ET.Element]:
    """The elements drawn for ``layer``: one per datum, none when the layer is absent."""
    group = _mark_groups(svg).get(layer)
    return [] if group is None else list(group)


def _texts(svg: str, role: str) -> list[str]:
    """The text of every ``text`` element inside groups of class ``role``."""
    root = ET.fromstring(svg)  # noqa: S314 (our own renderer's output)
    return [
        "".join(text.itertext())
        for group in root.iter(f"{SVG}g")
        if role in group.get("class", "").split()
        for text in group.iter(f"{SVG}text")
    ]


# --- the specs -----------------------------------------------------------------------------


def test_vl_convert_knows_the_vega_lite_version_altair_writes() -> None:
    assert SCHEMA_VERSION.startswith(f"v{VL_VERSION}.")
    assert VL_VERSION in vlc.get_vegalite_versions()


@pytest.mark.parametrize("name", CHARTS)
def test_chart_is_valid_vega_lite_json(name: str, specs: dict[str, dict[str, Any]]) -> None:
    spec = specs[name]
    errors = [error.message for error in VALIDATOR.iter_errors(spec)]
    assert errors == []
    assert spec["$schema"].endswith(f"/vega-lite/{SCHEMA_VERSION}.json")
    json.dumps(spec, allow_nan=False)  # JSON.parse in the browser rejects NaN


@pytest.mark.parametrize("name", CHARTS)
def test_chart_fills_its_container_and_describes_itself(
    name: str, specs: dict[str, dict[str, Any]]
) -> None:
    spec = specs[name]
    assert spec["width"] == "container"
    assert spec["description"]
    assert "Noto Sans CJK SC" in spec["config"]["font"]


@pytest.mark.parametrize("name", CHARTS)
def test_chart_compiles_without_vega_lite_warnings(
    name: str, specs: dict[str, dict[str, Any]], capfd: pytest.CaptureFixture[str]
) -> None:
    """vega-embed prints these in the browser's console; vl-convert prints them here."""
    for spec in (specs[name], static_spec(specs[name])):
        vlc.vegalite_to_vega(spec, vl_version=VL_VERSION, show_warnings=True)
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("name", CHARTS)
def test_chart_draws_one_primary_mark_per_available_value(name: str, svgs: dict[str, str]) -> None:
    _, rows, by_hand = CHARTS[name]
    assert len(_marks(svgs[name], PRIMARY)) == by_hand == expected_marks(rows)


@pytest.mark.parametrize("name", CHARTS)
def test_chart_uses_only_okabe_ito_colours(
    name: str, specs: dict[str, dict[str, Any]], svgs: dict[str, str]
) -> None:
    in_spec = set(re.findall(r"#[0-9A-Fa-f]{3,6}\b", json.dumps(specs[name])))
    drawn = {
        element.get(attribute, "none")
        for group in _mark_groups(svgs[name]).values()
        for element in group
        for attribute in ("fill", "stroke")
    } - {"none", "transparent"}
    assert in_spec | drawn
    assert {colour.upper() for colour in in_spec | drawn} <= OKABE_ITO_GREY_BLACK


def test_missing_numbers_are_left_out_not_drawn_as_zero() -> None:
    rows = [
        ItemGapRow("R1", -1.0, math.nan, math.nan, 3, True),
        ItemGapRow("R2", math.nan, math.nan, math.nan, 0, True),
    ]
    spec = item_gap_chart(rows, value_title="Gap")
    json.dumps(spec, allow_nan=False)
    svg = chart_svg(spec)
    assert len(_marks(svg, PRIMARY)) == expected_marks(rows) == 1
    assert _marks(svg, "error_bars") == []


# --- what each chart shows -----------------------------------------------------------------


def test_gap_chart_writes_each_signed_gap_beside_its_dimension(svgs: dict[str, str]) -> None:
    labels = [text.text for text in _marks(svgs["gap"], "gap_labels")]
    assert labels == ["−1.50", "−0.20", "+0.20", "−1.10"]


def test_perception_only_gap_chart_has_no_gap_text_and_no_expectation(
    svgs: dict[str, str],
) -> None:
    svg = svgs["gap_perception_only"]
    assert "gap_labels" not in _mark_groups(svg)
    assert {bar.get("fill") for bar in _marks(svg, PRIMARY)} == {BLUE}
    assert "Expectation" not in _texts(svg, "role-legend-label")


def test_tolerance_chart_marks_each_perception_on_its_band(svgs: dict[str, str]) -> None:
    assert len(_marks(svgs["tolerance"], "perception")) == len(ZONES)


def test_item_gap_chart_greys_items_with_too_few_answers(svgs: dict[str, str]) -> None:
    fills = [bar.get("fill") for bar in _marks(svgs["item_gap"], PRIMARY)]
    assert fills == [GREY if row.insufficient else BLUE for row in ITEMS]
    assert len(_marks(svgs["item_gap"], "error_bars")) == len(ITEMS)


def test_ipa_chart_labels_every_point_and_draws_both_means(svgs: dict[str, str]) -> None:
    svg = svgs["ipa"]
    assert [t.text for t in _marks(svg, "point_labels")] == [p.label for p in POINTS]
    assert len(_marks(svg, "importance_mean")) == len(_marks(svg, "performance_mean")) == 1
    shapes = {point.get("d") for point in _marks(svg, PRIMARY)}
    assert len(shapes) == len({p.quadrant for p in POINTS})


def test_ipa_chart_without_means_draws_no_rules() -> None:
    svg = chart_svg(ipa_chart(POINTS, importance_mean=math.nan, performance_mean=None))
    assert "importance_mean" not in _mark_groups(svg)
    assert "performance_mean" not in _mark_groups(svg)


def test_ranking_chart_colours_top_bottom_and_unranked(svgs: dict[str, str]) -> None:
    fills = [bar.get("fill") for bar in _marks(svgs["ranking"], PRIMARY)]
    assert fills == [BLUE, SKY_BLUE, SKY_BLUE, VERMILLION, GREY]


# --- the control chart ---------------------------------------------------------------------


def test_control_chart_breaks_the_line_at_an_empty_period(svgs: dict[str, str]) -> None:
    svg = svgs["control"]
    (line,) = _marks(svg, "trend_line")
    assert line.get("d", "").count("M") == 2  # two pieces: before and after the gap
    assert "2026-03" in _texts(svg, "role-axis-label")  # the empty period keeps its place
    assert len(_marks(svg, PRIMARY)) == sum(p.value is not None for p in PERIODS)


def test_control_chart_draws_signals_in_another_colour_and_shape(svgs: dict[str, str]) -> None:
    points = _marks(svgs["control"], PRIMARY)
    signals = [p for p in points if p.get("fill") == VERMILLION]
    others = [p for p in points if p.get("fill") == BLUE]
    assert len(signals) == sum(p.signal for p in PERIODS) == 2
    assert len(others) == len(points) - len(signals)
    assert {p.get("d") for p in signals}.isdisjoint(p.get("d") for p in others)


def test_control_chart_draws_the_running_period_hollow_and_says_when_it_is_not_judged(
    svgs: dict[str, str],
) -> None:
    """The period still running is an outlined circle with no fill; while it has too few
    answers to be judged the legend says so, and only then."""
    svg = svgs["control_running"]
    points = _marks(svg, PRIMARY)
    assert len(points) == 4
    hollow = [p for p in points if p.get("fill-opacity") == "0"]
    assert len(hollow) == 1 and hollow[0].get("stroke") == BLUE
    legend = _texts(svg, "role-legend-label")
    assert ChartText().not_judged in legend
    assert ChartText().not_judged not in _texts(svgs["control"], "role-legend-label")


@pytest.mark.parametrize(
    ("limits", "lines"),
    [
        ({}, ["Upper limit", "Centre line", "Lower limit"]),
        ({"upper": math.nan, "lower": None}, ["Centre line"]),
        ({"centre": None, "upper": None, "lower": math.nan}, []),
    ],
)
def test_control_chart_draws_only_the_limits_it_has(
    limits: dict[str, float | None], lines: list[str]
) -> None:
    svg = chart_svg(_control(**limits))
    assert len(_marks(svg, "limits")) == len(lines)
    assert [text.text for text in _marks(svg, "limit_labels")] == lines


# --- static rendering ----------------------------------------------------------------------


def test_chinese_label_survives_into_the_svg_text(svgs: dict[str, str]) -> None:
    assert "可靠性" in _texts(svgs["gap"], "role-axis-label")


def test_svg_has_the_static_width_and_the_spec_keeps_the_container(
    specs: dict[str, dict[str, Any]], svgs: dict[str, str]
) -> None:
    assert ET.fromstring(svgs["ranking"]).get("width") == str(STATIC_WIDTH)  # noqa: S314
    assert specs["ranking"]["width"] == "container"


def test_png_is_the_static_width_times_the_scale(specs: dict[str, dict[str, Any]]) -> None:
    png = chart_png(specs["gap"], scale=2.0)
    assert png.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert width == 2 * STATIC_WIDTH
    assert height > 0


# --- the bundle and the routes -------------------------------------------------------------


def test_bundle_route_serves_vega_embed_for_a_year(client: TestClient) -> None:
    response = client.get(f"/assets/vega-{VEGA_BUNDLE_VERSION}.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert re.search(rb"window\.vegaEmbed\s*=", response.content)
    assert response.content == vega_bundle()


def test_bundle_route_is_not_found_for_another_version(client: TestClient) -> None:
    assert client.get("/assets/vega-5.0.0.js").status_code == 404
    assert client.get(f"/assets/vega-{VEGA_BUNDLE_VERSION}x.js").status_code == 404


def test_dashboard_script_route_serves_the_script_with_a_short_cache(
    client: TestClient,
) -> None:
    response = client.get("/assets/dashboard.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.content == assets.DASHBOARD_SCRIPT.read_bytes()
    assert b"figure[data-chart]" in response.content


def test_once_computes_a_single_time_for_concurrent_first_callers() -> None:
    calls: list[int] = []

    def slow() -> bytes:
        calls.append(1)
        time.sleep(0.05)
        return b"bundle"

    once = Once(slow)
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(once())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1]
    assert results == [b"bundle"] * 8
