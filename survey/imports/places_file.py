"""An organisation's sites, counters and clerks from one table: ``manyi staff import``.

A national operator sets up hundreds of halls from a spreadsheet. The table is a CSV file
(UTF-8, with or without a byte-order mark) or the first sheet of an XLSX workbook, with a
header line naming some of these columns, in any order and any letter case::

    site_code, site_name, region_code, address, opening_hours,
    counter_code, counter_name, service_type, job_number, staff_name

``site_code`` is required, as a column and on every row. A row describes a site; with a
``counter_code`` also a counter of that site; with a ``job_number`` also a clerk of that site
(at that counter when the row has one). A site or counter may be described over several rows
(one per counter or clerk); what they say about it must agree. An empty cell says nothing: a
new place takes the default (empty), a stored one keeps what it has, so a file listing only
clerks never wipes a hall's address. A blank line is skipped; line numbers count it (the
header is line 1), as the spreadsheet numbers its rows.

Importing is three steps: :func:`read_places_file` reads the table (refusing an unreadable
file), :func:`plan_places_import` checks every row against the database without writing and
says what would be new, changed and unchanged (the preview, with every problem and its line
and column), and :func:`apply_places_import` carries out a plan without problems, all of it.
Places are matched by the site's code, the counter's code within its site and the clerk's job
number within the organisation, so importing the same file again changes nothing, and an
edited file updates in place instead of duplicating.
"""

import csv
import io
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import PurePath
from typing import NamedTuple

import openpyxl
from sqlmodel import Session, col, select

from survey.errors import N_, FieldError
from survey.imports.wide_csv import WideCsvError
from survey.models import Counter, Region, Site, StaffMember
from survey.places.links import withdraw_clerk_links
from survey.places.organisations import (
    checked_code,
    checked_opening_hours,
    checked_text,
    create_counter,
    create_site,
    create_staff_member,
    get_organisation,
    update_counter,
    update_site,
    update_staff_member,
)

COLUMNS = (
    "site_code",
    "site_name",
    "region_code",
    "address",
    "opening_hours",
    "counter_code",
    "counter_name",
    "service_type",
    "job_number",
    "staff_name",
)
"""The columns a file may have, in the order a template lists them."""
SITE_COLUMNS = ("site_name", "region_code", "address", "opening_hours")
COUNTER_COLUMNS = ("counter_name", "service_type")
CLERK_COLUMNS = ("site_code", "counter_code", "staff_name")
MAX_ROWS = 20_000
"""Rows (not counting blank ones) a file may have: more than any operator's halls, counters
and clerks, few enough to check in one transaction."""

XLSX_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

EMPTY_FILE = N_("The file is empty: its first line names the columns.")
NO_ROWS = N_("The file has no rows below its header.")
NOT_UTF8 = N_("The file is not UTF-8 text: save it as CSV UTF-8, or as an Excel workbook (.xlsx).")
NOT_CSV = N_("This line cannot be read as CSV: check its quotes.")
NOT_WORKBOOK = N_("The file cannot be read as an Excel workbook (.xlsx).")
OLD_EXCEL = N_("This is an old Excel file (.xls): save it as .xlsx or as CSV UTF-8.")
TOO_MANY_ROWS = N_("The file has more than %(limit)s rows: split it into smaller files.")
UNKNOWN_COLUMN = N_("There is no column %(column)s; the columns are %(columns)s.")
TWICE = N_("This column appears twice.")
NO_SITE_CODE = N_("The file needs a site_code column.")
NO_COLUMN = N_("This cell is under no column.")
DISAGREES = N_("Line %(line)s says %(value)s: rows about one site, counter or clerk must agree.")
COUNTER_NEEDS_CODE = N_("Give the counter's code with its name or service type.")
CLERK_NEEDS_JOB_NUMBER = N_("Give the clerk's job number with their name.")
NO_REGION = N_("The organisation has no region with the code %(code)s.")  # as organisations.py


