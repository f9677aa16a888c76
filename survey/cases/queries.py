"""What managers read about cases: the open cases with their clocks (overdue first), the
finished ones page by page, one case in full, and the on-time rate per site and month.

Clocks are rebuilt from each case's history (never stored); a list reads the histories of
all its cases in one query.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from analytics.proportions import Proportion, wilson_proportion
from survey.cases.handling import OPEN_STATES, clock_from_history, histories
from survey.cases.rules import OVERDUE_STAGES, TRANSITIONS, CaseClock, CaseState, Stage
from survey.cases.settings import calendar_for
from survey.cases.worktime import WorkCalendar
from survey.errors import NotFound
from survey.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    Counter,
    EvidencePhoto,
    Feedback,
    Site,
    StaffMember,
    User,
)

STAGE_URGENCY = {
    Stage.overdue_twice: 0,
    Stage.overdue: 1,
    Stage.nearly_due: 2,
    Stage.half_used: 3,
    Stage.on_time: 4,
}
"""Lists show the most urgent first."""
MAX_OPEN_CASES = 1000
"""Open cases listed at most (a hall has tens; more means the sweep or the team is stuck)."""


@dataclass(frozen=True)
class CaseRow:
    """One case in a list, with where its clock stands at the time of reading."""

    case: Case
    feedback: Feedback
    site_name: str
    owner_name: str
    stage: Stage
    deadline: datetime | None
    """When the limit runs out; ``None`` while the clock is paused."""
    paused: bool
    used_share: float
    """Working time used over the working time allowed (1.0 = due now)."""


class _Calendars:
    """Each organisation's calendar, read once per request."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._known: dict[int, WorkCalendar] = {}

    def __call__(self, organisation_id: int) -> WorkCalendar:
        if organisation_id not in self._known:
            self._known[organisation_id] = calendar_for(self._session, organisation_id)
        return self._known[organisation_id]


def _rows(
    session: Session, cases: list[Case], now: datetime, calendars: _Calendars
) -> list[CaseRow]:
    ids = [case.id for case in cases if case.id is not None]
    events = histories(session, ids)
    feedback = {
        f.id: f
        for f in session.exec(
            select(Feedback).where(col(Feedback.id).in_([c.feedback_id for c in cases]))
        ).all()
    }
    site_names = _site_names(session, {c.site_id for c in cases})
    owner_names = _user_names(session, {c.owner_user_id for c in cases})
    rows = []
    for case in cases:
        assert case.id is not None
        clock = clock_from_history(events[case.id], case, calendars(case.organisation_id))
        allowed = clock.allowed.total_seconds()
        used = clock.used(now)
        rows.append(
            CaseRow(
                case=case,
                feedback=feedback[case.feedback_id],
                site_name=site_names.get(case.site_id or 0, ""),
                owner_name=owner_names.get(case.owner_user_id or 0, ""),
                stage=clock.stage(now, used=used),
                deadline=clock.deadline(now, used=used),
                paused=clock.paused,
                used_share=used.total_seconds() / allowed if allowed else 1.0,
            )
        )
    return rows


def _site_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = sorted(i for i in ids if i)
    rows = session.exec(select(Site.id, Site.name).where(col(Site.id).in_(wanted))).all()
    return {site_id: name for site_id, name in rows if site_id is not None}


def _user_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = sorted(i for i in ids if i)
    rows = session.exec(select(User.id, User.display_name).where(col(User.id).in_(wanted))).all()
    return {user_id: name for user_id, name in rows if user_id is not None}


