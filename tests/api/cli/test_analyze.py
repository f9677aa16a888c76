"""``manyi analyze FILE.csv``: the SERVQUAL report of a wide CSV, as a user relies on it.

Every number is checked against an independent computation on the raw file (pandas, scipy,
pingouin, scikit-learn), never against the code under test.
"""

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from openpyxl import load_workbook
from scipy import stats
from sklearn.linear_model import LinearRegression
from typer.testing import CliRunner, Result

from api.cli import app
from tests.kiosk import KIOSK_DIMENSIONS, KIOSK_DIR

runner = CliRunner()

TOLERANCE = 1e-9
QUADRANTS = {"concentrate_here", "keep_up_the_good_work", "low_priority", "possible_overkill"}


DEFAULT_DIMENSIONS = {
    "tangibles": [1, 2, 3, 4],
    "reliability": [5, 6, 7, 8, 9],
    "responsiveness": [10, 11, 12, 13],
    "assurance": [14, 15, 16, 17],
    "empathy": [18, 19, 20, 21, 22],
}
SITES = ("north", "south", "west")
PERIODS = tuple(f"2026-{month:02d}" for month in range(1, 7))


# --- helpers -------------------------------------------------------------------------------


def invoke(*args: str | Path) -> Result:
    return runner.invoke(app, ["analyze", *(str(a) for a in args)])


def analyze_json(*args: str | Path) -> dict[str, Any]:
    """Run ``manyi analyze`` with ``args``, expect success, return the parsed JSON."""
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def approx(value: Any) -> Any:
    return pytest.approx(value, abs=TOLERANCE)


def columns(prefix: str, items: Sequence[int]) -> list[str]:
    return [f"{prefix}{i}" for i in items]


def respondent_scores(frame: pd.DataFrame, items: Sequence[int], field: str) -> pd.Series:
    """The respondent rule, per respondent: the mean over the dimension's answered items of
    ``field`` (``P``, ``E``, ``MIN``, ``DES``, or a difference ``P-E``, ``P-MIN``, ``P-DES``,
    present only where both answers are); NaN for a respondent without any."""
    return item_values(frame, items, field).mean(axis=1, skipna=True)


def item_values(frame: pd.DataFrame, items: Sequence[int], field: str) -> pd.DataFrame:
    """The item columns of ``field``; a difference is taken item by item (NaN-propagating)."""
    if "-" in field:
        left, right = field.split("-")
        return pd.DataFrame(
            frame[columns(left, items)].to_numpy(float)
            - frame[columns(right, items)].to_numpy(float),
            columns=[f"{field}{i}" for i in items],
            index=frame.index,
        )
    return frame[columns(field, items)].astype(float)


def dimension_mean(frame: pd.DataFrame, items: Sequence[int], field: str) -> float:
    """Mean over respondents (who answered ≥ 1 item) of their respondent-rule score."""
    return float(respondent_scores(frame, items, field).dropna().mean())


def t_interval(values: pd.Series) -> tuple[float, float]:
    """scipy's 95 % t interval of the mean: x̄ ± t(0.975, n−1)·s/√n."""
    clean = values.dropna().to_numpy(float)
    low, high = stats.t.interval(
        0.95, len(clean) - 1, loc=clean.mean(), scale=stats.sem(clean, ddof=1)
    )
    return float(low), float(high)


def index_of(frame: pd.DataFrame, items: Sequence[int], scale: tuple[int, int] = (1, 7)) -> Any:
    """(m̄ − low)/(high − low)·100 with m_r the respondent's mean perception over all the
    instrument's items they answered, and the t interval of m̄ rescaled the same way."""
    low, high = scale
    means = respondent_scores(frame, items, "P").dropna()

    def rescale(v: float) -> float:
        return (v - low) / (high - low) * 100

    ci = t_interval(means)
    return rescale(float(means.mean())), [rescale(ci[0]), rescale(ci[1])], len(means)


def rows_with_answers(frame: pd.DataFrame, answer_columns: Sequence[str]) -> pd.Series:
    present = [c for c in answer_columns if c in frame.columns]
    return frame[present].notna().any(axis=1)


