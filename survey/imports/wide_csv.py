"""Survey data collected elsewhere (paper forms typed into a spreadsheet) as a wide CSV.

One row per respondent. Optional place and time columns ``respondent_id``, ``site``,
``counter``, ``staff``, ``period``; answer columns ``E1..En`` and ``P1..Pn`` (paired),
``P1..Pn`` alone (perceptions only) or ``MIN1..``, ``DES1..``, ``P1..`` (three-column);
``W_<dimension>`` importance points; ``overall``. An empty cell is a missing answer; other
columns are ignored. Item ``i`` of the file is the item with code ``q<i>``.
"""

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analytics.power_sums import AnswerMatrix, Dimension, Layout
from survey.questionnaires import default_instrument as default

SEGMENT_COLUMNS = ("respondent_id", "site", "counter", "staff", "period", "date", "language")
ANSWER_PREFIXES = {"E": "E", "P": "P", "MIN": "MIN", "DES": "DES"}
_ANSWER_COLUMN = re.compile(r"^(MIN|DES|E|P)(\d+)$")
MAX_ERRORS = 50


class WideCsvError(ValueError):
    """A file that cannot be read; ``problems`` lists ``(line, column, message)``."""

    def __init__(self, problems: list[tuple[int, str, str]]) -> None:
        self.problems = problems
        shown = "; ".join(
            f"line {line}" + (f", column {column}" if column else "") + f": {message}"
            for line, column, message in problems[:10]
        )
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        super().__init__(shown + more)


def item_code(number: int) -> str:
    """The instrument item code of column number ``number`` (``P3`` → ``q3``)."""
    return f"q{number}"


def default_layout() -> Layout:
    """The built-in 22-item instrument: five dimensions, answers 1–7, overall 1–5."""
    dimensions: dict[str, list[str]] = {code: [] for code, *_ in default.DIMENSIONS}
    for code, dimension, *_texts in default.ITEMS:
        dimensions[dimension].append(code)
    return Layout(
        tuple(Dimension(code, tuple(items)) for code, items in dimensions.items()),
        scale=(1, 7),
        overall_scale=(1, 5),
    )


def layout_from_json(text: str) -> Layout:
    """An instrument map such as ``{"scale": [1, 7], "overall_scale": [1, 5],
    "dimensions": {"security": [19, 20, 21], ...}}`` (item numbers per dimension).

    Raises ValueError with a readable message for anything else.
    """
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"the instrument file is not JSON: {error}") from error
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("dimensions"), dict)
        or not data["dimensions"]
    ):
        raise ValueError('the instrument file needs "dimensions": {"name": [item numbers]}')
    dimensions = []
    for name, numbers in data["dimensions"].items():
        if not isinstance(numbers, list) or not numbers:
            raise ValueError(f"dimension {name!r}: give a non-empty list of item numbers")
        if not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in numbers):
            raise ValueError(f"dimension {name!r}: item numbers must be positive integers")
        dimensions.append(Dimension(str(name), tuple(item_code(n) for n in numbers)))
    scale = _scale(data.get("scale", [1, 7]), "scale")
    overall_scale = _scale(data.get("overall_scale", [1, 5]), "overall_scale")
    return Layout(tuple(dimensions), scale=scale, overall_scale=overall_scale)


def _scale(value: Any, name: str) -> tuple[int, int]:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        or value[0] >= value[1]
    ):
        raise ValueError(f'"{name}" must be [lowest, highest], two whole numbers')
    return (value[0], value[1])


@dataclass(frozen=True)
class WideTable:
    """The answers of a wide CSV, with its segment columns and the file's line numbers."""

    answers: AnswerMatrix
    mode: str
    segments: dict[str, list[str]]
    line_numbers: list[int] = field(default_factory=list)

    def select(self, rows: np.ndarray) -> AnswerMatrix:
        """The answers of some rows (a boolean mask or indices)."""
        return self.answers.rows(rows)