class Problem(NamedTuple):
    """What is wrong where: the file's ``line`` (the header is line 1; 0 is the file as a
    whole), the ``column`` as the file names it (empty: the whole line) and the message."""

    line: int
    column: str
    error: FieldError

    @property
    def message(self) -> str:
        """The message in English (the web layer translates :attr:`error` instead)."""
        return self.error.render()

    def __str__(self) -> str:
        where = [f"line {self.line}"] if self.line else []
        where += [f"column {self.column}"] if self.column else []
        return f"{', '.join(where)}: {self.message}" if where else self.message


class PlacesFileError(WideCsvError):
    """A places file that cannot be imported. ``problems`` lists ``(line, column, message)``
    in English, as :class:`WideCsvError` does; ``found`` the same as :class:`Problem`, whose
    messages are translatable templates."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.found = tuple(problems)
        super().__init__([(p.line, p.column, p.message) for p in self.found])


@dataclass(frozen=True)
class PlaceRow:
    """One row of the file, each cell as stripped text ("" when empty or absent)."""

    line: int
    site_code: str = ""
    site_name: str = ""
    region_code: str = ""
    address: str = ""
    opening_hours: str = ""
    counter_code: str = ""
    counter_name: str = ""
    service_type: str = ""
    job_number: str = ""
    staff_name: str = ""

    def cell(self, column: str) -> str:
        value: str = getattr(self, column)
        return value.strip()


def read_places_file(data: bytes, *, filename: str, max_rows: int = MAX_ROWS) -> list[PlaceRow]:
    """The rows of a CSV or XLSX places file (see the module's description).

    The format is the workbook's when the bytes are a ZIP archive (what an .xlsx is) or the
    name ends in ``.xlsx``, else CSV. Raises :class:`PlacesFileError` for a file that cannot
    be read as a table of these columns: empty, not UTF-8 (with the line of the first bad
    byte), an old ``.xls``, an unknown or repeated column, no ``site_code`` column, a value
    outside the columns, no rows, more than ``max_rows`` rows. Whether the values are valid
    is :func:`plan_places_import`'s to say.
    """
    suffix = PurePath(filename).suffix.lower()
    if not data.strip().removeprefix(b"\xef\xbb\xbf").strip():
        raise PlacesFileError([Problem(1, "", FieldError(EMPTY_FILE))])
    if data.startswith(OLD_EXCEL_MAGIC) or suffix == ".xls":
        raise PlacesFileError([Problem(0, "", FieldError(OLD_EXCEL))])
    if data.startswith(XLSX_MAGIC) or suffix == ".xlsx":
        return _table(_xlsx_lines(data), max_rows)
    return _table(_csv_lines(data), max_rows)


def _csv_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise PlacesFileError([Problem(line, "", FieldError(NOT_UTF8))]) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise PlacesFileError([Problem(line + 1, "", FieldError(NOT_CSV))]) from None
        line += 1
        yield line, cells


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        with warnings.catch_warnings():
            # Workbooks from other programs make openpyxl warn about styles it does not
            # know; the values are read all the same.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a damaged or foreign archive fails in many ways, all the same to us
        raise PlacesFileError([Problem(0, "", FieldError(NOT_WORKBOOK))]) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # a stale size in the file would cut rows off
        for line, values in enumerate(sheet.iter_rows(values_only=True), 1):
            yield line, [_cell_text(value) for value in values]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """A workbook cell as the text a person typed: ``1001`` stays ``1001`` (not
    ``1001.0``), a day is ``2026-11-24``, a time ``09:00``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M") if not value.second else value.isoformat()
    return str(value)


def _table(lines: Iterator[tuple[int, list[str]]], max_rows: int) -> list[PlaceRow]:
    try:
        _, header = next(lines)
    except StopIteration:
        raise PlacesFileError([Problem(1, "", FieldError(EMPTY_FILE))]) from None
    positions: dict[int, str] = {}
    problems: list[Problem] = []
    for position, written in enumerate(header):
        name = written.strip().lower().replace(" ", "_").replace("-", "_")
        if not name:
            continue
        if name not in COLUMNS:
            problems.append(
                Problem(
                    1,
                    written.strip(),
                    FieldError(
                        UNKNOWN_COLUMN, {"column": written.strip(), "columns": ", ".join(COLUMNS)}
                    ),
                )
            )
        elif name in positions.values():
            problems.append(Problem(1, name, FieldError(TWICE)))
        else:
            positions[position] = name
    if not problems and "site_code" not in positions.values():
        problems.append(Problem(1, "", FieldError(NO_SITE_CODE)))
    if problems:
        raise PlacesFileError(problems)

    rows: list[PlaceRow] = []
    for line, cells in lines:
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) == max_rows:
            raise PlacesFileError(
                [Problem(line, "", FieldError(TOO_MANY_ROWS, {"limit": max_rows}))]
            )
        for position, cell in enumerate(cells):
            if position not in positions and cell.strip():
                where = header[position].strip() if position < len(header) else ""
                problems.append(Problem(line, where or str(position + 1), FieldError(NO_COLUMN)))
        values = {name: cells[p].strip() for p, name in positions.items() if p < len(cells)}
        rows.append(PlaceRow(line, **values))
    if problems:
        raise PlacesFileError(problems)
    if not rows:
        raise PlacesFileError([Problem(2, "", FieldError(NO_ROWS))])
    return rows


