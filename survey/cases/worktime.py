"""Working time on the official Chinese calendar: the clock of a complaint case.

Time limits for answering complaints are counted in working time: working hours of working
days. A working day is a weekday that is not a public holiday, or a weekend day the State
Council made a working day to make up for a bridged holiday (调休). The ``holidays``
library keeps both lists for China (``holidays.China`` and its ``weekend_workdays``);
an organisation adds its own local decisions (a typhoon closure, a provincial holiday) as
``extra_holidays`` and ``extra_workdays``, which win over the national calendar.

Written by hand: no maintained library adds working *hours* across such a calendar.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import holidays

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE_HOURS: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(13), time(17)))
"""The default working hours: 09:00–12:00 and 13:00–17:00, seven hours a day (each
organisation sets its own)."""
MAX_DAYS = 3 * 366
"""How far the clock looks for working time before giving up (a calendar with no working
day at all would otherwise loop for ever)."""


@cache
def _china(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("CN", years=year)


def national_day_off(day: date) -> bool:
    """Whether ``day`` is a national public holiday or a bridged day off in China."""
    return day in _china(day.year)


def national_make_up_day(day: date) -> bool:
    """Whether ``day`` is a weekend day made a working day by the State Council (调休)."""
    return day in _china(day.year).weekend_workdays


@dataclass(frozen=True)
class WorkCalendar:
    """Working days and hours of one organisation, in its time zone.

    ``hours`` are the working periods of a working day, in order and not overlapping.
    """

    hours: tuple[tuple[time, time], ...] = OFFICE_HOURS
    timezone: ZoneInfo = SHANGHAI
    extra_holidays: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.hours:
            raise ValueError("a working day needs working hours")
        previous_end = time.min
        for start, end in self.hours:
            if not previous_end <= start < end:
                raise ValueError("working hours must be in order and must not overlap")
            previous_end = end
        if self.extra_holidays & self.extra_workdays:
            raise ValueError("a day cannot be both a local holiday and a local working day")

    @property
    def day_length(self) -> timedelta:
        """Working time in one working day."""
        return sum((_between(start, end) for start, end in self.hours), start=timedelta())

    def is_working_day(self, day: date) -> bool:
        """Local decisions first, then the national holidays and make-up days, then the
        week (Monday to Friday).

        >>> calendar = WorkCalendar()
        >>> calendar.is_working_day(date(2026, 10, 6))   # National Day week, a Tuesday
        False
        >>> calendar.is_working_day(date(2026, 10, 10))  # a Saturday made a working day
        True
        """
        if day in self.extra_holidays:
            return False
        if day in self.extra_workdays:
            return True
        if national_day_off(day):
            return False
        return day.weekday() < 5 or national_make_up_day(day)

    def periods(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The working periods of ``day`` as aware datetimes (none on a day off).

        Remembered per calendar and day: a list of cases asks for the same days thousands
        of times, and the holiday look-up is most of a clock's cost.
        """
        return _day_periods(self, day)

    def _periods_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working periods from the local day of ``moment`` on, for at most MAX_DAYS."""
        day = moment.astimezone(self.timezone).date()
        for offset in range(MAX_DAYS):
            yield from self.periods(day + timedelta(days=offset))

    def working_time(self, start: datetime, end: datetime) -> timedelta:
        """Working time between two aware moments (zero when ``end`` is not after
        ``start``).

        >>> calendar = WorkCalendar()
        >>> friday_4pm = datetime(2026, 11, 20, 16, tzinfo=SHANGHAI)
        >>> calendar.working_time(friday_4pm, friday_4pm + timedelta(days=3))  # 1 h + 6 h
        datetime.timedelta(seconds=25200)
        """
        _require_aware(start, end)
        total = timedelta()
        if end <= start:
            return total
        for period_start, period_end in self._periods_from(start):
            if period_start >= end:
                break
            overlap = min(period_end, end) - max(period_start, start)
            if overlap > timedelta():
                total += overlap
        return total

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The moment ``duration`` of working time after ``start``.

        A result that falls exactly at the end of a working period stays there (it is not
        moved to the next morning): "within one working hour" of 16:00 is 17:00 that day.

        >>> calendar = WorkCalendar()
        >>> calendar.add_working_time(datetime(2026, 11, 20, 16, 30, tzinfo=SHANGHAI),
        ...                           timedelta(hours=1)).isoformat()   # Friday 16:30
        '2026-11-23T09:30:00+08:00'
        """
        _require_aware(start)
        if duration < timedelta():
            raise ValueError("working time to add must not be negative")
        remaining = duration
        for period_start, period_end in self._periods_from(start):
            if period_end <= start:
                continue
            begin = max(period_start, start)
            available = period_end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise ValueError(f"no working time within {MAX_DAYS} days of {start.isoformat()}")

    def end_of_working_day(self, moment: datetime) -> datetime:
        """The end of the working day ``moment`` falls in, or of the next working day when
        it falls after the day's last working hour or on a day off ("the same working
        day" for a case received in the evening is the next one).

        >>> calendar = WorkCalendar()
        >>> calendar.end_of_working_day(datetime(2026, 9, 30, 20, tzinfo=SHANGHAI)).isoformat()
        '2026-10-08T17:00:00+08:00'
        """
        _require_aware(moment)
        for day_offset in range(MAX_DAYS):
            day = moment.astimezone(self.timezone).date() + timedelta(days=day_offset)
            periods = self.periods(day)
            if periods and periods[-1][1] > moment:
                return periods[-1][1]
        raise ValueError(f"no working day within {MAX_DAYS} days of {moment.isoformat()}")

    def end_of_working_days(self, moment: datetime, days: int) -> datetime:
        """The end of the ``days``-th working day after the day of ``moment`` (the day of
        receipt does not count, as in "answer within 5 working days")."""
        _require_aware(moment)
        if days < 1:
            raise ValueError("days must be at least 1")
        day = moment.astimezone(self.timezone).date()
        counted = 0
        for _ in range(MAX_DAYS):
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
                if counted == days:
                    return self.periods(day)[-1][1]
        raise ValueError(f"fewer than {days} working days within {MAX_DAYS} days")


@lru_cache(maxsize=65536)
def _day_periods(calendar: WorkCalendar, day: date) -> tuple[tuple[datetime, datetime], ...]:
    if not calendar.is_working_day(day):
        return ()
    return tuple(
        (
            datetime.combine(day, start, tzinfo=calendar.timezone),
            datetime.combine(day, end, tzinfo=calendar.timezone),
        )
        for start, end in calendar.hours
    )


def _between(start: time, end: time) -> timedelta:
    return datetime.combine(date.min, end) - datetime.combine(date.min, start)


def _require_aware(*moments: datetime) -> None:
    for moment in moments:
        if moment.tzinfo is None:
            raise ValueError("moments must carry their time zone")
