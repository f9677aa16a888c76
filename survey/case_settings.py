"""An organisation's own case rules, read from the database: its working calendar (hours
and local days off or on) and its time limits, with the defaults where it set none."""

from datetime import time

from sqlmodel import Session, select

from survey.case_rules import DEFAULT_LIMITS, Severity, TimeLimit
from survey.models import CalendarOverride, CaseSettings
from survey.worktime import WorkCalendar

DEFAULT_SETTINGS = CaseSettings(organisation_id=0)


def case_settings(session: Session, organisation_id: int) -> CaseSettings:
    """The organisation's row, or the defaults."""
    return session.get(CaseSettings, organisation_id) or DEFAULT_SETTINGS


def parse_working_hours(text: str) -> tuple[tuple[time, time], ...]:
    """``09:00-12:00,13:00-17:00`` → the periods of a working day; ValueError if malformed.

    >>> parse_working_hours("08:30-12:00, 13:30-17:30")
    ((datetime.time(8, 30), datetime.time(12, 0)), (datetime.time(13, 30), datetime.time(17, 30)))
    """
    periods = []
    for part in text.split(","):
        start, _, end = part.strip().partition("-")
        periods.append((time.fromisoformat(start.strip()), time.fromisoformat(end.strip())))
    return tuple(periods)


def calendar_for(session: Session, organisation_id: int) -> WorkCalendar:
    """The organisation's working calendar: its hours, and its local decisions over the
    national calendar."""
    settings = case_settings(session, organisation_id)
    overrides = session.exec(
        select(CalendarOverride).where(CalendarOverride.organisation_id == organisation_id)
    ).all()
    return WorkCalendar(
        hours=parse_working_hours(settings.working_hours),
        extra_holidays=frozenset(o.day for o in overrides if not o.working),
        extra_workdays=frozenset(o.day for o in overrides if o.working),
    )


def limits_for(session: Session, organisation_id: int) -> dict[Severity, TimeLimit]:
    """The organisation's time limit per severity (a regulator's case brings its own)."""
    settings = case_settings(session, organisation_id)
    if settings is DEFAULT_SETTINGS:
        return dict(DEFAULT_LIMITS)
    return {
        Severity.simple: TimeLimit(hours=settings.simple_hours),
        Severity.general: (
            TimeLimit(days=settings.general_days)
            if settings.general_days
            else TimeLimit(same_day=True)
        ),
        Severity.complex: TimeLimit(days=settings.complex_days),
    }
