"""The ``stat_sums`` table as writers and readers share it: its columns, months, plain reads."""

from datetime import date
from typing import Any

from sqlalchemy import Connection, Table

from survey.models import (
    StatSum,
)

STAT_SUMS: Table = StatSum.__table__  # type: ignore[attr-defined]


KEY_COLUMNS = (
    "campaign_id",
    "grain",
    "period",
    "site_id",
    "counter_id",
    "staff_id",
    "locale",
    "key_id",
)


VALUE_COLUMNS = ("n", "s_a", "s_b", "s_ab")


def month_of(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def fetch_plain(connection: Connection, statement: Any) -> list[Any]:
    """All rows of a query as plain driver tuples (no per-row result processing)."""
    result = connection.execute(statement)
    rows: list[Any] = list(result.cursor.fetchall())
    result.close()
    return rows