class Status(StrEnum):
    """What an import does to one site, counter or clerk."""

    new = "new"
    changed = "changed"
    unchanged = "unchanged"


@dataclass(frozen=True)
class Change:
    """A value the import changes, named by the file's column (``left_on`` for a clerk who
    had left and comes back)."""

    column: str
    old: str
    new: str


@dataclass(frozen=True)
class _Planned:
    line: int
    """The first line of the file that names it."""
    stored_id: int | None
    """The stored row it updates; None: a new one."""
    changes: tuple[Change, ...]

    @property
    def status(self) -> Status:
        if self.stored_id is None:
            return Status.new
        return Status.changed if self.changes else Status.unchanged


@dataclass(frozen=True)
class PlannedSite(_Planned):
    """A site as it will be after the import."""

    code: str
    name: str
    region_code: str
    address: str
    opening_hours: str

    @property
    def label(self) -> str:
        return f"site {self.code}"


@dataclass(frozen=True)
class PlannedCounter(_Planned):
    """A counter as it will be after the import."""

    site_code: str
    code: str
    name: str
    service_type: str

    @property
    def label(self) -> str:
        return f"counter {self.code} of site {self.site_code}"


@dataclass(frozen=True)
class PlannedClerk(_Planned):
    """A clerk as they will be after the import; ``counter_code`` is empty for a clerk
    with no usual counter."""

    job_number: str
    site_code: str
    counter_code: str
    name: str

    @property
    def label(self) -> str:
        return f"clerk {self.job_number}"


@dataclass(frozen=True)
class Tally:
    new: int = 0
    changed: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class PlacesImportSummary:
    """How many sites, counters and clerks an import adds, changes and leaves as they were."""

    sites: Tally
    counters: Tally
    clerks: Tally


@dataclass(frozen=True)
class PlacesImportPlan:
    """What importing a file would do to an organisation's places: the preview.

    Each site, counter and clerk of the file appears once, in the order of its first line,
    with its status and, when it changes, each changed value from old to new. ``problems``
    lists everything that stops the import, with its line and column.
    """

    organisation_id: int
    sites: tuple[PlannedSite, ...]
    counters: tuple[PlannedCounter, ...]
    clerks: tuple[PlannedClerk, ...]
    problems: tuple[Problem, ...]

    def summary(self) -> PlacesImportSummary:
        return PlacesImportSummary(
            sites=_tally(self.sites), counters=_tally(self.counters), clerks=_tally(self.clerks)
        )

    def changed(self) -> list[PlannedSite | PlannedCounter | PlannedClerk]:
        """Every site, counter and clerk the import changes, sites first."""
        items: list[PlannedSite | PlannedCounter | PlannedClerk] = [
            *self.sites,
            *self.counters,
            *self.clerks,
        ]
        return [item for item in items if item.status is Status.changed]


def _tally(items: Sequence[_Planned]) -> Tally:
    statuses = [item.status for item in items]
    return Tally(
        new=statuses.count(Status.new),
        changed=statuses.count(Status.changed),
        unchanged=statuses.count(Status.unchanged),
    )


