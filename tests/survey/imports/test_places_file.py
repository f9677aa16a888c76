"""Halls, counters and clerks from a spreadsheet: read, previewed, stored all or nothing,
and matched by code and job number when imported again."""

import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from survey.imports.places_file import (
    Change,
    PlaceRow,
    PlacesFileError,
    PlacesImportPlan,
    Status,
    Tally,
    apply_places_import,
    plan_places_import,
    read_places_file,
)
from survey.models import Counter, Site, StaffMember
from survey.places.links import create_link
from survey.places.organisations import (
    create_organisation,
    create_region,
    site_by_code,
    staff_by_job_number,
    staff_member_leaves,
)
from tests.factories import FixedClock, make_place

HEADER = (
    "site_code,site_name,region_code,address,opening_hours,"
    "counter_code,counter_name,service_type,job_number,staff_name"
)
TABLE = f"""{HEADER}
GZ-TH-01,天河营业厅,440106,天河路 1 号,"09:00-12:00,13:00-17:00",A1,综合窗口,综合,1001,李娜
GZ-TH-01,,,,,A2,窗口 A2,,1002,王伟
GZ-TH-01,,,,,,,,1003,陈静
GZ-LW-01,荔湾营业厅,440103,,,B1,窗口 B1,,,
"""
"""Two halls; three counters; a clerk at A1, one at A2 and one at no counter."""

STORED = {
    "sites": [
        ("GZ-LW-01", "荔湾营业厅", "440103", "", ""),
        ("GZ-TH-01", "天河营业厅", "440106", "天河路 1 号", "09:00-12:00,13:00-17:00"),
    ],
    "counters": [
        ("GZ-LW-01", "B1", "窗口 B1", ""),
        ("GZ-TH-01", "A1", "综合窗口", "综合"),
        ("GZ-TH-01", "A2", "窗口 A2", ""),
    ],
    "clerks": [
        ("1001", "GZ-TH-01", "A1", "李娜", None),
        ("1002", "GZ-TH-01", "A2", "王伟", None),
        ("1003", "GZ-TH-01", "", "陈静", None),
    ],
}
"""What :data:`TABLE` stores, as :func:`stored` reads it."""


@pytest.fixture
def organisation_id(session: Session) -> int:
    """An organisation with the regions Liwan (440103) and Tianhe (440106), no hall yet."""
    organisation = create_organisation(session, name="广州电信", slug="gz-telecom")
    assert organisation.id is not None
    create_region(session, organisation_id=organisation.id, code="440103", name="Liwan")
    create_region(session, organisation_id=organisation.id, code="440106", name="Tianhe")
    session.commit()
    return organisation.id


def plan(
    session: Session, organisation_id: int, data: str | bytes, name: str = "places.csv"
) -> PlacesImportPlan:
    """The preview of a file, stored nothing."""
    raw = data.encode() if isinstance(data, str) else data
    rows = read_places_file(raw, filename=name)
    return plan_places_import(session, organisation_id=organisation_id, rows=rows)


def imported(
    session: Session,
    organisation_id: int,
    data: str | bytes,
    clock: FixedClock,
    name: str = "places.csv",
) -> PlacesImportPlan:
    """Read, plan and apply a file in one transaction, committed; the plan it carried out."""
    the_plan = plan(session, organisation_id, data, name)
    assert the_plan.problems == ()
    apply_places_import(session, the_plan, now=clock())
    session.commit()
    return the_plan


def stored(session: Session, organisation_id: int) -> dict[str, list[tuple[str | None, ...]]]:
    """The organisation's halls, counters and clerks as the tests compare them."""
    sites = session.exec(select(Site).where(Site.organisation_id == organisation_id)).all()
    code_of = {site.id: site.code for site in sites}
    counters = session.exec(select(Counter).where(col(Counter.site_id).in_(list(code_of)))).all()
    counter_of = {counter.id: counter.code for counter in counters}
    clerks = session.exec(
        select(StaffMember).where(StaffMember.organisation_id == organisation_id)
    ).all()
    return {
        "sites": sorted((s.code, s.name, s.region_code, s.address, s.opening_hours) for s in sites),
        "counters": sorted((code_of[c.site_id], c.code, c.name, c.service_type) for c in counters),
        "clerks": sorted(
            (
                m.job_number,
                code_of[m.site_id],
                counter_of.get(m.counter_id, ""),
                m.display_name,
                m.left_on.isoformat() if m.left_on else None,
            )
            for m in clerks
        ),
    }


