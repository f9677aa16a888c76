"""Daily and monthly aggregates of the answers: power sums kept as responses arrive.

Every response adds its power sums (``analytics.power_sums``) to three sets of rows, in
the same transaction that stores it:

=================================  =========  ==============================================
rows                               families   serve
=================================  =========  ==============================================
site × local month                 all        reports: gaps, CIs, alpha, importance, IPA
site × local day                   light      daily and weekly trends of index and gaps
counter × clerk × language × month light      counters, clerks, languages: scores, rankings
=================================  =========  ==============================================

Cross-products (alpha, derived importance) are kept per site and month only: per day or
per clerk they would multiply the rows by ten for numbers that few answers cannot carry.
A report adds rows with plain SQL ``SUM`` (the same on SQLite, PostgreSQL and a sharded
PostgreSQL such as Citus) instead of reading every answer. :func:`rebuild_stat_sums`
recomputes the rows from the raw answers.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import numpy as np
from sqlalchemy import Connection, Table, delete, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from analytics.power_sums import (
    ALL_FAMILIES,
    LIGHT_FAMILIES,
    AnswerMatrix,
    PowerSums,
    grouped_power_sums,
    respondent_power_sums,
)
from survey.db import begin_write
from survey.models import (
    SITE_WIDE,
    Campaign,
    CampaignMode,
    ResponseAnswer,
    ResponseImportance,
    StatGrain,
    SurveyResponse,
)
from survey.stats.layouts import InstrumentLayout, instrument_layout
from survey.stats.stat_rows import KEY_COLUMNS, STAT_SUMS, VALUE_COLUMNS, month_of, next_month

RESPONSES: Table = SurveyResponse.__table__  # type: ignore[attr-defined]


MODE_FIELDS: dict[CampaignMode, tuple[str, ...]] = {
    CampaignMode.paired: ("E", "P"),
    CampaignMode.perception_only: ("P",),
    CampaignMode.three_column: ("MIN", "DES", "P"),
}


_ANSWER_COLUMN = {"E": "expectation", "P": "perception", "MIN": "minimum", "DES": "desired"}


_MISSING = -(10**9)
"""Stands for NULL in bulk reads (answers are small scale points)."""


@dataclass(frozen=True)
class Place:
    """Where a response was given: the keys of its aggregate rows."""

    campaign_id: int
    site_id: int
    counter_id: int
    staff_id: int
    locale: str


def _rows(place: Place, day: date, sums: PowerSums) -> list[tuple[Any, ...]]:
    """Aggregate rows for one response, as tuples in ``KEY_COLUMNS + VALUE_COLUMNS``
    order: site × month (all families), site × day and place × month (light families)."""
    light = {k: v for k, v in sums.items() if k.family in LIGHT_FAMILIES}
    month = month_of(day)
    cells = (
        (StatGrain.month, month, SITE_WIDE, SITE_WIDE, "", sums),
        (StatGrain.day, day, SITE_WIDE, SITE_WIDE, "", light),
        (StatGrain.month, month, place.counter_id, place.staff_id, place.locale, light),
    )
    rows = [
        (
            place.campaign_id,
            grain.value,
            period,
            place.site_id,
            counter,
            staff,
            locale,
            key.id,
            *value,
        )
        for grain, period, counter, staff, locale, cell_sums in cells
        for key, value in cell_sums.items()
    ]
    rows.sort()  # one lock order for every writer: no deadlocks on PostgreSQL
    return rows


_UPSERT = (  # built from the constant column names above, no outside text
    f"INSERT INTO stat_sums ({', '.join(KEY_COLUMNS + VALUE_COLUMNS)}) VALUES ({{marks}}) "  # noqa: S608
    f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET "
    + ", ".join(f"{c} = stat_sums.{c} + excluded.{c}" for c in VALUE_COLUMNS)
)


def _upsert(connection: Connection, rows: list[tuple[Any, ...]]) -> None:
    """Add rows to the aggregates: insert, or add to the row already there.

    Plain ``INSERT … ON CONFLICT DO UPDATE`` (SQLite and PostgreSQL alike) through the
    driver's executemany: on every submission SQLAlchemy's per-row parameter handling cost
    more than the database did (measured with bench/submit.py).
    """
    if not rows:
        return
    postgres = connection.dialect.name == "postgresql"
    width = len(KEY_COLUMNS) + len(VALUE_COLUMNS)
    sql = _UPSERT.format(marks=", ".join(["%s" if postgres else "?"] * width))
    values = rows if postgres else [(*r[:2], r[2].isoformat(), *r[3:]) for r in rows]
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(sql, values)
    finally:
        cursor.close()


def add_response_to_aggregates(
    session: Session,
    *,
    place: Place,
    layout: InstrumentLayout,
    mode: CampaignMode,
    day: date,
    answers: Iterable[tuple[int, dict[str, int | None]]],
    overall: int | None,
    importance: dict[str, int] | None,
) -> None:
    """Add one stored response to its day's and month's rows. Does not commit.

    ``answers`` gives ``(item_id, {field: value})`` per asked item; items not asked are
    simply absent (their answers are missing, as for a blank).
    """
    matrix = single_response_matrix(
        layout, mode=mode, answers=answers, overall=overall, importance=importance
    )
    _upsert(session.connection(), _rows(place, day, respondent_power_sums(matrix)))


def single_response_matrix(
    layout: InstrumentLayout,
    *,
    mode: CampaignMode,
    answers: Iterable[tuple[int, dict[str, int | None]]],
    overall: int | None,
    importance: dict[str, int] | None,
) -> AnswerMatrix:
    """One response as a one-row :class:`AnswerMatrix`."""
    k = len(layout.layout.items)
    values = {field: np.full((1, k), np.nan) for field in MODE_FIELDS[mode]}
    for item_id, item_values in answers:
        column = layout.column_of_item.get(item_id)
        if column is None:
            continue
        for field in values:
            value = item_values.get(field)
            if value is not None:
                values[field][0, column] = value
    codes = layout.layout.dimension_codes
    points = None
    if importance:
        points = np.array([[importance.get(code, np.nan) for code in codes]], dtype=float)
    return AnswerMatrix(
        layout.layout,
        values,
        overall=np.array([np.nan if overall is None else float(overall)]),
        importance=points,
    )


def add_many_to_aggregates(
    session: Session,
    *,
    campaign_id: int,
    answers: AnswerMatrix,
    site: Sequence[int],
    counter: Sequence[int],
    staff: Sequence[int],
    locale: Sequence[str],
    day: Sequence[date],
) -> int:
    """Add many stored responses (an import) to the aggregates at once; returns the rows
    touched. Does not commit."""
    chunk = _Chunk(
        answers=answers,
        site=np.array(site, dtype=np.int64),
        counter=np.array(counter, dtype=np.int64),
        staff=np.array(staff, dtype=np.int64),
        locale=list(locale),
        day=list(day),
    )
    rows = sorted(_chunk_rows(campaign_id, chunk))
    for start in range(0, len(rows), 5000):
        _upsert(session.connection(), rows[start : start + 5000])
    return len(rows)


@dataclass(frozen=True)
class RebuildProgress:
    """How far a rebuild has come: campaigns and months done, responses read."""

    campaign_id: int
    month: date
    months_done: int
    months_total: int
    responses: int


@dataclass(frozen=True)
class RebuildSummary:
    """What a rebuild did."""

    campaigns: int
    responses: int
    rows: int


WINDOW_DAYS = 8
"""A rebuild reads this many days of answers at a time (bounded memory)."""


BOUND_MARGIN = timedelta(hours=1)
"""How far past a window's local midnights a rebuild reads before sorting by local day."""