class _Facts:
    """What the rows say about one site, counter or clerk: the first line naming it and,
    per column, the first value given and its line."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.values: dict[str, tuple[str, int]] = {}

    def given(self, column: str) -> str | None:
        found = self.values.get(column)
        return found[0] if found else None

    def line_of(self, column: str) -> int:
        found = self.values.get(column)
        return found[1] if found else self.line

    def add(self, row: PlaceRow, columns: Sequence[str], problems: list[Problem]) -> None:
        for column in columns:
            value = row.cell(column)
            if not value:
                continue
            if column not in self.values:
                self.values[column] = (value, row.line)
            elif self.values[column][0] != value:
                first, line = self.values[column]
                problems.append(
                    Problem(row.line, column, FieldError(DISAGREES, {"line": line, "value": first}))
                )


class _Stored:
    """The organisation's regions, sites, counters and clerks, read once."""

    def __init__(self, session: Session, organisation_id: int) -> None:
        self.regions = set(
            session.exec(select(Region.code).where(Region.organisation_id == organisation_id))
        )
        of_organisation = select(Site.id).where(Site.organisation_id == organisation_id)
        sites = session.exec(select(Site).where(Site.organisation_id == organisation_id)).all()
        self.sites = {site.code: site for site in sites}
        self.site_codes = {site.id: site.code for site in sites}
        counters = session.exec(
            select(Counter).where(col(Counter.site_id).in_(of_organisation))
        ).all()
        self.counters: dict[tuple[int | None, str], Counter] = {
            (counter.site_id, counter.code): counter for counter in counters
        }
        self.counter_codes = {counter.id: counter.code for counter in counters}
        self.staff = {
            staff.job_number: staff
            for staff in session.exec(
                select(StaffMember).where(StaffMember.organisation_id == organisation_id)
            )
        }

    def counter(self, site_code: str, code: str) -> Counter | None:
        site = self.sites.get(site_code)
        return self.counters.get((site.id, code)) if site is not None else None


def plan_places_import(
    session: Session, *, organisation_id: int, rows: Sequence[PlaceRow]
) -> PlacesImportPlan:
    """Check ``rows`` against the organisation's stored places and say what importing them
    would do; writes nothing.

    Codes, lengths and opening hours are checked as :mod:`survey.places.organisations`
    checks them, a site's region must be one of the organisation's, a new site needs a name
    and a region, a new counter and a new clerk a name. A job number the organisation already
    has is that clerk, moved to the row's site and counter if they are elsewhere. Every
    problem is listed with its line and column. Raises :class:`InvalidAnswer` for an unknown
    organisation.
    """
    get_organisation(session, organisation_id)
    stored = _Stored(session, organisation_id)
    problems: list[Problem] = []
    site_facts: dict[str, _Facts] = {}
    counter_facts: dict[tuple[str, str], _Facts] = {}
    clerk_facts: dict[str, _Facts] = {}
    for row in rows:
        if not _checked_code(row, "site_code", 40, problems):
            continue
        site_facts.setdefault(row.cell("site_code"), _Facts(row.line)).add(
            row, SITE_COLUMNS, problems
        )
        if row.cell("counter_code"):
            if _checked_code(row, "counter_code", 20, problems):
                key = (row.cell("site_code"), row.cell("counter_code"))
                counter_facts.setdefault(key, _Facts(row.line)).add(row, COUNTER_COLUMNS, problems)
        elif row.cell("counter_name") or row.cell("service_type"):
            problems.append(Problem(row.line, "counter_code", FieldError(COUNTER_NEEDS_CODE)))
        if row.cell("job_number"):
            if _checked_code(row, "job_number", 20, problems):
                clerk_facts.setdefault(row.cell("job_number"), _Facts(row.line)).add(
                    row, CLERK_COLUMNS, problems
                )
        elif row.cell("staff_name"):
            problems.append(Problem(row.line, "job_number", FieldError(CLERK_NEEDS_JOB_NUMBER)))

    sites = tuple(_plan_site(code, facts, stored, problems) for code, facts in site_facts.items())
    counters = tuple(
        _plan_counter(site_code, code, facts, stored, problems)
        for (site_code, code), facts in counter_facts.items()
    )
    clerks = tuple(
        _plan_clerk(job_number, facts, stored, problems)
        for job_number, facts in clerk_facts.items()
    )
    return PlacesImportPlan(
        organisation_id=organisation_id,
        sites=sites,
        counters=counters,
        clerks=clerks,
        problems=tuple(sorted(problems, key=lambda p: (p.line, _column_order(p.column)))),
    )