def write_instrument(path: Path, dimensions: dict[str, list[int]]) -> Path:
    path.write_text(
        json.dumps({"scale": [1, 7], "overall_scale": [1, 5], "dimensions": dimensions}),
        encoding="utf-8",
    )
    return path


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """A wide CSV as a spreadsheet writes it: whole numbers, an empty cell for missing."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].astype("Int64")
    out.to_csv(path, index=False)
    return path


def synthetic_frame(
    n: int = 300, *, kinds: Sequence[str] = ("E", "P"), seed: int = 20260105
) -> pd.DataFrame:
    """Respondents of the default 22-item instrument: three sites, six months (shuffled),
    answers 1–7 driven by a latent quality, about 5 % of answers missing, an overall rating
    1–5 and a full 100-point importance allocation per respondent."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(0.0, 1.0, n)
    frame = pd.DataFrame(
        {
            "respondent_id": [f"r{i:04d}" for i in range(n)],
            "site": rng.choice(SITES, n),
            "period": rng.choice(PERIODS, n),
        }
    )
    base = {"E": 5.8, "P": 4.6, "MIN": 3.5, "DES": 6.3}
    for kind in kinds:
        for item in range(1, 23):
            shift = 0.0 if kind in ("E", "DES") else quality
            values = np.clip(np.rint(base[kind] + shift + rng.normal(0, 1, n)), 1, 7)
            values[rng.random(n) < 0.05] = np.nan
            frame[f"{kind}{item}"] = values
    overall = np.clip(np.rint(3 + 0.9 * quality + rng.normal(0, 0.7, n)), 1, 5)
    overall[rng.random(n) < 0.05] = np.nan
    frame["overall"] = overall
    points = np.array([rng.multinomial(100, p) for p in rng.dirichlet(np.full(5, 2.0), size=n)])
    for d, code in enumerate(DEFAULT_DIMENSIONS):
        frame[f"W_{code}"] = points[:, d].astype(float)
    frame["comment"] = "ignored"
    return frame


def all_items(dimensions: dict[str, list[int]]) -> list[int]:
    return [i for items in dimensions.values() for i in items]


# --- 1. the real kiosk data ----------------------------------------------------------------


@pytest.fixture(scope="module")
def kiosk_csv() -> Path:
    """The published kiosk K-SERVQUAL answers (../shared/data beside the repository)."""
    path = KIOSK_DIR / "kiosk_kservqual_tidy.csv"
    if not path.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the shared kiosk data is missing: {path}")
        pytest.skip(f"real data not available: {path} does not exist")
    return path


