"""Working-time arithmetic on the Chinese calendar, checked against hand-counted days.

The 2026 calendar (State Council notice): National Day holiday 1–7 October with Sunday
20 September and Saturday 10 October made working days; Spring Festival 15–23 February
with Saturdays 14 and 28 February made working days. Default hours: 09:00–12:00 and
13:00–17:00, seven hours a working day.
"""

from datetime import date, datetime, time, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.cases.worktime import SHANGHAI, WorkCalendar
from tests.factories import at

CALENDAR = WorkCalendar()
DAY = timedelta(hours=7)  # 09:00–12:00 (3 h) + 13:00–17:00 (4 h)


def test_a_working_day_has_seven_hours() -> None:
    assert CALENDAR.day_length == DAY
    assert CALENDAR.working_time(at("2026-11-24", "08:00"), at("2026-11-24", "20:00")) == DAY


def test_five_working_days_across_national_day_count_the_make_up_saturday() -> None:
    """Received Wednesday 30 September: 1–7 October are off, so the five working days
    after it are Thu 8, Fri 9, Sat 10 (made a working day), Mon 12 and Tue 13 October."""
    deadline = CALENDAR.end_of_working_days(at("2026-09-30", "16:00"), 5)
    assert deadline == at("2026-10-13", "17:00")


def test_hours_over_a_make_up_saturday_and_an_ordinary_one() -> None:
    """Fri 9 Oct 16:00 → Mon 12 Oct 10:00: 1 h Friday + 7 h on Saturday 10 October (a
    make-up working day) + 1 h Monday = 9 h. The same span a month later (Fri 20 Nov →
    Mon 23 Nov) crosses an ordinary Saturday: 2 h."""
    assert CALENDAR.working_time(at("2026-10-09", "16:00"), at("2026-10-12", "10:00")) == (
        timedelta(hours=9)
    )
    assert CALENDAR.working_time(at("2026-11-20", "16:00"), at("2026-11-23", "10:00")) == (
        timedelta(hours=2)
    )


def test_one_working_hour_skips_lunch_the_night_and_the_holiday() -> None:
    assert CALENDAR.add_working_time(at("2026-11-24", "11:30"), timedelta(hours=1)) == at(
        "2026-11-24", "13:30"
    )
    # Wednesday 30 September 16:30: 30 minutes that day, the rest on Thursday 8 October.
    assert CALENDAR.add_working_time(at("2026-09-30", "16:30"), timedelta(hours=1)) == at(
        "2026-10-08", "09:30"
    )
    # Received on a holiday: the clock starts at the next working morning.
    assert CALENDAR.add_working_time(at("2026-10-03", "10:00"), timedelta(hours=1)) == at(
        "2026-10-08", "10:00"
    )


def test_the_same_working_day_of_an_evening_case_is_the_next_one() -> None:
    """Friday 13 February 2026 at 18:00: the next working day is Saturday 14 February,
    made a working day for the Spring Festival."""
    assert CALENDAR.end_of_working_day(at("2026-02-13", "18:00")) == at("2026-02-14", "17:00")
    assert CALENDAR.end_of_working_day(at("2026-02-13", "10:00")) == at("2026-02-13", "17:00")
    # Monday 16 to Monday 23 February are off: Tuesday 24 February.
    assert CALENDAR.end_of_working_day(at("2026-02-16", "10:00")) == at("2026-02-24", "17:00")


def test_local_decisions_override_the_national_calendar() -> None:
    """A typhoon closes the hall on Tuesday 24 November; it opens on Sunday 29 instead."""
    local = WorkCalendar(
        extra_holidays=frozenset({date(2026, 11, 24)}),
        extra_workdays=frozenset({date(2026, 11, 29)}),
    )
    assert not local.is_working_day(date(2026, 11, 24))
    assert local.is_working_day(date(2026, 11, 29))
    assert local.end_of_working_days(at("2026-11-23", "10:00"), 1) == at("2026-11-25", "17:00")
    with pytest.raises(ValueError, match="both"):
        WorkCalendar(
            extra_holidays=frozenset({date(2026, 1, 5)}),
            extra_workdays=frozenset({date(2026, 1, 5)}),
        )


def test_working_days_agree_with_the_holidays_library_over_two_years() -> None:
    """Independent check: ``holidays.China().is_working_day`` on every day of 2025–2026."""
    china = holidays.country_holidays("CN", years=[2025, 2026])
    day = date(2025, 1, 1)
    while day <= date(2026, 12, 31):
        assert CALENDAR.is_working_day(day) == china.is_working_day(day), day
        day += timedelta(days=1)


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 1)),
    minutes=st.integers(min_value=0, max_value=60 * 7 * 30),
)
def test_adding_working_time_and_measuring_it_agree(start: datetime, minutes: int) -> None:
    """working_time(s, add_working_time(s, d)) == d for any start and duration."""
    begin = start.replace(tzinfo=SHANGHAI)
    duration = timedelta(minutes=minutes)
    end = CALENDAR.add_working_time(begin, duration)
    assert CALENDAR.working_time(begin, end) == duration
    assert end >= begin


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        CALENDAR.working_time(datetime(2026, 1, 5, 9), datetime(2026, 1, 5, 10))
    with pytest.raises(ValueError, match="negative"):
        CALENDAR.add_working_time(at("2026-01-05"), timedelta(hours=-1))
    with pytest.raises(ValueError, match="order"):
        WorkCalendar(hours=((time(13), time(17)), (time(9), time(12))))
    with pytest.raises(ValueError, match="at least 1"):
        CALENDAR.end_of_working_days(at("2026-01-05"), 0)