def _column_order(column: str) -> int:
    return COLUMNS.index(column) if column in COLUMNS else len(COLUMNS)


def _checked_code(row: PlaceRow, column: str, limit: int, problems: list[Problem]) -> bool:
    errors: dict[str, FieldError | str] = {}
    checked_code(errors, column, row.cell(column), limit)
    problems += _located(errors, lambda _: row.line)
    return not errors


def _located(errors: dict[str, FieldError | str], line_of: Callable[[str], int]) -> list[Problem]:
    """The errors of :mod:`survey.places.organisations`' checks, keyed by column, each at
    the line that gave the column's value."""
    return [
        Problem(
            line_of(column), column, error if isinstance(error, FieldError) else FieldError(error)
        )
        for column, error in errors.items()
    ]


def _value(
    errors: dict[str, FieldError | str],
    facts: _Facts,
    column: str,
    stored: str | None,
    limit: int,
    *,
    required: bool,
) -> str:
    """The column's value after the import: the one given (checked), else the stored one,
    else empty (an error when ``required``)."""
    given = facts.given(column)
    if given is None and stored is not None:
        return stored
    return checked_text(errors, column, given or "", limit, required=required)


def _changes(pairs: Iterable[tuple[str, str, str]]) -> tuple[Change, ...]:
    return tuple(Change(column, old, new) for column, old, new in pairs if old != new)


def _plan_site(code: str, facts: _Facts, stored: _Stored, problems: list[Problem]) -> PlannedSite:
    site = stored.sites.get(code)
    errors: dict[str, FieldError | str] = {}
    name = _value(errors, facts, "site_name", site.name if site else None, 200, required=True)
    region_code = facts.given("region_code")
    if region_code is None and site is not None:
        region_code = site.region_code
    elif region_code is None:
        region_code = checked_code(errors, "region_code", "", 12)
    elif region_code not in stored.regions:
        errors["region_code"] = FieldError(NO_REGION, {"code": region_code})
    address = _value(errors, facts, "address", site.address if site else None, 300, required=False)
    opening_hours = facts.given("opening_hours")
    if opening_hours is None:
        opening_hours = site.opening_hours if site is not None else ""
    else:
        opening_hours = checked_opening_hours(errors, opening_hours)
    problems += _located(errors, facts.line_of)
    return PlannedSite(
        line=facts.line,
        stored_id=site.id if site is not None else None,
        changes=()
        if site is None
        else _changes(
            [
                ("site_name", site.name, name),
                ("region_code", site.region_code, region_code),
                ("address", site.address, address),
                ("opening_hours", site.opening_hours, opening_hours),
            ]
        ),
        code=code,
        name=name,
        region_code=region_code,
        address=address,
        opening_hours=opening_hours,
    )


def _plan_counter(
    site_code: str, code: str, facts: _Facts, stored: _Stored, problems: list[Problem]
) -> PlannedCounter:
    counter = stored.counter(site_code, code)
    errors: dict[str, FieldError | str] = {}
    name = _value(
        errors, facts, "counter_name", counter.name if counter else None, 200, required=True
    )
    service_type = _value(
        errors,
        facts,
        "service_type",
        counter.service_type if counter else None,
        100,
        required=False,
    )
    problems += _located(errors, facts.line_of)
    return PlannedCounter(
        line=facts.line,
        stored_id=counter.id if counter is not None else None,
        changes=()
        if counter is None
        else _changes(
            [
                ("counter_name", counter.name, name),
                ("service_type", counter.service_type, service_type),
            ]
        ),
        site_code=site_code,
        code=code,
        name=name,
        service_type=service_type,
    )


