"""Cells of downloaded spreadsheets that hold text from outside (comments, complaint text,
names) stay text: a spreadsheet program never runs them as formulas.

A comment ``=HYPERLINK("https://evil.example", "open")`` written as is becomes a live link
in the manager's Excel, and ``=cmd|...`` once started programs (CSV injection, OWASP).
In an XLSX the cell is written with the string type, so it shows exactly what was typed;
in a CSV, which has no types, a text cell that a spreadsheet would read as a formula (it
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading ``'``,
the OWASP recommendation, which Excel and LibreOffice hide and treat as "this is text".
Numbers are never touched: only ``str`` values are text from outside.
"""

from collections.abc import Iterable
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """``value`` as a CSV cell: text that would start a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def append_row(sheet: Worksheet, values: Iterable[Any]) -> None:
    """Append ``values`` to ``sheet`` as its next row, every ``str`` as a text cell
    (openpyxl would otherwise store a string starting with ``=`` as a formula)."""
    values = list(values)
    sheet.append(values)
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            sheet.cell(row=row, column=column).data_type = "s"
