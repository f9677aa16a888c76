"""``manyi staff import FILE --organisation ID [--dry-run]``: halls, counters and clerks
from a CSV or XLSX table, previewed, then stored all or nothing.

The command runs against the suite's database (SQLite or PostgreSQL, whichever this pass
tests), in-process with the tests' clock.
"""

import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, SQLModel, select

from survey.models import Counter, Site, StaffMember
from survey.places.organisations import create_organisation, create_region, staff_by_job_number
from tests.api.cli.conftest import Manyi

HEADER = (
    "site_code,site_name,region_code,address,opening_hours,"
    "counter_code,counter_name,service_type,job_number,staff_name"
)
TABLE = f"""{HEADER}
GZ-TH-01,天河营业厅,440106,天河路 1 号,09:00-17:00,A1,综合窗口,综合,1001,李娜
GZ-TH-01,,,,,A2,窗口 A2,,1002,王伟
GZ-LW-01,荔湾营业厅,440103,,,B1,窗口 B1,,,
"""


@pytest.fixture
def organisation(session: Session) -> str:
    """The id (as typed on the command line) of an organisation with the regions 440103
    and 440106 and no hall yet."""
    made = create_organisation(session, name="广州电信", slug="gz-telecom")
    assert made.id is not None
    create_region(session, organisation_id=made.id, code="440103", name="Liwan")
    create_region(session, organisation_id=made.id, code="440106", name="Tianhe")
    session.commit()
    return str(made.id)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def count(engine: Engine, table: type[SQLModel]) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def counts(engine: Engine) -> tuple[int, int, int]:
    return count(engine, Site), count(engine, Counter), count(engine, StaffMember)


def test_import_prints_the_preview_and_stores_the_table(
    manyi: Manyi, organisation: str, engine: Engine, tmp_path: Path
) -> None:
    file = write(tmp_path / "halls.csv", TABLE)
    result = manyi(["staff", "import", str(file), "--organisation", organisation])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "sites: 2 new, 0 changed, 0 unchanged",
        "counters: 3 new, 0 changed, 0 unchanged",
        "clerks: 2 new, 0 changed, 0 unchanged",
        "stored: sites 2 added, 0 changed; counters 3 added, 0 changed; clerks 2 added, 0 changed",
    ]
    assert counts(engine) == (2, 3, 2)

    again = manyi(["staff", "import", str(file), "--organisation", organisation])
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[:3] == [
        "sites: 0 new, 0 changed, 2 unchanged",
        "counters: 0 new, 0 changed, 3 unchanged",
        "clerks: 0 new, 0 changed, 2 unchanged",
    ]
    assert counts(engine) == (2, 3, 2)


def test_an_edited_workbook_shows_each_change_then_updates_in_place(
    manyi: Manyi, organisation: str, engine: Engine, tmp_path: Path
) -> None:
    """Clerk 1001 listed at the Liwan hall is moved there (same clerk, no second one), and
    the preview says so before it is done."""
    first = manyi(
        ["staff", "import", str(write(tmp_path / "a.csv", TABLE)), "--organisation", organisation]
    )
    assert first.exit_code == 0, first.output
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(["GZ-TH-01", "天河旗舰厅", 440106, None, None, "A2", None, None, 1002, "王伟"])
    sheet.append(["GZ-LW-01", None, None, None, None, "B1", None, None, 1001, "李娜"])
    out = io.BytesIO()
    book.save(out)
    file = tmp_path / "halls.xlsx"
    file.write_bytes(out.getvalue())

    result = manyi(["staff", "import", str(file), "--organisation", organisation])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:5] == [
        "sites: 0 new, 1 changed, 1 unchanged",
        "counters: 0 new, 0 changed, 2 unchanged",
        "clerks: 0 new, 1 changed, 1 unchanged",
        'line 2: site GZ-TH-01: site_name "天河营业厅" → "天河旗舰厅"',
        'line 3: clerk 1001: site_code "GZ-TH-01" → "GZ-LW-01"; counter_code "A1" → "B1"',
    ]
    assert counts(engine) == (2, 3, 2)
    with Session(engine) as session:
        clerk = staff_by_job_number(session, int(organisation), "1001")
        hall = session.exec(select(Site).where(Site.code == "GZ-LW-01")).one()
        assert clerk is not None and clerk.site_id == hall.id


def test_dry_run_shows_the_preview_and_stores_nothing(
    manyi: Manyi, organisation: str, engine: Engine, tmp_path: Path
) -> None:
    file = write(tmp_path / "halls.csv", TABLE)
    result = manyi(["staff", "import", str(file), "--organisation", organisation, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "sites: 2 new, 0 changed, 0 unchanged" in result.stdout
    assert result.stdout.splitlines()[-1] == "dry run: nothing was stored"
    assert counts(engine) == (0, 0, 0)


def test_every_bad_line_is_printed_and_nothing_is_stored(
    manyi: Manyi, organisation: str, engine: Engine, tmp_path: Path
) -> None:
    """The good rows are not stored either: the operator fixes the file and runs it again."""
    bad = TABLE + "GZ-XX-01,某营业厅,999999,,,,,,,\nGZ-YY-01,越秀营业厅,440103,,25:00-26:00,,,,,\n"
    file = write(tmp_path / "halls.csv", bad)
    result = manyi(["staff", "import", str(file), "--organisation", organisation])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{file}: line 5, column region_code: The organisation has no region with the code 999999.",
        f"{file}: line 6, column opening_hours: "
        "Write opening hours like 09:00-12:00,13:00-17:00: in order, not overlapping.",
        "nothing was stored",
    ]
    assert counts(engine) == (0, 0, 0)


def test_a_file_that_is_not_utf8_is_refused_with_its_line(
    manyi: Manyi, organisation: str, engine: Engine, tmp_path: Path
) -> None:
    """Excel on a Chinese Windows saves "CSV" in GBK: the message says how to save it."""
    file = tmp_path / "halls.csv"
    file.write_bytes(TABLE.encode("gbk"))
    result = manyi(["staff", "import", str(file), "--organisation", organisation])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"{file}: line 2: The file is not UTF-8 text: "
        "save it as CSV UTF-8, or as an Excel workbook (.xlsx)."
    )
    assert counts(engine) == (0, 0, 0)


def test_an_unknown_organisation_or_a_missing_file_is_refused(
    manyi: Manyi, organisation: str, tmp_path: Path
) -> None:
    file = write(tmp_path / "halls.csv", TABLE)
    unknown = manyi(["staff", "import", str(file), "--organisation", "999999"])
    assert unknown.exit_code == 2
    assert "There is no such organisation." in unknown.stderr
    missing = manyi(["staff", "import", str(tmp_path / "nope.csv"), "--organisation", organisation])
    assert missing.exit_code == 2
    assert "cannot read" in missing.stderr