@pytest.fixture(scope="module")
def kiosk(kiosk_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The kiosk file as pandas reads it, and ``manyi analyze`` of it with the authors'
    six-dimension map (20 of 24 items) and ``--overall-column overall1``."""
    instrument = write_instrument(tmp_path_factory.mktemp("kiosk") / "kiosk.json", KIOSK_DIMENSIONS)
    frame = pd.read_csv(kiosk_csv, encoding="utf-8")
    report = analyze_json(
        kiosk_csv, "--instrument", instrument, "--overall-column", "overall1", "--format", "json"
    )
    return frame, report


def test_kiosk_counts_every_row_with_an_answer(kiosk: Any) -> None:
    """n_respondents = rows with any answer to a mapped item (E or P) or to overall1; the
    four never_used rows are blank and do not count."""
    frame, report = kiosk
    items = all_items(KIOSK_DIMENSIONS)
    answered = rows_with_answers(frame, [*columns("E", items), *columns("P", items), "overall1"])
    assert report["mode"] == "paired"
    assert report["n_respondents"] == int(answered.sum())
    assert report["n_respondents"] == int((frame["use_frequency"] != "never_used").sum())


def test_kiosk_dimension_means_follow_the_respondent_rule(kiosk: Any) -> None:
    """Per dimension d and field f ∈ {P, E, P−E}: mean over respondents of
    (1/k_r) Σ_{answered i ∈ d} f_ri; the gap interval is scipy's t interval
    x̄ ± t(0.975, n−1)·s/√n over the n respondents with a gap in d."""
    frame, report = kiosk
    assert list(report["dimensions"]) == list(KIOSK_DIMENSIONS)
    for code, items in KIOSK_DIMENSIONS.items():
        entry = report["dimensions"][code]
        assert entry["perception"]["mean"] == approx(dimension_mean(frame, items, "P"))
        assert entry["expectation"]["mean"] == approx(dimension_mean(frame, items, "E"))
        gaps = respondent_scores(frame, items, "P-E").dropna()
        assert entry["gap"]["mean"] == approx(float(gaps.mean()))
        assert entry["gap"]["ci95"] == approx(list(t_interval(gaps)))
        assert entry["gap"]["n"] == len(gaps)


def test_kiosk_alpha_matches_pingouin_listwise(kiosk: Any) -> None:
    """Cronbach's alpha per dimension of the P items, the E items and the item gaps P−E,
    over the respondents who answered every item (pingouin, nan_policy="listwise")."""
    frame, report = kiosk
    for code, items in KIOSK_DIMENSIONS.items():
        alpha = report["dimensions"][code]["alpha"]
        for name, field in (("perception", "P"), ("expectation", "E"), ("gap", "P-E")):
            expected, _ci = pg.cronbach_alpha(
                data=item_values(frame, items, field), nan_policy="listwise"
            )
            assert alpha[name] == approx(float(expected)), (code, name)


def test_kiosk_index_is_mean_perception_rescaled(kiosk: Any) -> None:
    """index = (m̄ − 1)/6 × 100 where m_r is respondent r's mean P over the 20 mapped items
    (the 4 unmapped items are not part of the instrument); ci95 is the t interval of m̄
    rescaled the same way."""
    frame, report = kiosk
    value, ci, n = index_of(frame, all_items(KIOSK_DIMENSIONS))
    assert report["index"]["value"] == approx(value)
    assert report["index"]["ci95"] == approx(ci)
    assert report["index"]["n"] == n


def test_kiosk_derived_importance_is_the_standardised_regression(kiosk: Any) -> None:
    """ipa.<d>.derived_importance = b_d · sd(x_d)/sd(y) with b from scikit-learn's
    LinearRegression of overall1 on the six respondent-rule perception means, over the
    respondents with overall1 and ≥ 1 answer per dimension; every quadrant is one of the
    four; the importance weights sum to 1."""
    frame, report = kiosk
    x = pd.DataFrame(
        {code: respondent_scores(frame, items, "P") for code, items in KIOSK_DIMENSIONS.items()}
    )
    y = frame["overall1"].astype(float)
    usable = y.notna() & x.notna().all(axis=1)
    x, y = x[usable], y[usable]
    model = LinearRegression().fit(x.to_numpy(), y.to_numpy())
    beta = model.coef_ * x.std(ddof=1).to_numpy() / y.std(ddof=1)
    for d, code in enumerate(KIOSK_DIMENSIONS):
        assert report["ipa"][code]["derived_importance"] == approx(float(beta[d])), code
        assert report["derived_importance"][code] == approx(float(beta[d])), code
        assert report["ipa"][code]["quadrant"] in QUADRANTS
        assert report["ipa"][code]["performance"] == approx(
            report["dimensions"][code]["perception"]["mean"]
        )
    assert set(report["importance"]) == set(KIOSK_DIMENSIONS)
    assert sum(report["importance"].values()) == pytest.approx(1.0, abs=1e-12)
    assert all(w >= 0 for w in report["importance"].values())


# --- 2. the JSON schema, groups, weighted SERVQUAL, trend ----------------------------------


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """300 synthetic respondents of the default instrument analysed with --by site,period."""
    folder = tmp_path_factory.mktemp("synthetic")
    frame = synthetic_frame()
    path = write_csv(frame, folder / "survey.csv")
    return folder, frame, analyze_json(path, "--by", "site,period")


def _check_estimate(entry: Any) -> None:
    assert isinstance(entry["mean"], float)
    assert len(entry["ci95"]) == 2
    assert all(isinstance(v, float) for v in entry["ci95"])
    assert entry["ci95"][0] < entry["mean"] < entry["ci95"][1]
    assert isinstance(entry["n"], int)


def _check_schema(report: dict[str, Any]) -> None:
    assert isinstance(report["n_respondents"], int)
    for code in DEFAULT_DIMENSIONS:
        entry = report["dimensions"][code]
        for name in ("expectation", "perception", "gap"):
            _check_estimate(entry[name])
        for name in ("perception", "expectation", "gap"):
            assert isinstance(entry["alpha"][name], float)
        assert isinstance(report["importance"][code], float)
        ipa = report["ipa"][code]
        for name in ("derived_importance", "stated_importance", "performance"):
            assert isinstance(ipa[name], float)
        assert ipa["quadrant"] in QUADRANTS
    assert isinstance(report["servqual"]["unweighted"], float)
    assert isinstance(report["servqual"]["weighted"], float)
    index = report["index"]
    assert isinstance(index["value"], float)
    assert len(index["ci95"]) == 2
    assert index["ci95"][0] < index["value"] < index["ci95"][1]
    assert isinstance(index["n"], int)


def test_json_has_the_documented_keys(synthetic: Any) -> None:
    """A paired file with importance points, periods and --by site,period has every key a
    reader relies on, overall and in every group; trend because the file has periods."""
    _folder, _frame, report = synthetic
    _check_schema(report)
    assert set(report["trend"]) >= {"periods", "index", "dimensions"}
    assert set(report["groups"]) == {"site", "period"}
    assert set(report["groups"]["site"]) == set(SITES)
    assert set(report["groups"]["period"]) == set(PERIODS)
    for parts in report["groups"].values():
        for part in parts.values():
            _check_schema(part)


def test_each_group_counts_its_rows(synthetic: Any) -> None:
    """groups.<column>.<value>.n_respondents = the rows with that value (all have answers)."""
    _folder, frame, report = synthetic
    answer_columns = [c for c in frame.columns if c[0] in "EP" and c[1:].isdigit()]
    assert rows_with_answers(frame, answer_columns).all()
    for column in ("site", "period"):
        counts = frame[column].value_counts()
        assert {v: p["n_respondents"] for v, p in report["groups"][column].items()} == {
            v: int(c) for v, c in counts.items()
        }
    assert report["n_respondents"] == len(frame)


@pytest.mark.parametrize(("column", "value"), [("site", "south"), ("period", "2026-03")])
def test_a_group_reports_what_the_file_of_its_rows_reports(
    synthetic: Any, column: str, value: str
) -> None:
    """The report of a group under --by equals the report of a CSV holding only that
    group's rows (everything but that file's own trend and factor check)."""
    folder, frame, report = synthetic
    part_path = write_csv(frame[frame[column] == value], folder / f"{column}-{value}.csv")
    alone = analyze_json(part_path)
    alone.pop("trend")
    alone.pop("factor_check")
    assert report["groups"][column][value] == alone


def test_servqual_scores_weight_gaps_by_mean_points(synthetic: Any) -> None:
    """unweighted = (1/5) Σ_d gap_d; weighted = Σ_d gap_d · (mean W_d points)/100, the gaps by
    the respondent rule and the points averaged over the respondents' full allocations."""
    _folder, frame, report = synthetic
    gaps = {code: dimension_mean(frame, items, "P-E") for code, items in DEFAULT_DIMENSIONS.items()}
    points = {code: float(frame[f"W_{code}"].mean()) for code in DEFAULT_DIMENSIONS}
    assert report["servqual"]["unweighted"] == approx(float(np.mean(list(gaps.values()))))
    assert report["servqual"]["weighted"] == approx(
        sum(gaps[code] * points[code] / 100 for code in DEFAULT_DIMENSIONS)
    )
    assert report["importance_source"] == "stated"
    for code in DEFAULT_DIMENSIONS:
        assert report["importance"][code] == approx(points[code] / 100)
        assert report["ipa"][code]["stated_importance"] == approx(points[code])
    assert sum(report["importance"].values()) == pytest.approx(1.0, abs=1e-12)