def count(session: Session, table: type[SQLModel]) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def counts(session: Session) -> tuple[int, int, int]:
    return count(session, Site), count(session, Counter), count(session, StaffMember)


def workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def where(error: PlacesFileError) -> list[tuple[int, str]]:
    return [(problem.line, problem.column) for problem in error.found]


def test_a_csv_sets_up_halls_counters_and_clerks(
    session: Session, organisation_id: int, clock: FixedClock
) -> None:
    """Site details given once serve the hall's other rows; a clerk sits at the counter of
    their row, or at none."""
    done = imported(session, organisation_id, TABLE, clock)
    assert done.summary().sites == Tally(new=2)
    assert done.summary().counters == Tally(new=3)
    assert done.summary().clerks == Tally(new=3)
    assert stored(session, organisation_id) == STORED


def test_an_xlsx_of_the_same_table_stores_the_same(
    session: Session, organisation_id: int, clock: FixedClock
) -> None:
    """The first sheet of a workbook, with headers in any case and the numbers a spreadsheet
    makes of region codes and job numbers, reads as the CSV does."""
    data = workbook(
        [
            [name.upper() if i % 2 else name for i, name in enumerate(HEADER.split(","))],
            ["GZ-TH-01", "天河营业厅", 440106, "天河路 1 号", "09:00-12:00,13:00-17:00",
             "A1", "综合窗口", "综合", 1001, "李娜"],
            ["GZ-TH-01", None, None, None, None, "A2", "窗口 A2", None, 1002.0, "王伟"],
            [],
            ["GZ-TH-01", None, None, None, None, None, None, None, 1003, "陈静"],
            ["GZ-LW-01", "荔湾营业厅", 440103, None, None, "B1", "窗口 B1"],
        ]
    )  # fmt: skip
    imported(session, organisation_id, data, clock, name="halls.xlsx")
    assert stored(session, organisation_id) == STORED


def test_a_workbook_is_known_by_its_content_whatever_its_name() -> None:
    data = workbook([["site_code", "site_name", "region_code"], ["S1", "Hall", "440103"]])
    assert read_places_file(data, filename="download") == [
        PlaceRow(line=2, site_code="S1", site_name="Hall", region_code="440103")
    ]


def test_importing_the_same_file_again_changes_nothing(
    session: Session, organisation_id: int, clock: FixedClock
) -> None:
    imported(session, organisation_id, TABLE, clock)
    ids = set(session.exec(select(StaffMember.id)).all())
    again = imported(session, organisation_id, TABLE, clock)
    assert again.summary().sites == Tally(unchanged=2)
    assert again.summary().counters == Tally(unchanged=3)
    assert again.summary().clerks == Tally(unchanged=3)
    assert again.changed() == []
    assert counts(session) == (2, 3, 3)
    assert set(session.exec(select(StaffMember.id)).all()) == ids
    assert stored(session, organisation_id) == STORED


def test_an_edited_file_updates_by_code_and_moves_a_clerk_by_job_number(
    session: Session, organisation_id: int, clock: FixedClock
) -> None:
    """A renamed hall and counter are the same rows renamed; clerk 1001 listed at another
    hall is moved there, not added a second time."""
    imported(session, organisation_id, TABLE, clock)
    clerk = staff_by_job_number(session, organisation_id, "1001")
    assert clerk is not None
    edited = (
        TABLE.replace("天河营业厅", "天河旗舰厅")
        .replace("综合窗口", "综合窗口一")
        .replace("GZ-TH-01,,,,,,,,1003", "GZ-LW-01,,,,,B1,,,1001,李娜\nGZ-TH-01,,,,,,,,1003")
        .replace("A1,综合窗口一,综合,1001,李娜", "A1,综合窗口一,综合,,")
    )
    preview = plan(session, organisation_id, edited)
    assert preview.problems == ()
    assert [(item.label, item.changes) for item in preview.changed()] == [
        ("site GZ-TH-01", (Change("site_name", "天河营业厅", "天河旗舰厅"),)),
        ("counter A1 of site GZ-TH-01", (Change("counter_name", "综合窗口", "综合窗口一"),)),
        (
            "clerk 1001",
            (Change("site_code", "GZ-TH-01", "GZ-LW-01"), Change("counter_code", "A1", "B1")),
        ),
    ]
    assert preview.summary().clerks == Tally(changed=1, unchanged=2)
    apply_places_import(session, preview, now=clock())
    session.commit()

    assert counts(session) == (2, 3, 3)
    moved = staff_by_job_number(session, organisation_id, "1001")
    assert moved is not None and moved.id == clerk.id
    after = stored(session, organisation_id)
    assert after["sites"][1][:2] == ("GZ-TH-01", "天河旗舰厅")
    assert ("GZ-TH-01", "A1", "综合窗口一", "综合") in after["counters"]
    assert ("1001", "GZ-LW-01", "B1", "李娜", None) in after["clerks"]


