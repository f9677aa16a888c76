"""Tables as the dashboard shows them, and the same tables as CSV and XLSX downloads.

A page builds each of its tables once as a :class:`Table`; the template renders it (with
numbers formatted for the reader's language) and the export routes write the same rows
(a workbook at full precision shown with the page's decimals, a CSV with four decimals
more), so what a manager downloads is what they saw.
"""

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from openpyxl import Workbook

from api.exports.cells import append_row, csv_cell

ColumnKind = Literal["text", "int", "number", "link"]


@dataclass(frozen=True)
class Column:
    """A column: its key in each row, its heading and how its values are shown.

    ``digits`` is the number of decimals shown on the page (and in a workbook, which keeps
    full precision underneath; a CSV keeps four more).
    A ``link`` column holds ``(text, href)`` pairs; downloads keep the text.
    """

    key: str
    title: str
    kind: ColumnKind = "text"
    digits: int = 2


@dataclass(frozen=True)
class Table:
    """Rows of one table. ``muted_rows`` are shown greyed (e.g. too few answers)."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]
    muted_rows: frozenset[int] = field(default_factory=frozenset)
    marks: dict[int, str] = field(default_factory=dict)
    note: str = ""

    def cells(self, row: dict[str, Any]) -> list[Any]:
        """The row's plain values in column order (links as their text, NaN as None)."""
        return [plain_value(row.get(column.key)) for column in self.columns]


def plain_value(value: Any) -> Any:
    if isinstance(value, tuple) and len(value) == 2:
        return value[0]
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


CSV_EXTRA_DIGITS = 4
"""Decimals a CSV keeps beyond what the page shows: 78.91306, not 78.91305663751484."""


def _csv_value(value: Any, column: Column) -> Any:
    if value is None:
        return ""
    if column.kind == "number" and isinstance(value, float):
        return round(value, column.digits + CSV_EXTRA_DIGITS)
    return csv_cell(value)


def table_csv(table: Table) -> str:
    """The table as CSV (UTF-8 with a byte-order mark, so Excel opens Chinese text right);
    numbers with four decimals more than the page shows, text that would start a formula
    escaped (:mod:`api.exports.cells`)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(column.title) for column in table.columns])
    for row in table.rows:
        cells = table.cells(row)
        writer.writerow([_csv_value(v, c) for v, c in zip(cells, table.columns, strict=True)])
    return buffer.getvalue()


def table_xlsx(tables: Sequence[Table]) -> bytes:
    """The tables as one workbook, a sheet each, numbers as numbers (full precision,
    shown with the page's decimals) and text as text (never a formula)."""
    workbook = Workbook()
    first = True
    for table in tables:
        sheet = workbook.active if first else workbook.create_sheet()
        first = False
        assert sheet is not None
        sheet.title = _sheet_title(table.name)
        append_row(sheet, [column.title for column in table.columns])
        for row in table.rows:
            append_row(sheet, table.cells(row))
        for index, column in enumerate(table.columns):
            if column.kind == "number":
                shown = "0." + "0" * column.digits if column.digits else "0"
                for cell in sheet[_column_letter(index)][1:]:
                    cell.number_format = shown
        for index, column in enumerate(table.columns):
            sample = [str(plain_value(row.get(column.key, ""))) for row in table.rows[:200]]
            width = max([len(column.title), *map(len, sample)])
            sheet.column_dimensions[_column_letter(index)].width = min(max(width + 2, 10), 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(name: str) -> str:
    """Excel sheet names: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name)
    return cleaned[:31] or "table"


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


TABLE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
"""The formats a table downloads as, with their media types."""


def table_download(table: Table, extension: str, filename: str) -> tuple[bytes | str, str, str]:
    """The body, media type and Content-Disposition of ``table`` as ``extension`` (a key of
    :data:`TABLE_TYPES`) saved as ``filename.extension``."""
    body = table_csv(table) if extension == "csv" else table_xlsx([table])
    disposition = f'attachment; filename="{filename}.{extension}"'
    return body, TABLE_TYPES[extension], disposition
