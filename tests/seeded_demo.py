"""The demo, seeded once per test process and copied back for every later test that asks
for the same demo.

About sixty tests read the demo organisation (hundreds of responses, cases, inspections)
and change little of it. Seeding it through the real use cases takes 2-4 s each time, which
made up a quarter of the suite. :func:`seeded_demo` seeds it for real the first time a test
process asks for a given demo (same day, size, salt and options), reads back every row the
seed wrote, and for every later request writes those rows again in one bulk insert per
table: the same database contents, ids included, in a fraction of the time. The demo's own
tests (``tests/survey/demo``, the ``manyi demo`` command) still call ``seed_demo``.

The copy is taken and put back only into an empty database (the ``engine`` fixture empties
it after each test); a test that made rows before asking for the demo gets a real seed.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import Connection, func, select, text
from sqlmodel import Session, SQLModel

import survey.models  # noqa: F401 - registers every table on SQLModel.metadata
from survey.demo.seed import DemoSummary, seed_demo


@dataclass(frozen=True)
class _Copy:
    summary: DemoSummary
    rows: dict[str, list[dict[str, Any]]]


_COPIES: dict[tuple[object, ...], _Copy] = {}


def seeded_demo(
    session: Session,
    *,
    now: datetime,
    n_responses: int,
    salt: str,
    evaluation: bool = True,
    timezone: tzinfo = UTC,
) -> DemoSummary:
    """What ``seed_demo`` with these arguments returns, and the database it leaves. Commits."""
    key = (now, n_responses, salt, evaluation, str(timezone))
    connection = session.connection()
    if not _is_empty(connection):
        return seed_demo(
            session,
            now=now,
            n_responses=n_responses,
            salt=salt,
            evaluation=evaluation,
            timezone=timezone,
        )
    copy = _COPIES.get(key)
    if copy is None:
        summary = seed_demo(
            session,
            now=now,
            n_responses=n_responses,
            salt=salt,
            evaluation=evaluation,
            timezone=timezone,
        )
        _COPIES[key] = _Copy(summary, _read_rows(session.connection()))
        session.commit()
        return summary
    _write_rows(connection, copy.rows)
    session.commit()
    return copy.summary


def _is_empty(connection: Connection) -> bool:
    return all(
        connection.execute(select(func.count()).select_from(table)).scalar_one() == 0
        for table in SQLModel.metadata.sorted_tables
    )


def _read_rows(connection: Connection) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    for table in SQLModel.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        result = connection.execute(table.select().order_by(*order))
        rows[table.name] = [dict(row) for row in result.mappings()]
    return rows


def _write_rows(connection: Connection, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Insert parents before children (``sorted_tables`` order); on PostgreSQL move each
    identity sequence past the copied ids so the test's own inserts do not collide."""
    for table in SQLModel.metadata.sorted_tables:
        table_rows = rows.get(table.name)
        if not table_rows:
            continue
        connection.execute(table.insert(), table_rows)
        if connection.dialect.name == "postgresql" and "id" in table.columns:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT MAX(id) FROM {table.name}))"
                )
            )