def test_a_moved_clerk_no_longer_collects_answers_at_their_old_hall(
    session: Session, clock: FixedClock
) -> None:
    """Their own survey link at the old hall's counter is withdrawn at the import's time;
    the hall's shared link stays."""
    place = make_place(session, now=clock())
    assert place.organisation.id is not None and place.campaign.id is not None
    own = create_link(
        session,
        campaign_id=place.campaign.id,
        counter_id=place.counter.id or 0,
        staff_member_id=place.staff.id,
        now=clock(),
    )
    session.commit()
    clock.advance(days=3)
    table = "site_code,site_name,region_code,job_number\n"
    table += f"GZ-NEW,New hall,440103,{place.staff.job_number}\n"
    imported(session, place.organisation.id, table, clock)
    session.refresh(own)
    session.refresh(place.link)
    assert own.revoked_at == clock()
    assert place.link.revoked_at is None
    session.refresh(place.staff)
    new_hall = site_by_code(session, place.organisation.id, "GZ-NEW")
    assert new_hall is not None
    assert (place.staff.site_id, place.staff.counter_id) == (new_hall.id, None)


def test_a_clerk_who_had_left_is_back_when_listed_again(
    session: Session, organisation_id: int, clock: FixedClock
) -> None:
    imported(session, organisation_id, TABLE, clock)
    clerk = staff_by_job_number(session, organisation_id, "1003")
    assert clerk is not None and clerk.id is not None
    day = (clock() - timedelta(days=10)).date()
    staff_member_leaves(session, staff_id=clerk.id, on=day, now=clock())
    session.commit()
    again = imported(session, organisation_id, TABLE, clock)
    assert [(item.label, item.changes) for item in again.changed()] == [
        ("clerk 1003", (Change("left_on", day.isoformat(), ""),))
    ]
    session.refresh(clerk)
    assert clerk.left_on is None


def test_an_empty_cell_keeps_what_is_stored(
    session: Session, organisation_id: int, clock: FixedClock
) -> None:
    """A list of clerks alone, with the site columns left empty, renames a clerk and wipes
    no hall's address or hours, nor a clerk's counter."""
    imported(session, organisation_id, TABLE, clock)
    clerks_only = f"{HEADER}\nGZ-TH-01,,,,,,,,1001,李娜娜\nGZ-TH-01,,,,,,,,1002,\n"
    done = imported(session, organisation_id, clerks_only, clock)
    assert done.summary().sites == Tally(unchanged=1)
    after = stored(session, organisation_id)
    assert after["sites"] == STORED["sites"]
    assert after["clerks"][:2] == [
        ("1001", "GZ-TH-01", "A1", "李娜娜", None),
        ("1002", "GZ-TH-01", "A2", "王伟", None),
    ]


def test_every_bad_line_is_reported_with_its_column_and_nothing_is_stored(
    session: Session, organisation_id: int, clock: FixedClock
) -> None:
    bad = f"""{HEADER}
GZ-TH-01,天河营业厅,440106,,,A1,窗口 A1,,1001,李娜
GZ-XX-01,某营业厅,999999,,,,,,,
GZ-YY-01,另一厅,440103,,12:00-09:00,,,,,
GZ-TH-01,天河大厅,,,,,,,,
,无码厅,440103,,,,,,,
GZ-ZZ-01,,,,,,,,,
GZ-TH-01,,,,,,,,,王伟
GZ-TH-01,,,,,A 2,窗口,,,
GZ-TH-01,,,,,A1,窗口 A1,,1001,李四
GZ-TH-01,,,,,,,,1004,{"长" * 101}
"""
    preview = plan(session, organisation_id, bad)
    hours, agree = "09:00-12:00,13:00-17:00", "rows about one site, counter or clerk must agree."
    assert [(p.line, p.column, p.message) for p in preview.problems] == [
        (3, "region_code", "The organisation has no region with the code 999999."),
        (4, "opening_hours", f"Write opening hours like {hours}: in order, not overlapping."),
        (5, "site_name", f"Line 2 says 天河营业厅: {agree}"),
        (6, "site_code", "A code is 1 to 40 letters, digits, '_', '.' or '-'."),
        (7, "site_name", "Write 1 to 200 characters."),
        (7, "region_code", "A code is 1 to 12 letters, digits, '_', '.' or '-'."),
        (8, "job_number", "Give the clerk's job number with their name."),
        (9, "counter_code", "A code is 1 to 20 letters, digits, '_', '.' or '-'."),
        (10, "staff_name", f"Line 2 says 李娜: {agree}"),
        (11, "staff_name", "Write 1 to 100 characters."),
    ]
    with pytest.raises(PlacesFileError) as refused:
        apply_places_import(session, preview, now=clock())
    assert refused.value.found == preview.problems
    session.commit()
    assert counts(session) == (0, 0, 0)


