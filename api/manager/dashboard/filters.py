"""The filters every dashboard page takes: campaign, place, period range and language.

HTML forms send empty fields as empty strings, so values are parsed here by hand rather
than by FastAPI's typed query parameters: an empty field means "not set", and a value that
is not empty but wrong gets a 422 that names the field.
"""

from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import HTTPException, Request

from analytics.intervals import DEFAULT_MIN_N
from api.i18n import LOCALES
from api.months import checked_month, month_value
from survey.stats.dashboard import Period, add_months, default_period
from survey.stats.stat_rows import next_month

FILTER_KEYS = ("site", "counter", "staff", "first_month", "last_month", "language", "min_n")


@dataclass(frozen=True)
class Filters:
    """A dashboard page's filters as given (``None`` = not set)."""

    campaign_id: int
    site: int | None = None
    counter: int | None = None
    staff: int | None = None
    first_month: str | None = None
    last_month: str | None = None
    language: str | None = None
    min_n: int = DEFAULT_MIN_N

    def params(self, **changes: Any) -> dict[str, str]:
        """The filters (with ``changes``) as query parameters, unset ones left out."""
        values = replace(self, **changes)
        result = {}
        for key in FILTER_KEYS:
            value = getattr(values, key)
            if value is not None and not (key == "min_n" and value == DEFAULT_MIN_N):
                result[key] = str(value)
        return result

    def query(self, extra: dict[str, str] | None = None, **changes: Any) -> str:
        """``?site=…&…`` for links that keep the filters (empty string when none)."""
        params = {**self.params(**changes), **{k: v for k, v in (extra or {}).items() if v}}
        return "?" + urlencode(params) if params else ""

    def period(self, today: date, *, default_months: int) -> Period:
        """The months to report: as given, or the ``default_months`` up to this one."""
        first = month_value(self.first_month)
        last = month_value(self.last_month)
        if first is None and last is None:
            return default_period(today, default_months)
        if last is None:
            assert first is not None
            until = max(next_month(date(today.year, today.month, 1)), next_month(first))
            return Period(first, until)
        until = next_month(last)
        since = first if first is not None else add_months(until, -default_months)
        return Period(since, until)


def _optional(request: Request, name: str) -> str | None:
    value = request.query_params.get(name, "").strip()
    return value or None


def _optional_id(request: Request, name: str) -> int | None:
    value = _optional(request, name)
    if value is None:
        return None
    if not value.isdecimal() or len(value) > 12:
        raise HTTPException(422, f"{name} must be a whole number")
    return int(value)


def _optional_month(request: Request, name: str) -> str | None:
    return checked_month(name, _optional(request, name))


def read_filters(request: Request, campaign_id: int) -> Filters:
    """The filters of a dashboard request; 422 naming the field for a wrong value."""
    language = _optional(request, "language")
    if language is not None and language not in LOCALES:
        raise HTTPException(422, f"language must be one of {', '.join(LOCALES)}")
    min_n = _optional_id(request, "min_n")
    if min_n is not None and not 1 <= min_n <= 100_000:
        raise HTTPException(422, "min_n must be between 1 and 100000")
    filters = Filters(
        campaign_id=campaign_id,
        site=_optional_id(request, "site"),
        counter=_optional_id(request, "counter"),
        staff=_optional_id(request, "staff"),
        first_month=_optional_month(request, "first_month"),
        last_month=_optional_month(request, "last_month"),
        language=language,
        min_n=DEFAULT_MIN_N if min_n is None else min_n,
    )
    if filters.first_month and filters.last_month and filters.first_month > filters.last_month:
        raise HTTPException(422, "first_month must not be after last_month")
    return filters
