"""Hours of a day written as text: ``09:00-12:00,13:00-17:00``.

A hall's opening hours and an organisation's working hours (which case clocks run in) are
both written so, and read here.
"""

from datetime import time


def parse_daily_hours(text: str) -> tuple[tuple[time, time], ...]:
    """``09:00-12:00,13:00-17:00`` → the periods of a day, in order and not overlapping;
    ValueError for anything else (a malformed time, an end before its start, periods out
    of order).

    >>> parse_daily_hours("08:30-12:00, 13:30-17:30")
    ((datetime.time(8, 30), datetime.time(12, 0)), (datetime.time(13, 30), datetime.time(17, 30)))
    """
    periods: list[tuple[time, time]] = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        opens, closes = time.fromisoformat(first.strip()), time.fromisoformat(last.strip())
        if not opens < closes or (periods and opens < periods[-1][1]):
            raise ValueError("hours must be in order and must not overlap")
        periods.append((opens, closes))
    return tuple(periods)
