"""The rules of a complaint case that do not need a database: its time limit, its clock
with pauses and warnings, and which state changes are allowed.

A case's clock counts working time (:mod:`survey.cases.worktime`) from receipt, except while
it is paused waiting for the complainant. It warns at 50 % and 80 % of the limit; when the
limit passes the case goes to the site manager, and when a second limit passes after
that, to the organisation.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property

from survey.cases.worktime import WorkCalendar
from survey.models import CaseState as CaseState
from survey.models import Severity as Severity


@dataclass(frozen=True)
class TimeLimit:
    """A limit in working time: ``hours`` working hours, or the end of the same working day
    (``same_day``), or the end of the ``days``-th working day after receipt."""

    hours: int = 0
    same_day: bool = False
    days: int = 0

    def __post_init__(self) -> None:
        kinds = (self.hours > 0) + self.same_day + (self.days > 0)
        if kinds != 1 or self.hours < 0 or self.days < 0:
            raise ValueError("a time limit is hours, the same working day, or days")

    def deadline(self, calendar: WorkCalendar, received_at: datetime) -> datetime:
        if self.hours:
            return calendar.add_working_time(received_at, timedelta(hours=self.hours))
        if self.same_day:
            return calendar.end_of_working_day(received_at)
        return calendar.end_of_working_days(received_at, self.days)


DEFAULT_LIMITS: dict[Severity, TimeLimit] = {
    Severity.simple: TimeLimit(hours=1),
    Severity.general: TimeLimit(same_day=True),
    Severity.complex: TimeLimit(days=5),
}
"""Simple: within the working hour; general: the same working day; complex: 5 working
days. An organisation may set its own; a regulator's case carries its deadline."""


class Stage(StrEnum):
    """Where a running clock stands."""

    on_time = "on_time"
    half_used = "half_used"
    """50 % of the limit's working time is used: first warning."""
    nearly_due = "nearly_due"
    """80 % is used: second warning."""
    overdue = "overdue"
    """The limit has passed: the case goes to the site manager."""
    overdue_twice = "overdue_twice"
    """A second limit has passed since: the case goes to the organisation."""


OVERDUE_STAGES = (Stage.overdue, Stage.overdue_twice)
"""The stages past the time limit: each escalates the case one level further."""


WARNING_SHARES = (0.5, 0.8)


@dataclass(frozen=True)
class Pause:
    """The clock stood still from ``start`` to ``end`` (``None``: still paused)."""

    start: datetime
    end: datetime | None = None