def read_wide_csv(text: str, layout: Layout, *, overall_column: str = "overall") -> WideTable:
    """Read and validate a wide CSV; raise :class:`WideCsvError` listing every bad cell.

    Answers must be whole numbers on the instrument's scale, the overall rating on its
    scale, importance points whole numbers from 0 to 100 that add up to 100 per row (or
    are all empty). Line numbers count the header as line 1.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise WideCsvError([(1, "", "the file is empty")]) from None
    if len(set(header)) != len(header):
        raise WideCsvError([(1, "", "a column name appears twice")])
    wanted_items = {code: i for i, code in enumerate(layout.items)}
    answer_columns: dict[str, dict[int, int]] = {}
    for position, name in enumerate(header):
        match = _ANSWER_COLUMN.match(name)
        if match and item_code(int(match.group(2))) in wanted_items:
            answer_columns.setdefault(match.group(1), {})[position] = wanted_items[
                item_code(int(match.group(2)))
            ]
    if "P" not in answer_columns:
        raise WideCsvError(
            [(1, "", "no perception columns (P1, P2, …) for the instrument's items")]
        )
    needed: tuple[str, ...]
    if "MIN" in answer_columns or "DES" in answer_columns:
        mode, needed = "three_column", ("MIN", "DES", "P")
    elif "E" in answer_columns:
        mode, needed = "paired", ("E", "P")
    else:
        mode, needed = "perception_only", ("P",)
    missing_fields = [f for f in needed if f not in answer_columns]
    if missing_fields:
        raise WideCsvError([(1, "", f"columns {', '.join(missing_fields)}… are missing")])
    importance_columns = {
        position: layout.dimension_codes.index(name[2:])
        for position, name in enumerate(header)
        if name.startswith("W_") and name[2:] in layout.dimension_codes
    }
    if overall_column != "overall" and overall_column not in header:
        raise WideCsvError(
            [(1, "", f"there is no column {overall_column!r} for the overall rating")]
        )
    overall_position = header.index(overall_column) if overall_column in header else None
    segment_positions = {name: header.index(name) for name in SEGMENT_COLUMNS if name in header}

    # Blank lines and rows of empty cells (spreadsheets leave them) are nobody: dropping
    # them keeps them out of the --by groups; line numbers still count them.
    numbered = [(line, row) for line, row in enumerate(reader, 2) if any(c.strip() for c in row)]
    n, k, d = len(numbered), len(layout.items), len(layout.dimension_codes)
    values = {f: np.full((n, k), np.nan) for f in needed}
    overall = np.full(n, np.nan)
    importance = np.full((n, d), np.nan) if importance_columns else None
    segments: dict[str, list[str]] = {name: [] for name in segment_positions}
    problems: list[tuple[int, str, str]] = []
    low, high = layout.scale
    o_low, o_high = layout.overall_scale
    for r, (line, row) in enumerate(numbered):
        if len(row) > len(header):
            problems.append((line, "", f"{len(row)} cells but {len(header)} columns"))
            continue
        row = row + [""] * (len(header) - len(row))
        for f in needed:
            for position, column in answer_columns[f].items():
                values[f][r, column] = _cell(
                    row[position], low, high, line, header[position], problems
                )
        if overall_position is not None:
            overall[r] = _cell(row[overall_position], o_low, o_high, line, overall_column, problems)
        if importance is not None:
            bad_cells = len(problems)
            for position, dimension in importance_columns.items():
                importance[r, dimension] = _cell(
                    row[position], 0, 100, line, header[position], problems
                )
            given = importance[r][~np.isnan(importance[r])]
            # (a bad W_ cell is reported already: its sum would be a second, wrong message)
            if given.size and len(problems) == bad_cells:
                if given.size < d:
                    problems.append(
                        (
                            line,
                            "W_*",
                            f"importance points for {given.size} of {d} dimensions: give "
                            "points for every dimension (0 for none), or leave all empty",
                        )
                    )
                elif given.sum() != 100:
                    problems.append(
                        (line, "W_*", f"importance points add up to {int(given.sum())}, not 100")
                    )
        for name, position in segment_positions.items():
            segments[name].append(row[position].strip())
        if len(problems) >= MAX_ERRORS:
            break
    if problems:
        raise WideCsvError(problems)
    return WideTable(
        answers=AnswerMatrix(layout=layout, values=values, overall=overall, importance=importance),
        mode=mode,
        segments=segments,
        line_numbers=[line for line, _ in numbered],
    )


def _cell(
    raw: str, low: int, high: int, line: int, column: str, problems: list[tuple[int, str, str]]
) -> float:
    text = raw.strip()
    if text == "":
        return np.nan
    try:
        number = float(text)
    except ValueError:
        problems.append((line, column, f"{text!r} is not a number"))
        return np.nan
    if not number.is_integer() or not low <= number <= high:
        problems.append((line, column, f"{text} is not a whole number from {low} to {high}"))
        return np.nan
    return number


def group_rows(values: Iterable[str]) -> dict[str, np.ndarray]:
    """Row indices per distinct value, in sorted order of the values (empty value last)."""
    index: dict[str, list[int]] = {}
    for i, value in enumerate(values):
        index.setdefault(value, []).append(i)
    ordered = sorted(index, key=lambda v: (v == "", v))
    return {value: np.array(index[value], dtype=np.int64) for value in ordered}
