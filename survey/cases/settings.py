"""An organisation's own case rules: its working calendar (hours and local days off or
on), its time limits and how long a closed complaint is kept, with the defaults where it
set none; read for the clocks and edited by managers."""

from datetime import date

from sqlmodel import Session, col, select

from survey.cases.rules import DEFAULT_LIMITS, Severity, TimeLimit
from survey.cases.worktime import WorkCalendar
from survey.db import begin_write
from survey.errors import N_, FieldError, InvalidAnswer, NotFound
from survey.models import CalendarOverride, CaseSettings
from survey.places.hours import parse_daily_hours

DEFAULT_SETTINGS = CaseSettings(organisation_id=0)


def case_settings(session: Session, organisation_id: int) -> CaseSettings:
    """The organisation's row, or the defaults."""
    return session.get(CaseSettings, organisation_id) or DEFAULT_SETTINGS


def calendar_for(session: Session, organisation_id: int) -> WorkCalendar:
    """The organisation's working calendar: its hours, and its local decisions over the
    national calendar."""
    settings = case_settings(session, organisation_id)
    overrides = session.exec(
        select(CalendarOverride).where(CalendarOverride.organisation_id == organisation_id)
    ).all()
    return WorkCalendar(
        hours=parse_daily_hours(settings.working_hours),
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


MAX_LIMIT_HOURS = 7 * 24
MAX_LIMIT_DAYS = 60
MAX_RETENTION_DAYS = 3650


def save_case_settings(
    session: Session,
    organisation_id: int,
    *,
    simple_hours: str,
    general_days: str,
    complex_days: str,
    working_hours: str,
    retention_days: str,
) -> CaseSettings:
    """Validate and store an organisation's time limits, working hours and retention, as
    typed in a form (InvalidAnswer names every bad field). Commits.

    New limits apply to cases received from now on (a case keeps the limit it was given);
    working hours and local days apply to every running clock, as they say when people work.
    """
    errors: dict[str, FieldError] = {}

    def whole(name: str, text: str, low: int, high: int) -> int:
        value = text.strip()
        if not value.isdecimal() or len(value) > 9 or not low <= int(value) <= high:
            errors[name] = FieldError(
                N_("Enter a whole number from %(low)s to %(high)s."), {"low": low, "high": high}
            )
            return low
        return int(value)

    row = CaseSettings(
        organisation_id=organisation_id,
        simple_hours=whole("simple_hours", simple_hours, 1, MAX_LIMIT_HOURS),
        general_days=whole("general_days", general_days, 0, MAX_LIMIT_DAYS),
        complex_days=whole("complex_days", complex_days, 1, MAX_LIMIT_DAYS),
        working_hours=working_hours.strip(),
        retention_days=whole("retention_days", retention_days, 1, MAX_RETENTION_DAYS),
    )
    try:
        WorkCalendar(hours=parse_daily_hours(row.working_hours))
    except ValueError:
        errors["working_hours"] = FieldError(
            N_("Write working hours like 09:00-12:00,13:00-17:00: in order, not overlapping.")
        )
    if errors:
        raise InvalidAnswer(errors)
    begin_write(session)
    session.merge(row)
    session.commit()
    return case_settings(session, organisation_id)


def calendar_overrides(session: Session, organisation_id: int) -> list[CalendarOverride]:
    """The organisation's local days, in date order."""
    return list(
        session.exec(
            select(CalendarOverride)
            .where(CalendarOverride.organisation_id == organisation_id)
            .order_by(col(CalendarOverride.day))
        ).all()
    )


def set_calendar_day(
    session: Session, organisation_id: int, *, day: str, working: bool, note: str
) -> None:
    """Declare a local day off or extra working day (replacing an earlier decision on the
    same day). Commits."""
    try:
        parsed = date.fromisoformat(day.strip())
    except ValueError:
        raise InvalidAnswer({"day": N_("Enter a date like 2026-10-09.")}) from None
    if not 2000 <= parsed.year <= 2200:
        raise InvalidAnswer({"day": N_("Enter a date like 2026-10-09.")})
    begin_write(session)
    session.merge(
        CalendarOverride(
            organisation_id=organisation_id, day=parsed, working=working, note=note.strip()[:200]
        )
    )
    session.commit()


def remove_calendar_day(session: Session, organisation_id: int, day: date) -> None:
    """Withdraw a local decision; the national calendar applies to that day again."""
    begin_write(session)
    found = session.get(CalendarOverride, (organisation_id, day))
    if found is None:
        raise NotFound(f"calendar day {day}")
    session.delete(found)
    session.commit()