def test_trend_has_one_point_per_period_in_order(synthetic: Any) -> None:
    """trend.index: one point per period in time order (the file's rows are shuffled), each
    the index of that period's respondents, (m̄ − 1)/6·100; the centre line is the mean of
    the period values."""
    _folder, frame, report = synthetic
    trend = report["trend"]
    items = all_items(DEFAULT_DIMENSIONS)
    assert frame["period"].tolist() != sorted(frame["period"])
    assert [p["period"] for p in trend["periods"]] == list(PERIODS)
    assert [p["n"] for p in trend["periods"]] == [
        int((frame["period"] == p).sum()) for p in PERIODS
    ]
    points = trend["index"]["points"]
    assert [p["period"] for p in points] == list(PERIODS)
    expected = [index_of(frame[frame["period"] == p], items)[0] for p in PERIODS]
    assert [p["value"] for p in points] == approx(expected)
    assert trend["index"]["centre"] == approx(float(np.mean(expected)))
    assert trend["dimension_field"] == "gap"
    for code, items_d in DEFAULT_DIMENSIONS.items():
        per_period = [dimension_mean(frame[frame["period"] == p], items_d, "P-E") for p in PERIODS]
        assert [p["value"] for p in trend["dimensions"][code]["points"]] == approx(per_period)


def test_no_trend_without_a_period_column(tmp_path: Path) -> None:
    """A file without a period column has no trend (and no groups without --by)."""
    frame = synthetic_frame(60).drop(columns=["period"])
    report = analyze_json(write_csv(frame, tmp_path / "flat.csv"))
    assert "trend" not in report
    assert "groups" not in report


