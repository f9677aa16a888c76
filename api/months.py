"""Months typed into a query (``YYYY-MM``), as report pages take them: checked, with a
422 that names the field, and turned into the month's first day."""

import re
from datetime import date

from fastapi import HTTPException

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
FIRST_YEAR, LAST_YEAR = 2000, 2200
"""Months outside these years are typing slips (and year 9999 has no month after it)."""


def checked_month(name: str, value: str | None) -> str | None:
    """``value`` if it is a month ``YYYY-MM`` between FIRST_YEAR and LAST_YEAR; else a 422
    naming ``name``."""
    if value is not None and not MONTH.match(value):
        raise HTTPException(422, f"{name} must be a month written YYYY-MM")
    if value is not None and not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
        raise HTTPException(422, f"{name} must be between {FIRST_YEAR} and {LAST_YEAR}")
    return value


def month_value(text: str | None) -> date | None:
    """The first day of a checked month (``None`` for ``None``)."""
    if text is None:
        return None
    year, month = text.split("-")
    return date(int(year), int(month), 1)