def test_a_new_counter_needs_a_name_and_a_counter_name_needs_its_code(
    session: Session, organisation_id: int
) -> None:
    preview = plan(
        session,
        organisation_id,
        f"{HEADER}\nS1,Hall,440103,,,C1,,,,\nS1,,,,,,Window,,,\n",
    )
    assert [(p.line, p.column) for p in preview.problems] == [
        (2, "counter_name"),
        (3, "counter_code"),
    ]
    assert preview.counters[0].status is Status.new


@pytest.mark.parametrize(
    ("data", "name", "expected", "message"),
    [
        (b"", "places.csv", [(1, "")], "The file is empty"),
        (b"\xef\xbb\xbf\r\n", "places.csv", [(1, "")], "The file is empty"),
        (HEADER.encode() + b"\n\n", "places.csv", [(2, "")], "no rows below its header"),
        (
            b"site_code,Site Nmae,staff\nS1,Hall,x\n",
            "places.csv",
            [(1, "Site Nmae"), (1, "staff")],
            "There is no column Site Nmae; the columns are site_code, site_name,",
        ),
        (b"site_name,region_code\nHall,440103\n", "p.csv", [(1, "")], "needs a site_code column"),
        (b"site_code,SITE_CODE\nS1,S1\n", "p.csv", [(1, "site_code")], "appears twice"),
        (
            "site_code,site_name\nS1,Hall\nS2,荔湾\n".encode("gbk"),
            "places.csv",
            [(3, "")],
            "not UTF-8 text",
        ),
        (b"site_code\nS1,extra\n", "places.csv", [(2, "2")], "under no column"),
        (b'site_code,site_name\nS1,"Hall\nS2,x\n', "p.csv", [(2, "")], "cannot be read as CSV"),
        (b'site_code,site_name\nS1,"Hall"x\n', "p.csv", [(2, "")], "cannot be read as CSV"),
        (b"PK\x03\x04 not a workbook", "p.xlsx", [(0, "")], "cannot be read as an Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "places.xls", [(0, "")], "old Excel file"),
    ],
)  # fmt: skip
def test_a_file_that_cannot_be_read_says_where(
    data: bytes, name: str, expected: list[tuple[int, str]], message: str
) -> None:
    with pytest.raises(PlacesFileError) as refused:
        read_places_file(data, filename=name)
    assert where(refused.value) == expected
    assert message in refused.value.found[0].message


def test_a_byte_order_mark_blank_lines_and_header_case_are_taken_in_stride() -> None:
    """Line numbers are the spreadsheet's: blank lines count, the header is line 1."""
    data = "\ufeffSite_Code , Job Number,staff_name\r\n\r\nS1,1001,李娜\r\n,,\r\nS2,,\r\n"
    assert read_places_file(data.encode(), filename="x.csv") == [
        PlaceRow(line=3, site_code="S1", job_number="1001", staff_name="李娜"),
        PlaceRow(line=5, site_code="S2"),
    ]


def test_a_file_longer_than_the_limit_is_refused_whole() -> None:
    data = ("site_code\n" + "".join(f"S{i}\n" for i in range(4))).encode()
    with pytest.raises(PlacesFileError) as refused:
        read_places_file(data, filename="x.csv", max_rows=3)
    assert where(refused.value) == [(5, "")]
    assert "more than 3 rows" in str(refused.value)
    assert len(read_places_file(data, filename="x.csv", max_rows=4)) == 4