def open_cases(
    session: Session,
    *,
    organisation_ids: Iterable[int],
    now: datetime,
    site_id: int | None = None,
    site_ids: Collection[int] | None = None,
) -> list[CaseRow]:
    """The cases still to be answered, the most urgent first: overdue twice, overdue, 80 %
    and 50 % used, on time; within a stage the earliest deadline first, paused last.
    ``site_ids`` keeps a hall manager's halls only (``None``: every hall)."""
    query = (
        select(Case)
        .where(col(Case.organisation_id).in_(list(organisation_ids)))
        .where(col(Case.state).in_([state.value for state in OPEN_STATES]))
        .order_by(col(Case.received_at))
        .limit(MAX_OPEN_CASES)
    )
    if site_id is not None:
        query = query.where(Case.site_id == site_id)
    if site_ids is not None:
        query = query.where(col(Case.site_id).in_(sorted(site_ids)))
    rows = _rows(session, list(session.exec(query).all()), now, _Calendars(session))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(rows, key=lambda r: (STAGE_URGENCY[r.stage], r.deadline or far))


@dataclass(frozen=True)
class CasePage:
    rows: list[CaseRow]
    next_before: int | None
    """The ``before`` of the next page, or ``None`` on the last page."""


def finished_cases(
    session: Session,
    *,
    organisation_ids: Iterable[int],
    now: datetime,
    before: int | None = None,
    limit: int = 50,
    site_ids: Collection[int] | None = None,
) -> CasePage:
    """Answered and closed cases, newest first, ``limit`` per page (keyset on the id);
    ``site_ids`` keeps a hall manager's halls only."""
    query = (
        select(Case)
        .where(col(Case.organisation_id).in_(list(organisation_ids)))
        .where(col(Case.state).notin_([state.value for state in OPEN_STATES]))
        .order_by(col(Case.id).desc())
        .limit(limit + 1)
    )
    if before is not None:
        query = query.where(col(Case.id) < before)
    if site_ids is not None:
        query = query.where(col(Case.site_id).in_(sorted(site_ids)))
    cases = list(session.exec(query).all())
    more = len(cases) > limit
    cases = cases[:limit]
    rows = _rows(session, cases, now, _Calendars(session))
    return CasePage(rows, cases[-1].id if more and cases else None)


@dataclass(frozen=True)
class HistoryEntry:
    event: CaseEvent
    actor_name: str


@dataclass(frozen=True)
class CaseDetail:
    """Everything a manager sees about one case."""

    row: CaseRow
    clock: CaseClock
    history: list[HistoryEntry]
    place: str
    photos: list[EvidencePhoto]
    next_states: tuple[CaseState, ...]
    answer: CaseEvent | None


def case_detail(
    session: Session,
    case_id: int,
    *,
    organisation_ids: Collection[int],
    now: datetime,
    site_ids: Collection[int] | None = None,
) -> CaseDetail:
    """One case of the reader's organisations (of a hall manager's ``site_ids``; NotFound
    otherwise), with its clock, its whole history and who did what."""
    case = session.get(Case, case_id)
    if case is None or case.organisation_id not in organisation_ids:
        raise NotFound(f"case {case_id}")
    if site_ids is not None and case.site_id not in site_ids:
        raise NotFound(f"case {case_id}")
    assert case.id is not None
    calendars = _Calendars(session)
    row = _rows(session, [case], now, calendars)[0]
    events = histories(session, [case.id])[case.id]
    users = _user_names(session, {e.actor_user_id for e in events})
    history = [HistoryEntry(e, users.get(e.actor_user_id or 0, "")) for e in events]
    answers = [e for e in events if e.kind == CaseEventKind.answer]
    photos = list(
        session.exec(
            select(EvidencePhoto)
            .where(EvidencePhoto.feedback_id == case.feedback_id)
            .order_by(col(EvidencePhoto.id))
        ).all()
    )
    return CaseDetail(
        row=row,
        clock=clock_from_history(events, case, calendars(case.organisation_id)),
        history=history,
        place=place_name(session, row.feedback),
        photos=photos,
        next_states=TRANSITIONS[CaseState(case.state)],
        answer=answers[-1] if answers else None,
    )