@dataclass(frozen=True)
class CaseClock:
    """The clock of one case: received at ``received_at``, due at
    ``deadline_before_pauses`` if it never paused, and its pauses in time order. Every
    method is given ``now``, so tests (and replays of the history) choose the time."""

    calendar: WorkCalendar
    received_at: datetime
    deadline_before_pauses: datetime
    pauses: tuple[Pause, ...] = ()

    @classmethod
    def start(
        cls,
        calendar: WorkCalendar,
        received_at: datetime,
        limit: TimeLimit | None = None,
        *,
        deadline: datetime | None = None,
    ) -> "CaseClock":
        """A clock from ``limit`` (or from a given ``deadline``, for a regulator's case)."""
        if (limit is None) == (deadline is None):
            raise ValueError("give either a time limit or a deadline")
        if deadline is None:
            assert limit is not None
            deadline = limit.deadline(calendar, received_at)
        if deadline <= received_at:
            raise ValueError("the deadline must be after the case was received")
        return cls(calendar, received_at, deadline)

    @cached_property
    def allowed(self) -> timedelta:
        """The working time the limit allows."""
        return self.calendar.working_time(self.received_at, self.deadline_before_pauses)

    @property
    def paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1].end is None

    def pause(self, at: datetime) -> "CaseClock":
        if self.paused:
            raise ValueError("the clock is already paused")
        if at < self.received_at or (self.pauses and at < self._last_end()):
            raise ValueError("a pause cannot start before the clock's last event")
        return CaseClock(
            self.calendar, self.received_at, self.deadline_before_pauses, (*self.pauses, Pause(at))
        )

    def resume(self, at: datetime) -> "CaseClock":
        if not self.paused:
            raise ValueError("the clock is not paused")
        last = self.pauses[-1]
        if at < last.start:
            raise ValueError("a pause cannot end before it starts")
        return CaseClock(
            self.calendar,
            self.received_at,
            self.deadline_before_pauses,
            (*self.pauses[:-1], Pause(last.start, at)),
        )

    def _last_end(self) -> datetime:
        end = self.pauses[-1].end
        return end if end is not None else self.pauses[-1].start

    def paused_time(self, now: datetime) -> timedelta:
        """Working time spent paused up to ``now``."""
        return sum(
            (
                self.calendar.working_time(p.start, min(p.end or now, now))
                for p in self.pauses
                if p.start < now
            ),
            start=timedelta(),
        )

    def used(self, now: datetime) -> timedelta:
        """Working time the clock has run: since receipt, minus the pauses."""
        return self.calendar.working_time(self.received_at, now) - self.paused_time(now)

    def deadline(self, now: datetime, *, used: timedelta | None = None) -> datetime | None:
        """When the limit runs out, the pauses so far added; ``None`` while paused (the
        clock stands still, so there is no date yet). ``used`` is ``self.used(now)`` when
        the caller has it already."""
        if self.paused:
            return None
        remaining = self.allowed - (self.used(now) if used is None else used)
        if remaining <= timedelta():
            return self._run_out(self.allowed)
        return self.calendar.add_working_time(max(now, self.received_at), remaining)

    def _run_out(self, amount: timedelta) -> datetime:
        """The moment the running clock reached ``amount``, walking past the pauses."""
        moment, left = self.received_at, amount
        for pause in self.pauses:
            running = self.calendar.working_time(moment, pause.start)
            if running >= left:
                break
            left -= running
            if pause.end is None:
                return pause.start
            moment = pause.end
        return self.calendar.add_working_time(moment, left)

    def stage(self, now: datetime, *, used: timedelta | None = None) -> Stage:
        """On time, a warning at 50 % and 80 % of the allowed working time, overdue, or
        overdue by a second limit. ``used`` is ``self.used(now)`` when the caller has it
        already."""
        used = self.used(now) if used is None else used
        allowed = self.allowed
        if used >= 2 * allowed:
            return Stage.overdue_twice
        if used >= allowed:
            return Stage.overdue
        if used >= allowed * WARNING_SHARES[1]:
            return Stage.nearly_due
        if used >= allowed * WARNING_SHARES[0]:
            return Stage.half_used
        return Stage.on_time


TRANSITIONS: dict[CaseState, tuple[CaseState, ...]] = {
    CaseState.received: (
        CaseState.acknowledged,
        CaseState.in_progress,
        CaseState.answered,
        CaseState.escalated,
    ),
    CaseState.acknowledged: (CaseState.in_progress, CaseState.answered, CaseState.escalated),
    CaseState.in_progress: (CaseState.answered, CaseState.escalated),
    CaseState.escalated: (CaseState.in_progress, CaseState.answered),
    CaseState.answered: (CaseState.closed, CaseState.reopened),
    CaseState.reopened: (CaseState.in_progress, CaseState.answered, CaseState.escalated),
    CaseState.closed: (CaseState.reopened,),
}
"""Which states each state may move to. A simple case may be answered at once, straight
from ``received``. A closed case may be reopened by the complainant;
nothing moves a case back to ``received``."""


class TransitionNotAllowed(ValueError):
    """A state change not allowed from the case's state (the web answers 409 with
    :attr:`allowed`)."""

    def __init__(self, current: CaseState, wanted: CaseState) -> None:
        self.current, self.wanted = current, wanted
        self.allowed: Sequence[CaseState] = TRANSITIONS[current]
        names = ", ".join(state.value for state in self.allowed)
        super().__init__(f"a {current.value} case cannot become {wanted.value}; allowed: {names}")


def next_state(current: CaseState, wanted: CaseState) -> CaseState:
    """``wanted`` if the rules allow it from ``current``, else TransitionNotAllowed."""
    if wanted not in TRANSITIONS[current]:
        raise TransitionNotAllowed(current, wanted)
    return wanted
