"""A report as a terminal table and as an XLSX workbook (``manyi analyze --format``)."""

from pathlib import Path
from typing import Any

from openpyxl import Workbook

from api.exports.cells import append_row
from api.exports.report_json import FIELD_NAMES, analysis_json
from survey.stats.analysis import Analysis


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _interval(values: list[Any]) -> str:
    return f"[{_fmt(values[0])}, {_fmt(values[1])}]"


def report_table(analysis: Analysis) -> str:
    """A plain-text summary: dimensions, index, SERVQUAL scores, IPA, groups."""
    data = analysis_json(analysis)
    return "\n".join(_table_lines(data, title="all respondents"))


def _table_lines(data: dict[str, Any], *, title: str) -> list[str]:
    lines = [f"== {title}: {data['n_respondents']} respondents ({data['mode']}) =="]
    fields = [f for f in FIELD_NAMES.values() if f in next(iter(data["dimensions"].values()))]
    header = f"{'dimension':<16}" + "".join(f"{f:>18}" for f in fields) + f"{'n':>7}{'alpha P':>9}"
    lines.append(header)
    for code, entry in data["dimensions"].items():
        cells = "".join(f"{_fmt(entry[f]['mean']):>18}" for f in fields)
        last = entry[fields[-1]]
        alpha = entry["alpha"].get("perception")
        mark = "" if last["sufficient"] else " (n < minimum)"
        lines.append(f"{code:<16}{cells}{last['n']:>7}{_fmt(alpha):>9}{mark}")
    index = data["index"]
    lines.append(
        f"satisfaction index {_fmt(index['value'], 1)} {_interval(index['ci95'])} "
        f"n={index['n']} ({index['method']} v{index['version']})"
    )
    if data["servqual"]:
        lines.append(
            f"SERVQUAL unweighted {_fmt(data['servqual']['unweighted'])}, "
            f"weighted {_fmt(data['servqual']['weighted'])}"
        )
    lines.append("importance–performance:")
    for code, entry in data["ipa"].items():
        lines.append(
            f"  {code:<16} performance {_fmt(entry['performance'])}  "
            f"stated {_fmt(entry['stated_importance'], 1)}  "
            f"derived {_fmt(entry['derived_importance'])}  {entry['quadrant'] or '—'}"
        )
    if "factor_check" in data:
        check = data["factor_check"]
        if check["insufficient"]:
            lines.append(f"factor check: not enough complete answers ({check['reason']})")
        else:
            misplaced = [code for code, item in check["items"].items() if not item["ok"]]
            lines.append(
                f"factor check: {len(check['items']) - len(misplaced)} of {len(check['items'])}"
                " items load most on their own dimension"
                + (f" (not: {', '.join(misplaced)})" if misplaced else "")
            )
    if "trend" in data:
        signals = [
            f"{s['period']} {s['rule']} {s['direction']}" for s in data["trend"]["index"]["signals"]
        ]
        lines.append("index trend signals: " + (", ".join(signals) if signals else "none"))
    for column, parts in data.get("groups", {}).items():
        for value, part in parts.items():
            lines.append("")
            lines.extend(_table_lines(part, title=f"{column} = {value or '(empty)'}"))
    return lines


def write_xlsx(analysis: Analysis, path: Path) -> None:
    """A workbook: one sheet of dimension rows and one of item rows per group."""
    data = analysis_json(analysis)
    book = Workbook()
    dimension_sheet = book.active
    assert dimension_sheet is not None
    dimension_sheet.title = "dimensions"
    item_sheet = book.create_sheet("items")
    index_sheet = book.create_sheet("index")
    fields = list(FIELD_NAMES.values())
    append_row(
        dimension_sheet,
        ["group", "value", "dimension"]
        + [f"{f} {part}" for f in fields for part in ("mean", "ci95 low", "ci95 high", "n")]
        + ["alpha perception", "alpha expectation", "alpha gap", "quadrant"],
    )
    append_row(
        item_sheet,
        ["group", "value", "item", "dimension"]
        + [f"{f} {part}" for f in fields for part in ("mean", "ci95 low", "ci95 high", "n")],
    )
    append_row(
        index_sheet, ["group", "value", "respondents", "index", "ci95 low", "ci95 high", "n"]
    )

    def estimate_cells(entry: dict[str, Any]) -> list[Any]:
        cells: list[Any] = []
        for f in fields:
            e = entry.get(f)
            cells += [e["mean"], e["ci95"][0], e["ci95"][1], e["n"]] if e else [None] * 4
        return cells

    def add(group: str, value: str, part: dict[str, Any]) -> None:
        for code, entry in part["dimensions"].items():
            append_row(
                dimension_sheet,
                [
                    group,
                    value,
                    code,
                    *estimate_cells(entry),
                    entry["alpha"].get("perception"),
                    entry["alpha"].get("expectation"),
                    entry["alpha"].get("gap"),
                    part["ipa"][code]["quadrant"],
                ],
            )
        for code, entry in part["items"].items():
            append_row(item_sheet, [group, value, code, entry["dimension"], *estimate_cells(entry)])
        index = part["index"]
        append_row(
            index_sheet,
            [group, value, part["n_respondents"], index["value"], *index["ci95"], index["n"]],
        )

    add("all", "", data)
    for column, parts in data.get("groups", {}).items():
        for value, part in parts.items():
            add(column, value, part)
    book.save(path)
