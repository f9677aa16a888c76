"""Rough edges of the dashboard's tables a walk-through found (issue 16, part 4): figures
nobody can compute showing ``NaN.00``, downloads with 15 decimals and a blank heading,
and six units all marked top 3 or bottom 3."""

import csv
import io
import math

from openpyxl import load_workbook

from analytics.rankings import RankedUnit, Ranking
from api.exports.tables import Column, Table, table_csv, table_xlsx
from api.i18n import NOT_A_NUMBER, format_number
from api.manager.dashboard.figures import _top_bottom

INDEX = 78.91305663751484


def _table() -> Table:
    columns = (Column("unit", "Unit"), Column("index", "Index", "number", 1))
    return Table("t", "T", columns, [{"unit": "A1", "index": INDEX}, {"unit": "B2", "index": None}])


def test_a_csv_keeps_four_decimals_more_than_the_page_and_a_workbook_all_of_them() -> None:
    """The index shown with one decimal is written 78.91306 in the CSV; the workbook keeps
    the full value and shows it as the page does (number format ``0.0``)."""
    rows = list(csv.reader(io.StringIO(table_csv(_table()).lstrip("\ufeff"))))
    assert rows == [["Unit", "Index"], ["A1", "78.91306"], ["B2", ""]]
    sheet = load_workbook(io.BytesIO(table_xlsx([_table()]))).active
    assert sheet is not None
    assert sheet["B2"].value == INDEX and sheet["B2"].number_format == "0.0"


def test_a_figure_that_cannot_be_computed_is_a_dash_not_nan() -> None:
    """No answers: the SERVQUAL score is NaN, shown as a dash in every language."""
    for locale in ("zh_Hans", "zh_Hant", "en"):
        assert format_number(math.nan, locale, digits=2) == NOT_A_NUMBER
        assert format_number(None, locale, digits=2) == NOT_A_NUMBER
    assert format_number(4.256, "en", digits=2) == "4.26"


def _ranking(count: int) -> Ranking:
    units = tuple(
        RankedUnit(unit=str(i), n=50, index=90.0 - i, shrunken_index=90.0 - i, rank=i + 1)
        for i in range(count)
    )
    return Ranking(units=units, parent_index=80.0, prior_weight=10.0, min_n=30)


def test_top_and_bottom_three_are_marked_only_when_a_unit_is_left_between() -> None:
    """Six ranked units would all be top or bottom: none is marked. Seven: the first
    three top, the last three bottom, the fourth neither."""
    assert _top_bottom(_ranking(6)) == {}
    marks = _top_bottom(_ranking(7))
    assert [marks.get(str(i), "") for i in range(7)] == ["top"] * 3 + [""] + ["bottom"] * 3