def _windows(month: date) -> list[tuple[date, date]]:
    """The month cut into windows of local days ``[first, end)``."""
    end_of_month = next_month(month)
    windows = []
    first = month
    while first < end_of_month:
        end = min(first + timedelta(days=WINDOW_DAYS), end_of_month)
        windows.append((first, end))
        first = end
    return windows


def _months_between(first: date, last: date) -> list[date]:
    months = []
    current = month_of(first)
    while current <= last:
        months.append(current)
        current = next_month(current)
    return months


def rebuild_stat_sums(
    session: Session,
    *,
    timezone: tzinfo,
    campaign_ids: Sequence[int] | None = None,
    progress: Callable[[RebuildProgress], None] | None = None,
) -> RebuildSummary:
    """Recompute the aggregates of some campaigns (all by default) from the raw answers.

    Runs in one write transaction and commits at the end, so readers see the old rows until
    the new ones are complete (on SQLite, submissions wait for it: run it when quiet).
    Works month by month (local months in ``timezone``), so memory stays bounded by one
    month of one campaign.
    """
    begin_write(session)
    connection = session.connection()
    if campaign_ids is None:
        campaign_ids = [int(c) for c in session.exec(select(Campaign.id)).all() if c is not None]
    responses_total = 0
    rows_total = 0
    for campaign_id in campaign_ids:
        connection.execute(delete(STAT_SUMS).where(STAT_SUMS.c.campaign_id == campaign_id))
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            continue
        bounds = connection.execute(
            sa_select(
                func.min(SurveyResponse.submitted_at), func.max(SurveyResponse.submitted_at)
            ).where(col(SurveyResponse.campaign_id) == campaign_id)
        ).one()
        if bounds[0] is None:
            continue
        first = _as_utc(bounds[0]).astimezone(timezone).date()
        last = _as_utc(bounds[1]).astimezone(timezone).date()
        layout = instrument_layout(session, campaign.instrument_id)
        months = _months_between(first, last)
        for done, month in enumerate(months, 1):
            month_rows: dict[tuple[Any, ...], list[int]] = {}
            for first_day, end_day in _windows(month):
                chunk = _read_days(
                    connection,
                    campaign=campaign,
                    layout=layout,
                    days=(first_day, end_day),
                    timezone=timezone,
                )
                day_rows = []
                for row in _chunk_rows(campaign_id, chunk):
                    if row[1] == StatGrain.day.value:
                        day_rows.append(row)
                        continue
                    totals = month_rows.setdefault(row[:8], [0, 0, 0, 0])
                    for i in range(4):
                        totals[i] += row[8 + i]
                _bulk_insert(connection, day_rows)
                responses_total += chunk.answers.n
                rows_total += len(day_rows)
            _bulk_insert(connection, [(*key, *values) for key, values in month_rows.items()])
            rows_total += len(month_rows)
            if progress is not None:
                progress(RebuildProgress(campaign_id, month, done, len(months), responses_total))
    session.commit()
    return RebuildSummary(campaigns=len(campaign_ids), responses=responses_total, rows=rows_total)