@pytest.mark.parametrize("missing", ["listwise", "pairwise"])
def test_alpha_follows_the_missing_rule(synthetic: Any, missing: str) -> None:
    """With skipped items (about 5 % here), --missing listwise is Cronbach's alpha over the
    respondents who answered every item of the dimension and --missing pairwise the alpha of
    the pairwise-complete covariance matrix, k/(k−1)·(1 − tr C/ΣC): pingouin's two
    nan_policy values; the two differ."""
    folder, frame, _report = synthetic
    report = analyze_json(folder / "survey.csv", "--missing", missing)
    for code, items in DEFAULT_DIMENSIONS.items():
        alpha = report["dimensions"][code]["alpha"]
        for name, field in (("perception", "P"), ("expectation", "E"), ("gap", "P-E")):
            data = item_values(frame, items, field)
            expected, _ci = pg.cronbach_alpha(data=data, nan_policy=missing)
            other, _ci = pg.cronbach_alpha(
                data=data, nan_policy="pairwise" if missing == "listwise" else "listwise"
            )
            assert alpha[name] == approx(float(expected)), (code, name)
            assert abs(float(expected) - float(other)) > 1e-6


# --- 3. perception-only and three-column files ---------------------------------------------


def test_perception_only_file_has_no_gap_and_no_servqual(tmp_path: Path) -> None:
    """A file with P columns only: mode perception_only, dimensions carry perception (the
    respondent-rule mean) and no expectation or gap, servqual is null; the index is still
    (m̄ − 1)/6·100."""
    frame = synthetic_frame(120, kinds=("P",))
    report = analyze_json(write_csv(frame, tmp_path / "p.csv"))
    assert report["mode"] == "perception_only"
    assert report["servqual"] is None
    for code, items in DEFAULT_DIMENSIONS.items():
        entry = report["dimensions"][code]
        assert "gap" not in entry
        assert "expectation" not in entry
        assert set(entry["alpha"]) == {"perception"}
        assert entry["perception"]["mean"] == approx(dimension_mean(frame, items, "P"))
    assert report["index"]["value"] == approx(index_of(frame, all_items(DEFAULT_DIMENSIONS))[0])


def test_three_column_file_has_the_zone_of_tolerance(tmp_path: Path) -> None:
    """MIN, DES and P columns: per dimension minimum, desired, perception, adequacy_gap
    (P − MIN) and superiority_gap (P − DES), each the respondent-rule mean, and a
    zone_of_tolerance whose minimum/desired/perception are those means; its position says
    where the perception lies (below/within/above [minimum, desired])."""
    frame = synthetic_frame(150, kinds=("MIN", "DES", "P"))
    report = analyze_json(write_csv(frame, tmp_path / "three.csv"))
    assert report["mode"] == "three_column"
    assert report["servqual"] is None
    for code, items in DEFAULT_DIMENSIONS.items():
        entry = report["dimensions"][code]
        assert "gap" not in entry
        minimum = dimension_mean(frame, items, "MIN")
        desired = dimension_mean(frame, items, "DES")
        perception = dimension_mean(frame, items, "P")
        assert entry["minimum"]["mean"] == approx(minimum)
        assert entry["desired"]["mean"] == approx(desired)
        assert entry["perception"]["mean"] == approx(perception)
        assert entry["adequacy_gap"]["mean"] == approx(dimension_mean(frame, items, "P-MIN"))
        assert entry["superiority_gap"]["mean"] == approx(dimension_mean(frame, items, "P-DES"))
        zone = entry["zone_of_tolerance"]
        assert zone["minimum"] == approx(minimum)
        assert zone["desired"] == approx(desired)
        assert zone["perception"] == approx(perception)
        expected = (
            "below" if perception < minimum else "above" if perception > desired else "within"
        )
        assert zone["position"] == expected


# --- 4. table and XLSX ---------------------------------------------------------------------


def test_table_prints_dimensions_and_the_index(tmp_path: Path) -> None:
    """--format table names every dimension with its gap mean and prints the index as the
    JSON has it (one decimal)."""
    path = write_csv(synthetic_frame(90), tmp_path / "survey.csv")
    report = analyze_json(path)
    result = invoke(path, "--format", "table")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for code in DEFAULT_DIMENSIONS:
        line = next(row for row in lines if row.startswith(code))
        assert f"{report['dimensions'][code]['gap']['mean']:.2f}" in line.split()
    assert f"satisfaction index {report['index']['value']:.1f}" in result.stdout
    assert "90 respondents" in result.stdout


