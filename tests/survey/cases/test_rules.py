"""A case's time limit, its clock with pauses and warnings, and its state changes,
checked against hand-counted working time (09:00–12:00, 13:00–17:00 on the 2026 Chinese
calendar; see tests/survey/test_worktime.py)."""

from datetime import datetime, timedelta

import pytest

from survey.cases.rules import (
    DEFAULT_LIMITS,
    TRANSITIONS,
    CaseClock,
    CaseState,
    Severity,
    Stage,
    TimeLimit,
    TransitionNotAllowed,
    next_state,
)
from survey.cases.worktime import WorkCalendar
from tests.factories import at

CALENDAR = WorkCalendar()


def clock_for(severity: Severity, received: datetime) -> CaseClock:
    return CaseClock.start(CALENDAR, received, DEFAULT_LIMITS[severity])


def test_default_limits() -> None:
    """Simple: one working hour (Tue 24 Nov 11:30 → 13:30, over lunch). General: the same
    working day (Fri 13 Feb 18:00 → Sat 14 Feb 17:00, a make-up working day). Complex: five
    working days (Wed 30 Sep → Tue 13 Oct 17:00, over National Day)."""
    assert clock_for(Severity.simple, at("2026-11-24", "11:30")).deadline_before_pauses == at(
        "2026-11-24", "13:30"
    )
    general = clock_for(Severity.general, at("2026-02-13", "18:00"))
    assert general.deadline_before_pauses == at("2026-02-14", "17:00")
    complex_ = clock_for(Severity.complex, at("2026-09-30", "16:00"))
    assert complex_.deadline_before_pauses == at("2026-10-13", "17:00")


def test_a_regulators_deadline_is_taken_as_given() -> None:
    clock = CaseClock.start(CALENDAR, at("2026-11-23"), deadline=at("2026-12-23", "17:00"))
    assert clock.deadline(at("2026-11-24")) == at("2026-12-23", "17:00")
    with pytest.raises(ValueError, match="either"):
        CaseClock.start(CALENDAR, at("2026-11-23"))
    with pytest.raises(ValueError, match="after"):
        CaseClock.start(CALENDAR, at("2026-11-23"), deadline=at("2026-11-22"))


def test_a_pause_moves_the_deadline_by_the_working_time_it_lasted() -> None:
    """Complex case received Mon 23 Nov 10:00: due Mon 30 Nov 17:00 (41 working hours).
    Paused Tue 24 09:00 → Wed 25 09:00 (7 working hours), it is due Tue 1 Dec 17:00. At
    Wed 12:00 it has used 6 + 7 + 3 − 7 = 9 hours."""
    clock = clock_for(Severity.complex, at("2026-11-23", "10:00"))
    assert clock.deadline_before_pauses == at("2026-11-30", "17:00")
    assert clock.allowed == timedelta(hours=41)
    paused = clock.pause(at("2026-11-24", "09:00"))
    assert paused.paused and paused.deadline(at("2026-11-24", "15:00")) is None
    resumed = paused.resume(at("2026-11-25", "09:00"))
    now = at("2026-11-25", "12:00")
    assert resumed.paused_time(now) == timedelta(hours=7)
    assert resumed.used(now) == timedelta(hours=9)
    assert resumed.deadline(now) == at("2026-12-01", "17:00")


def test_warnings_at_half_and_four_fifths_then_overdue_twice() -> None:
    """A simple case (60 working minutes) received at 09:00."""
    clock = clock_for(Severity.simple, at("2026-11-24", "09:00"))
    stages = {
        "09:29": Stage.on_time,
        "09:30": Stage.half_used,
        "09:47": Stage.half_used,
        "09:48": Stage.nearly_due,
        "10:00": Stage.overdue,
        "10:59": Stage.overdue,
        "11:00": Stage.overdue_twice,
    }
    for moment, stage in stages.items():
        assert clock.stage(at("2026-11-24", moment)) == stage, moment


def test_an_overdue_clock_says_when_it_ran_out_past_its_pauses() -> None:
    """Simple case at 09:00 paused 09:10–09:20: it ran out at 10:10, not 10:00."""
    clock = clock_for(Severity.simple, at("2026-11-24", "09:00"))
    clock = clock.pause(at("2026-11-24", "09:10")).resume(at("2026-11-24", "09:20"))
    assert clock.deadline(at("2026-11-24", "11:00")) == at("2026-11-24", "10:10")
    assert clock.stage(at("2026-11-24", "10:09")) == Stage.nearly_due
    assert clock.stage(at("2026-11-24", "10:10")) == Stage.overdue


def test_pauses_must_follow_the_clock() -> None:
    clock = clock_for(Severity.general, at("2026-11-24", "09:00"))
    with pytest.raises(ValueError, match="not paused"):
        clock.resume(at("2026-11-24", "10:00"))
    paused = clock.pause(at("2026-11-24", "10:00"))
    with pytest.raises(ValueError, match="already paused"):
        paused.pause(at("2026-11-24", "11:00"))
    with pytest.raises(ValueError, match="before it starts"):
        paused.resume(at("2026-11-24", "09:30"))
    with pytest.raises(ValueError, match="last event"):
        clock.pause(at("2026-11-23", "10:00"))


def test_time_limits_are_one_kind() -> None:
    with pytest.raises(ValueError, match="hours, the same working day, or days"):
        TimeLimit()
    with pytest.raises(ValueError, match="hours, the same working day, or days"):
        TimeLimit(hours=1, days=1)


def test_state_changes_follow_the_rules() -> None:
    """The path of a case: received → acknowledged → in progress → answered → closed, and
    the complainant may reopen it; a change from the wrong state names the allowed ones."""
    state = CaseState.received
    for wanted in (
        CaseState.acknowledged,
        CaseState.in_progress,
        CaseState.answered,
        CaseState.closed,
        CaseState.reopened,
        CaseState.answered,
    ):
        state = next_state(state, wanted)
    with pytest.raises(TransitionNotAllowed) as refused:
        next_state(CaseState.closed, CaseState.in_progress)
    assert list(refused.value.allowed) == [CaseState.reopened]
    assert "allowed: reopened" in str(refused.value)
    assert all(CaseState.received not in targets for targets in TRANSITIONS.values())
    assert set(TRANSITIONS) == set(CaseState)