def _bulk_insert(connection: Connection, rows: list[tuple[Any, ...]]) -> None:
    """Insert new aggregate rows through the driver: COPY on PostgreSQL, executemany on
    SQLite (SQLAlchemy's per-row parameter handling cost more than the database)."""
    if not rows:
        return
    columns = ", ".join(KEY_COLUMNS + VALUE_COLUMNS)
    cursor = connection.connection.cursor()
    try:
        if connection.dialect.name == "postgresql":
            with cursor.copy(f"COPY stat_sums ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * (len(KEY_COLUMNS) + len(VALUE_COLUMNS)))
            cursor.executemany(
                f"INSERT INTO stat_sums ({columns}) VALUES ({marks})",  # noqa: S608 - constants
                [(*row[:2], row[2].isoformat(), *row[3:]) for row in rows],
            )
    finally:
        cursor.close()


def _as_utc(value: Any) -> datetime:
    """MIN/MAX bypass the column type: SQLite returns text or naive values."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class _Chunk:
    """One month of one campaign: answers and, per response, place and local day."""

    answers: AnswerMatrix
    site: np.ndarray
    counter: np.ndarray
    staff: np.ndarray
    locale: list[str]
    day: list[date]


def _read_days(
    connection: Connection,
    *,
    campaign: Campaign,
    layout: InstrumentLayout,
    days: tuple[date, date],
    timezone: tzinfo,
) -> _Chunk:
    """Read a campaign's responses of local days ``[first, end)`` into arrays.

    The query reads an hour more on each side and keeps the responses whose local day is
    in the range: which day a response belongs to is decided once, here in Python, and not
    also by how a database compares timestamps at midnight (SQLite compares text, so
    ``16:00:00`` and ``16:00:00.000000`` would fall on different sides of a bound).
    """
    first_day, end_day = days
    start = datetime.combine(first_day, time.min, tzinfo=timezone) - BOUND_MARGIN
    end = datetime.combine(end_day, time.min, tzinfo=timezone) + BOUND_MARGIN
    in_month = (
        col(SurveyResponse.campaign_id) == campaign.id,
        col(SurveyResponse.submitted_at) >= start.astimezone(UTC),
        col(SurveyResponse.submitted_at) < end.astimezone(UTC),
    )
    table = RESPONSES.c
    responses = connection.execute(
        sa_select(
            table.id,
            table.site_id,
            table.counter_id,
            func.coalesce(table.staff_member_id, SITE_WIDE),
            table.locale,
            table.submitted_at,
            func.coalesce(table.overall, _MISSING),
        )
        .where(*in_month)
        .order_by(table.id)
    ).all()
    local_days = [_as_utc(r[5]).astimezone(timezone).date() for r in responses]
    kept = [i for i, day in enumerate(local_days) if first_day <= day < end_day]
    responses = [responses[i] for i in kept]
    local_days = [local_days[i] for i in kept]
    n = len(responses)
    row_of = {int(r[0]): i for i, r in enumerate(responses)}
    fields = MODE_FIELDS[CampaignMode(campaign.mode)]
    k = len(layout.layout.items)
    values = {f: np.full((n, k), np.nan) for f in fields}
    answers = connection.execute(
        sa_select(
            col(ResponseAnswer.response_id),
            col(ResponseAnswer.item_id),
            *(func.coalesce(getattr(ResponseAnswer, _ANSWER_COLUMN[f]), _MISSING) for f in fields),
        )
        .join(SurveyResponse, col(SurveyResponse.id) == col(ResponseAnswer.response_id))
        .where(*in_month)
    )
    driver = answers.cursor  # read through the driver: no per-row result objects
    while batch := driver.fetchmany(200_000):  # bounded memory: a month can be millions
        cells = np.array(batch, dtype=np.int64)
        rows = np.array([row_of.get(r, -1) for r in cells[:, 0].tolist()], dtype=np.int64)
        columns = np.array(
            [layout.column_of_item.get(i, -1) for i in cells[:, 1].tolist()], dtype=np.int64
        )
        known = (columns >= 0) & (rows >= 0)
        for position, f in enumerate(fields):
            given = cells[:, 2 + position]
            mask = known & (given != _MISSING)
            values[f][rows[mask], columns[mask]] = given[mask]
    answers.close()
    importance = None
    if campaign.ask_importance:
        codes = layout.layout.dimension_codes
        importance = np.full((n, len(codes)), np.nan)
        position_of = {code: i for i, code in enumerate(codes)}
        for response_id, code, points in connection.execute(
            sa_select(
                col(ResponseImportance.response_id),
                col(ResponseImportance.dimension_code),
                col(ResponseImportance.points),
            )
            .join(SurveyResponse, col(SurveyResponse.id) == col(ResponseImportance.response_id))
            .where(*in_month)
        ):
            row = row_of.get(int(response_id))
            if code in position_of and row is not None:
                importance[row, position_of[code]] = points
    overall = np.array([np.nan if r[6] == _MISSING else float(r[6]) for r in responses])
    return _Chunk(
        answers=AnswerMatrix(layout.layout, values, overall=overall, importance=importance),
        site=np.array([int(r[1]) for r in responses], dtype=np.int64),
        counter=np.array([int(r[2]) for r in responses], dtype=np.int64),
        staff=np.array([int(r[3]) for r in responses], dtype=np.int64),
        locale=[str(r[4]) for r in responses],
        day=local_days,
    )


def _chunk_rows(campaign_id: int, chunk: _Chunk) -> Iterator[tuple[Any, ...]]:
    """Aggregate rows of many responses: the three sets of :func:`_rows`, grouped."""
    if chunk.answers.n == 0:
        return
    days = np.array([d.toordinal() for d in chunk.day], dtype=np.int64)
    months = np.array([month_of(d).toordinal() for d in chunk.day], dtype=np.int64)
    locales, locale_index = np.unique(np.array(chunk.locale), return_inverse=True)
    cell_sets = (
        (StatGrain.month, ALL_FAMILIES, np.column_stack([months, chunk.site])),
        (StatGrain.day, LIGHT_FAMILIES, np.column_stack([days, chunk.site])),
        (
            StatGrain.month,
            LIGHT_FAMILIES,
            np.column_stack(
                [months, chunk.site, chunk.counter, chunk.staff, locale_index.reshape(-1)]
            ),
        ),
    )
    for grain, families, keys in cell_sets:
        unique, groups = np.unique(keys, axis=0, return_inverse=True)
        grouped = grouped_power_sums(
            chunk.answers, groups.reshape(-1), len(unique), families=families
        )
        for g, key, value in grouped.rows():
            cell = unique[g]
            period = date.fromordinal(int(cell[0]))
            if len(cell) == 2:
                counter, staff, locale = SITE_WIDE, SITE_WIDE, ""
            else:
                counter, staff, locale = int(cell[2]), int(cell[3]), str(locales[int(cell[4])])
            yield (
                campaign_id,
                grain.value,
                period,
                int(cell[1]),
                counter,
                staff,
                locale,
                key.id,
                *value,
            )