def test_xlsx_has_the_sheets_and_the_json_numbers(tmp_path: Path) -> None:
    """--format xlsx --out writes a workbook with sheets dimensions, items, index; its
    dimension rows (overall and per site) hold the JSON's gap means, its index row the
    JSON's index."""
    path = write_csv(synthetic_frame(90), tmp_path / "survey.csv")
    report = analyze_json(path, "--by", "site")
    out = tmp_path / "report.xlsx"
    result = invoke(path, "--by", "site", "--format", "xlsx", "--out", out)
    assert result.exit_code == 0, result.output
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["dimensions", "items", "index"]
    rows = list(book["dimensions"].iter_rows(values_only=True))
    header = list(rows[0])
    at = {name: header.index(name) for name in ("group", "value", "dimension", "gap mean")}
    gap_means = {
        (row[at["group"]], row[at["value"]] or "", row[at["dimension"]]): row[at["gap mean"]]
        for row in rows[1:]
    }
    expected = {("all", "", c): e["gap"]["mean"] for c, e in report["dimensions"].items()}
    for site, part in report["groups"]["site"].items():
        expected |= {("site", site, c): e["gap"]["mean"] for c, e in part["dimensions"].items()}
    assert gap_means.keys() == expected.keys()
    for key, value in expected.items():
        assert gap_means[key] == pytest.approx(value, abs=1e-12), key
    index_rows = list(book["index"].iter_rows(values_only=True))
    assert index_rows[1][:4] == ("all", None, 90, pytest.approx(report["index"]["value"]))
    item_rows = list(book["items"].iter_rows(values_only=True))
    assert len(item_rows) == 1 + 22 * (1 + len(report["groups"]["site"]))
    book.close()


def test_json_out_writes_the_same_report(tmp_path: Path) -> None:
    """--out FILE.json writes what standard output would have shown."""
    path = write_csv(synthetic_frame(40), tmp_path / "survey.csv")
    out = tmp_path / "report.json"
    result = invoke(path, "--out", out)
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8")) == analyze_json(path)


# --- 5. bad input --------------------------------------------------------------------------

HEADER_EP = "site,E1,P1,E2,P2,overall\n"


def _csv(text: str) -> Callable[[Path], list[str | Path]]:
    def make(folder: Path) -> list[str | Path]:
        path = folder / "data.csv"
        path.write_text(text, encoding="utf-8")
        return [path]

    return make


def _instrument(text: str) -> Callable[[Path], list[str | Path]]:
    def make(folder: Path) -> list[str | Path]:
        path = folder / "data.csv"
        path.write_text("P1,P2\n5,6\n", encoding="utf-8")
        (folder / "instrument.json").write_text(text, encoding="utf-8")
        return [path, "--instrument", folder / "instrument.json"]

    return make


def _cp949(folder: Path) -> list[str | Path]:
    path = folder / "data.csv"
    path.write_bytes("site,P1,P2\n서울 본점,5,6\n".encode("cp949"))
    return [path]


def _with(make: Callable[[Path], list[str | Path]], *extra: str) -> Callable[[Path], list[Any]]:
    def build(folder: Path) -> list[Any]:
        return [*make(folder), *extra]

    return build


def _out_in_missing_folder(fmt: str) -> Callable[[Path], list[Any]]:
    def build(folder: Path) -> list[Any]:
        path = folder / "data.csv"
        path.write_text("P1,P2\n5,6\n", encoding="utf-8")
        return [path, "--format", fmt, "--out", folder / "no-such-folder" / f"report.{fmt}"]

    return build


W_HEADER = "P1," + ",".join(f"W_{code}" for code in DEFAULT_DIMENSIONS) + "\n"