def _plan_clerk(
    job_number: str, facts: _Facts, stored: _Stored, problems: list[Problem]
) -> PlannedClerk:
    staff = stored.staff.get(job_number)
    errors: dict[str, FieldError | str] = {}
    name = _value(
        errors, facts, "staff_name", staff.display_name if staff else None, 100, required=True
    )
    problems += _located(errors, facts.line_of)
    site_code = facts.given("site_code") or ""
    old_site = stored.site_codes.get(staff.site_id, "") if staff is not None else ""
    old_counter = stored.counter_codes.get(staff.counter_id, "") if staff is not None else ""
    counter_code = facts.given("counter_code")
    if counter_code is None:
        # Nothing said: a clerk staying at their site keeps their counter; one moving to
        # another site, or new, has none there yet.
        counter_code = old_counter if site_code == old_site else ""
    changes: tuple[Change, ...] = ()
    if staff is not None:
        changes = _changes(
            [
                ("site_code", old_site, site_code),
                ("counter_code", old_counter, counter_code),
                ("staff_name", staff.display_name, name),
                ("left_on", staff.left_on.isoformat() if staff.left_on else "", ""),
            ]
        )
    return PlannedClerk(
        line=facts.line,
        stored_id=staff.id if staff is not None else None,
        changes=changes,
        job_number=job_number,
        site_code=site_code,
        counter_code=counter_code,
        name=name,
    )


def apply_places_import(
    session: Session, plan: PlacesImportPlan, *, now: datetime
) -> PlacesImportSummary:
    """Carry out a plan of :func:`plan_places_import`, made in the same transaction: create
    the new sites, counters and clerks and update the changed ones, all of them. Does not
    commit (the caller's transaction does, or rolls everything back).

    Raises :class:`PlacesFileError` with the plan's problems when it has any, storing
    nothing. A clerk moved to another site has their own survey links at their old site's
    counters withdrawn at ``now`` (as when a clerk leaves), so no answer given there is filed
    under them any more. A clerk who had left (``left_on`` set) and is listed again is back:
    ``left_on`` is cleared.
    """
    if plan.problems:
        raise PlacesFileError(plan.problems)
    site_ids: dict[str, int] = {}
    for planned_site in plan.sites:
        if planned_site.stored_id is not None and not planned_site.changes:
            site_ids[planned_site.code] = planned_site.stored_id
            continue
        values = {
            "code": planned_site.code,
            "name": planned_site.name,
            "region_code": planned_site.region_code,
            "address": planned_site.address,
            "opening_hours": planned_site.opening_hours,
        }
        site = (
            create_site(session, organisation_id=plan.organisation_id, **values)
            if planned_site.stored_id is None
            else update_site(session, site_id=planned_site.stored_id, **values)
        )
        assert site.id is not None
        site_ids[site.code] = site.id

    counter_ids: dict[tuple[str, str], int] = {}
    for planned in plan.counters:
        key = (planned.site_code, planned.code)
        if planned.stored_id is not None and not planned.changes:
            counter_ids[key] = planned.stored_id
            continue
        counter = (
            create_counter(
                session,
                site_id=site_ids[planned.site_code],
                code=planned.code,
                name=planned.name,
                service_type=planned.service_type,
            )
            if planned.stored_id is None
            else update_counter(
                session,
                counter_id=planned.stored_id,
                code=planned.code,
                name=planned.name,
                service_type=planned.service_type,
            )
        )
        assert counter.id is not None
        counter_ids[key] = counter.id

    for clerk in plan.clerks:
        if clerk.status is Status.unchanged:
            continue
        site_id = site_ids[clerk.site_code]
        # A counter the file names is one of the plan's; one it does not name is the
        # clerk's stored counter, kept.
        counter_id = counter_ids.get((clerk.site_code, clerk.counter_code))
        if clerk.stored_id is None:
            create_staff_member(
                session,
                site_id=site_id,
                job_number=clerk.job_number,
                display_name=clerk.name,
                counter_id=counter_id,
            )
            continue
        staff = session.get(StaffMember, clerk.stored_id)
        assert staff is not None
        if clerk.counter_code and counter_id is None:
            counter_id = staff.counter_id
        if staff.site_id != site_id:
            assert staff.id is not None
            withdraw_clerk_links(session, staff_id=staff.id, now=now, site_id=staff.site_id)
            staff.site_id = site_id
        staff.left_on = None
        update_staff_member(
            session, staff_id=clerk.stored_id, display_name=clerk.name, counter_id=counter_id
        )
    session.flush()
    return plan.summary()