def place_name(session: Session, feedback: Feedback) -> str:
    """``Site › counter › clerk (job number)``, as far as the feedback names a place."""
    parts = []
    if feedback.site_id is not None and (site := session.get(Site, feedback.site_id)):
        parts.append(site.name)
    if feedback.counter_id is not None and (counter := session.get(Counter, feedback.counter_id)):
        parts.append(counter.name)
    if feedback.staff_member_id is not None and (
        staff := session.get(StaffMember, feedback.staff_member_id)
    ):
        parts.append(f"{staff.display_name} ({staff.job_number})")
    return " › ".join(parts)


def _in_time(stage: Stage) -> bool:
    return stage not in OVERDUE_STAGES


@dataclass(frozen=True)
class OnTimeRow:
    """One site's cases received in one month: answered in time, late, still running."""

    site_id: int | None
    site_name: str
    month: date
    received: int
    on_time: int
    late: int
    pending: int
    """Not answered yet and not overdue: neither on time nor late so far."""
    rate: Proportion
    """On time out of on time + late, with its Wilson interval."""


def on_time_rates(
    session: Session,
    *,
    organisation_ids: Iterable[int],
    since: datetime,
    until: datetime,
    now: datetime,
) -> list[OnTimeRow]:
    """Per site and month of receipt (in the organisation's time zone): how many cases
    were first answered within their limit.

    A case counts as on time when its first answer came before its clock ran out, late when
    it was answered after or is still unanswered past its limit; an unanswered case within
    its limit is pending and left out of the rate.
    """
    cases = list(
        session.exec(
            select(Case)
            .where(col(Case.organisation_id).in_(list(organisation_ids)))
            .where(col(Case.received_at) >= since)
            .where(col(Case.received_at) < until)
        ).all()
    )
    calendars = _Calendars(session)
    events = histories(session, [c.id for c in cases if c.id is not None])
    site_names = _site_names(session, {c.site_id for c in cases})
    counts: dict[tuple[int | None, date], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for case in cases:
        assert case.id is not None
        calendar = calendars(case.organisation_id)
        history = events[case.id]
        clock = clock_from_history(history, case, calendar)
        local = case.received_at.astimezone(calendar.timezone).date()
        tally = counts[(case.site_id, local.replace(day=1))]
        tally[0] += 1
        first_answer = next(
            (
                e.at
                for e in history
                if e.kind == CaseEventKind.state and e.to_state == CaseState.answered.value
            ),
            None,
        )
        if first_answer is not None:
            tally[1 if _in_time(clock.stage(first_answer)) else 2] += 1
        elif not _in_time(clock.stage(now)):
            tally[2] += 1
        else:
            tally[3] += 1
    return [
        OnTimeRow(
            site_id=site_id,
            site_name=site_names.get(site_id or 0, ""),
            month=month,
            received=received,
            on_time=on_time,
            late=late,
            pending=pending,
            rate=wilson_proportion(on_time, on_time + late),
        )
        for (site_id, month), (received, on_time, late, pending) in sorted(
            counts.items(), key=lambda item: (site_names.get(item[0][0] or 0, ""), item[0][1])
        )
    ]


@dataclass(frozen=True)
class FeedbackCount:
    organisation_id: int
    kind: str
    category: str
    n: int


def feedback_counts(
    session: Session, *, organisation_ids: Iterable[int], since: datetime, until: datetime
) -> list[FeedbackCount]:
    """Feedback received in ``[since, until)`` per organisation, kind and category: the
    complaint statistics regulators publish."""
    rows = session.exec(
        select(Feedback.organisation_id, Feedback.kind, Feedback.category, func.count())
        .where(col(Feedback.organisation_id).in_(list(organisation_ids)))
        .where(col(Feedback.received_at) >= since, col(Feedback.received_at) < until)
        .group_by(col(Feedback.organisation_id), col(Feedback.kind), col(Feedback.category))
        .order_by(col(Feedback.organisation_id), col(Feedback.kind), col(Feedback.category))
    ).all()
    return [FeedbackCount(org, str(kind), str(category), n) for org, kind, category, n in rows]