BAD_INPUT = {
    "answer above the scale": (
        _csv(HEADER_EP + "A,6,5,6,5,4\nB,6,5,6,8,4\n"),
        "{file}: line 3, column P2: 8 is not a whole number from 1 to 7",
    ),
    "not a number": (
        _csv(HEADER_EP + "A,6,5,6,5,4\nB,6,5,abc,5,4\n"),
        "{file}: line 3, column E2: 'abc' is not a number",
    ),
    "fraction": (
        _csv(HEADER_EP + "A,6,5.5,6,5,4\n"),
        "{file}: line 2, column P1: 5.5 is not a whole number from 1 to 7",
    ),
    "overall off its own scale": (
        _csv(HEADER_EP + "A,6,5,6,5,6\n"),
        "{file}: line 2, column overall: 6 is not a whole number from 1 to 5",
    ),
    "importance not 100": (
        _csv(W_HEADER + "5,20,20,20,20,20\n5,20,20,20,20,10\n"),
        "{file}: line 3, column W_*: importance points add up to 90, not 100",
    ),
    "importance for some dimensions only": (
        _csv(W_HEADER + "5,25,25,25,25,\n"),
        "{file}: line 2, column W_*: importance points for 4 of 5 dimensions",
    ),
    "not UTF-8": (_cp949, "error: the file is not UTF-8 text"),
    "missing file": (
        lambda folder: [folder / "nowhere.csv"],
        "error: cannot read {folder}/nowhere.csv: No such file or directory",
    ),
    "instrument not JSON": (_instrument("{dimensions: "), "error: the instrument file is not JSON"),
    "instrument without dimensions": (
        _instrument('{"scale": [1, 7]}'),
        'error: the instrument file needs "dimensions"',
    ),
    "instrument with an empty dimension map": (
        _instrument('{"dimensions": {}}'),
        'error: the instrument file needs "dimensions"',
    ),
    "instrument with an item in two dimensions": (
        _instrument('{"dimensions": {"speed": [1, 2], "care": [2, 3]}}'),
        "error: an item may belong to one dimension only",
    ),
    "instrument file missing": (
        lambda folder: [*_csv("P1\n5\n")(folder), "--instrument", folder / "none.json"],
        "error: cannot read {folder}/none.json: No such file or directory",
    ),
    "instrument with a fractional item": (
        _instrument('{"dimensions": {"speed": [1, 2.5]}}'),
        "error: dimension 'speed': item numbers must be positive integers",
    ),
    "instrument with an item as text": (
        _instrument('{"dimensions": {"speed": [1, "2"]}}'),
        "error: dimension 'speed': item numbers must be positive integers",
    ),
    "format pdf": (
        _with(_csv("P1\n5\n"), "--format", "pdf"),
        "error: --format must be one of json, table, xlsx",
    ),
    "by a missing column": (
        _with(_csv("site,P1\nA,5\n"), "--by", "site,counter"),
        "error: the file has no 'counter' column to break down by",
    ),
    "by a column that is no group": (
        _with(_csv("site,sex,P1\nA,F,5\n"), "--by", "sex"),
        "error: --by takes site, counter, staff, period, not 'sex'",
    ),
    "xlsx without out": (
        _with(_csv("P1\n5\n"), "--format", "xlsx"),
        "error: --format xlsx needs --out FILE.xlsx",
    ),
    "missing rule": (
        _with(_csv("P1\n5\n"), "--missing", "mean"),
        "error: --missing must be listwise or pairwise",
    ),
    "empty file": (_csv(""), "{file}: line 1: the file is empty"),
    "no P columns": (
        _csv("site,E1,E2\nA,5,6\n"),
        "{file}: line 1: no perception columns (P1, P2, …) for the instrument's items",
    ),
    "more cells than columns": (
        _csv("site,P1,P2\nA,5,6\nB,5,6,7\n"),
        "{file}: line 3: 4 cells but 3 columns",
    ),
    "three-column without DES": (
        _csv("MIN1,P1\n3,5\n"),
        "{file}: line 1: columns DES… are missing",
    ),
    "xlsx into a missing folder": (
        _out_in_missing_folder("xlsx"),
        "error: cannot write {folder}/no-such-folder/report.xlsx",
    ),
    "json into a missing folder": (
        _out_in_missing_folder("json"),
        "error: cannot write {folder}/no-such-folder/report.json",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_one_precise_message_and_exit_code_2(tmp_path: Path, case: str) -> None:
    """Each bad input: exit code 2, the message on standard error (naming line and column
    for a bad cell), nothing on standard output, and no traceback."""
    build, message = BAD_INPUT[case]
    result = invoke(*build(tmp_path))
    expected = message.format(file=tmp_path / "data.csv", folder=tmp_path)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert expected in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_a_bad_importance_cell_is_one_message(tmp_path: Path) -> None:
    """A W_ cell that is not a number is reported once, not again as a wrong sum."""
    path = tmp_path / "data.csv"
    path.write_text(W_HEADER + "5,abc,20,20,20,20\n", encoding="utf-8")
    result = invoke(path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{path}: line 2, column W_tangibles: 'abc' is not a number"
    ]


def test_every_bad_cell_is_listed_with_its_line(tmp_path: Path) -> None:
    """Several bad cells: one line each on standard error, with the file's line numbers
    (the header is line 1; a blank line still counts as a line)."""
    path = tmp_path / "data.csv"
    path.write_text("site,P1,P2\nA,5,0\n\nB,9,6\nC,x,7\n", encoding="utf-8")
    result = invoke(path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{path}: line 2, column P2: 0 is not a whole number from 1 to 7",
        f"{path}: line 4, column P1: 9 is not a whole number from 1 to 7",
        f"{path}: line 5, column P1: 'x' is not a number",
    ]


# --- 6. small cells and empty rows ---------------------------------------------------------


def _estimates(report: dict[str, Any]) -> list[Any]:
    found = [e for entry in report["dimensions"].values() for e in entry.values() if "mean" in e]
    found += [e for entry in report["items"].values() for e in entry.values() if "mean" in e]
    return found


def test_cells_below_min_n_are_marked_insufficient(tmp_path: Path) -> None:
    """--min-n 40: every estimate with n < 40 has sufficient false and every other true;
    overall (120 respondents) is sufficient throughout, each site (about 36) per its own n,
    and a site with 12 respondents is insufficient everywhere; the table marks it."""
    frame = synthetic_frame(120)
    frame.loc[frame.index[:12], "site"] = "tiny"
    path = write_csv(frame, tmp_path / "survey.csv")
    report = analyze_json(path, "--by", "site", "--min-n", "40")
    assert report["min_n"] == 40
    checked = 0
    for part in [report, *report["groups"]["site"].values()]:
        for estimate in _estimates(part):
            assert estimate["sufficient"] is (estimate["n"] >= 40), estimate
            checked += 1
    assert checked > 0
    assert all(e["sufficient"] for e in _estimates(report))
    tiny = report["groups"]["site"]["tiny"]
    assert tiny["n_respondents"] == 12
    assert not any(e["sufficient"] for e in _estimates(tiny))
    table = invoke(path, "--by", "site", "--min-n", "40", "--format", "table").stdout
    tiny_block = table.split("site = tiny")[1]
    assert "(n < minimum)" in tiny_block


def test_blank_lines_and_empty_rows_are_not_respondents(tmp_path: Path) -> None:
    """Blank lines and rows of empty cells (as spreadsheets leave them) count as nobody:
    not in n_respondents, not in the index n, and they make no empty group under --by."""
    header = "site,period,E1,P1,E2,P2,overall\n"
    rows = "A,2026-01,6,5,6,4,4\n\n,,,,,,\nB,2026-01,7,6,5,5,3\n  ,,, ,,,\nA,2026-02,5,5,5,6,5\n\n"
    path = tmp_path / "data.csv"
    path.write_text(header + rows, encoding="utf-8")
    report = analyze_json(path, "--by", "site,period")
    assert report["n_respondents"] == 3
    assert report["index"]["n"] == 3
    assert report["dimensions"]["tangibles"]["gap"]["n"] == 3
    # tangibles gap by respondent: (-1 - 2)/2, (-1 + 0)/2, (0 + 1)/2 → mean (-1.5 - 0.5 + 0.5)/3
    assert report["dimensions"]["tangibles"]["gap"]["mean"] == approx(-0.5)
    assert {v: p["n_respondents"] for v, p in report["groups"]["site"].items()} == {"A": 2, "B": 1}
    assert list(report["groups"]["period"]) == ["2026-01", "2026-02"]
    assert [p["period"] for p in report["trend"]["periods"]] == ["2026-01", "2026-02"]


def test_excel_csv_utf8_with_bom_and_crlf_is_read(tmp_path: Path) -> None:
    """Excel's "CSV UTF-8" (a byte-order mark before the first column name, CRLF line ends)
    reads like a plain file: the first column keeps its name, the same report."""
    text = "site,P1,P2,overall\nA,5,6,4\nB,3,4,2\nA,7,7,5\n"
    plain = tmp_path / "plain.csv"
    plain.write_text(text, encoding="utf-8")
    excel = tmp_path / "excel.csv"
    excel.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    report = analyze_json(excel, "--by", "site")
    assert report == analyze_json(plain, "--by", "site")
    assert {v: p["n_respondents"] for v, p in report["groups"]["site"].items()} == {"A": 2, "B": 1}


def test_a_named_overall_column_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    """A typo in --overall-column must not silently drop derived importance."""
    path = tmp_path / "answers.csv"
    path.write_text("P1,P2,overall1\n5,6,4\n", encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(path), "--overall-column", "overal1"])
    assert result.exit_code == 2
    assert "no column 'overal1'" in result.output


def test_kiosk_factor_check_equals_the_analytics_function_on_complete_rows(kiosk: Any) -> None:
    """The JSON factor check is analytics.factors.factor_structure on the 20 mapped
    perception items (listwise): same n, same share, same misplaced items (on this data
    18 of 20 items load most on their own dimension; see tests/analytics/test_factors.py)."""
    from analytics.factors import factor_structure

    frame, report = kiosk
    items = all_items(KIOSK_DIMENSIONS)
    intended = [code for code, numbers in KIOSK_DIMENSIONS.items() for _ in numbers]
    expected = factor_structure(frame[[f"P{i}" for i in items]].to_numpy(float), intended)
    check = report["factor_check"]
    assert check["n"] == expected.n_used == 207
    assert check["share_ok"] == pytest.approx(expected.share_ok)
    assert {code for code, item in check["items"].items() if not item["ok"]} == {
        f"q{items[fit.item]}" for fit in expected.items if not fit.ok
    }
