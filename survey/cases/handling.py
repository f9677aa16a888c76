"""Feedback and complaint cases: filing, first-ask ownership, state changes and the clock.

Every change to a case is a new :class:`~survey.models.CaseEvent` (the database refuses
to update or delete one); the case row only repeats the current state for lists. The
clock is never stored: :func:`case_clock` rebuilds it from the history each time.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from survey.cases.filing_brake import check_filing_brake
from survey.cases.rules import (
    DEFAULT_LIMITS,
    OVERDUE_STAGES,
    CaseClock,
    CaseState,
    Pause,
    Severity,
    Stage,
    next_state,
)
from survey.cases.settings import calendar_for, case_settings, limits_for
from survey.cases.worktime import WorkCalendar
from survey.db import begin_write
from survey.errors import CaseActionNotAllowed, CaseLinkNotFound, NotFound, Refusal
from survey.evidence.photos import CleanPhoto, store_photo
from survey.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    EvidencePhoto,
    Feedback,
    FeedbackCategory,
    FeedbackKind,
    FeedbackSource,
    Site,
)
from survey.places.links import new_token

OPENS_A_CASE = (FeedbackKind.criticism, FeedbackKind.complaint)


@dataclass(frozen=True)
class Filed:
    """What filing feedback made: the feedback, and the case when it opens one."""

    feedback: Feedback
    case: Case | None


def file_feedback(
    session: Session,
    *,
    organisation_id: int,
    kind: FeedbackKind,
    source: FeedbackSource,
    text: str,
    now: datetime,
    calendar: WorkCalendar | None = None,
    category: FeedbackCategory = FeedbackCategory.other,
    submission_key: str | None = None,
    site_id: int | None = None,
    counter_id: int | None = None,
    staff_member_id: int | None = None,
    contact: str = "",
    received_by_user_id: int | None = None,
    severity: Severity = Severity.general,
    regulator_deadline: datetime | None = None,
    photos: Sequence[CleanPhoto] = (),
    data_dir: Path | None = None,
    device_hash: str | None = None,
    network_hash: str | None = None,
) -> Filed:
    """Store feedback; criticism and complaints open a case. Commits.

    The person who receives it (``received_by_user_id``: the supervisor's or clerk's
    account that filed it) owns the case from the start (first-ask responsibility); a
    customer's own complaint has no owner until the first person acknowledges it.
    A regulator's case needs the regulator's deadline. NotFound for a site of another
    organisation. The clock uses the organisation's calendar and time limits unless a
    ``calendar`` is given.

    A ``submission_key`` seen before returns what it filed then (a double-tapped submit
    files once). A customer's filing through a counter's link carries the salted hashes
    of their device and network (``device_hash``, ``network_hash``) and is refused with
    TooManyFilings past the filing brake (:mod:`survey.cases.filing_brake`). ``photos``
    (cleaned, see :mod:`survey.evidence.photos`) are the evidence, stored
    under ``data_dir`` with the feedback in one transaction.
    """
    if photos and data_dir is None:
        raise ValueError("photos need the data directory")
    if submission_key is not None and (earlier := _filed_before(session, submission_key)):
        return earlier
    if site_id is not None:
        site = session.get(Site, site_id)
        if site is None or site.organisation_id != organisation_id:
            raise NotFound(f"site {site_id}")
    if (severity == Severity.regulator) != (regulator_deadline is not None):
        raise ValueError("a regulator's case, and only one, carries the regulator's deadline")
    if counter_id is not None and device_hash is not None and network_hash is not None:
        check_filing_brake(
            session,
            counter_id=counter_id,
            device_hash=device_hash,
            network_hash=network_hash,
            now=now,
        )
    try:
        return _file(
            session,
            Feedback(
                organisation_id=organisation_id,
                kind=kind,
                source=source,
                category=category,
                submission_key=submission_key,
                site_id=site_id,
                counter_id=counter_id,
                staff_member_id=staff_member_id,
                text=text,
                contact=contact,
                submitted_by_user_id=received_by_user_id,
                received_at=now,
                device_hash=device_hash,
                network_hash=network_hash,
            ),
            calendar=calendar,
            severity=severity,
            regulator_deadline=regulator_deadline,
            photos=photos,
            data_dir=data_dir,
        )
    except IntegrityError:
        # The same submission raced in on another connection and is stored: return it.
        session.rollback()
        if submission_key is None or not (earlier := _filed_before(session, submission_key)):
            raise
        return earlier


def _filed_before(session: Session, submission_key: str) -> Filed | None:
    earlier = session.exec(
        select(Feedback).where(Feedback.submission_key == submission_key)
    ).first()
    if earlier is None:
        return None
    return Filed(earlier, session.exec(select(Case).where(Case.feedback_id == earlier.id)).first())


def _file(
    session: Session,
    feedback: Feedback,
    *,
    calendar: WorkCalendar | None,
    severity: Severity,
    regulator_deadline: datetime | None,
    photos: Sequence[CleanPhoto],
    data_dir: Path | None,
) -> Filed:
    """Store the feedback with its photos and, for criticism and complaints, its case and
    first event."""
    begin_write(session)
    organisation_id, now = feedback.organisation_id, feedback.received_at
    session.add(feedback)
    session.flush()
    assert feedback.id is not None
    for photo in photos:
        assert data_dir is not None
        store_photo(session, photo, data_dir=data_dir, now=now, feedback_id=feedback.id)
    case = None
    if feedback.kind in OPENS_A_CASE:
        if calendar is None:
            calendar = calendar_for(session, organisation_id)
        if regulator_deadline is not None:
            clock = CaseClock.start(calendar, now, deadline=regulator_deadline)
        else:
            limit = limits_for(session, organisation_id).get(severity, DEFAULT_LIMITS[severity])
            clock = CaseClock.start(calendar, now, limit)
        case = Case(
            feedback_id=feedback.id,
            organisation_id=organisation_id,
            site_id=feedback.site_id,
            severity=severity,
            state=CaseState.received,
            owner_user_id=feedback.submitted_by_user_id,
            received_at=now,
            deadline_before_pauses=clock.deadline_before_pauses,
            public_token=new_token(),
        )
        session.add(case)
        session.flush()
        assert case.id is not None
        session.add(
            CaseEvent(
                case_id=case.id,
                at=now,
                kind=CaseEventKind.opened,
                to_state=CaseState.received.value,
                actor_user_id=feedback.submitted_by_user_id,
                actor="user" if feedback.submitted_by_user_id is not None else "complainant",
            )
        )
    session.commit()
    return Filed(feedback, case)


def _case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id}")
    return case


def change_state(
    session: Session,
    case_id: int,
    wanted: CaseState,
    *,
    now: datetime,
    reason: str = "",
    user_id: int | None = None,
    actor: str = "user",
) -> Case:
    """Move a case to ``wanted`` and record who, when and why. Commits.

    TransitionNotAllowed (the web's 409) when the rules do not allow it. The first person
    to acknowledge an unowned case becomes its owner; an owner is never replaced.
    """
    begin_write(session)
    case = _case(session, case_id)
    _move(session, case, wanted, now=now, reason=reason, user_id=user_id, actor=actor)
    session.commit()
    return case


def _move(
    session: Session,
    case: Case,
    wanted: CaseState,
    *,
    now: datetime,
    reason: str,
    user_id: int | None,
    actor: str,
) -> None:
    assert case.id is not None
    current = CaseState(case.state)
    next_state(current, wanted)
    case.state = wanted
    if case.owner_user_id is None and user_id is not None and actor == "user":
        case.owner_user_id = user_id
    if wanted == CaseState.closed:
        case.closed_at = now
    elif wanted == CaseState.reopened:
        case.closed_at = None
    session.add(case)
    session.add(
        CaseEvent(
            case_id=case.id,
            at=now,
            kind=CaseEventKind.state,
            from_state=current.value,
            to_state=wanted.value,
            actor_user_id=user_id,
            actor=actor,
            text=reason,
        )
    )


def set_severity(
    session: Session,
    case_id: int,
    severity: Severity,
    *,
    now: datetime,
    user_id: int,
    reason: str = "",
) -> Case:
    """Classify an open case again (a customer's complaint arrives as general; the manager
    who takes it up decides it is simple or complex). The limit is counted again from
    receipt on the organisation's calendar; the change is recorded. Commits.

    CaseActionNotAllowed for a case that is answered or closed, a regulator's case (its
    deadline is the regulator's) or a change to ``regulator`` (that comes with a date).
    """
    begin_write(session)
    case = _case(session, case_id)
    if CaseState(case.state) not in OPEN_STATES:
        raise CaseActionNotAllowed(Refusal.keeps_severity, f"a {case.state} case")
    if Severity.regulator in (Severity(case.severity), severity):
        raise CaseActionNotAllowed(Refusal.regulator_deadline)
    old = Severity(case.severity)
    if old == severity:
        return case
    limit = limits_for(session, case.organisation_id).get(severity, DEFAULT_LIMITS[severity])
    calendar = calendar_for(session, case.organisation_id)
    case.severity = severity
    case.deadline_before_pauses = limit.deadline(calendar, case.received_at)
    session.add(case)
    session.add(
        CaseEvent(
            case_id=case_id,
            at=now,
            kind=CaseEventKind.severity,
            from_state=old.value,
            to_state=severity.value,
            actor_user_id=user_id,
            actor="user",
            text=reason,
        )
    )
    session.commit()
    return case


def answer_case(session: Session, case_id: int, *, text: str, now: datetime, user_id: int) -> Case:
    """Record the answer to the complainant and mark the case answered (the clock stops).
    Commits. TransitionNotAllowed from a state that cannot be answered; an empty answer
    is CaseActionNotAllowed."""
    if not text.strip():
        raise CaseActionNotAllowed(Refusal.answer_needs_text)
    begin_write(session)
    case = _case(session, case_id)
    _move(session, case, CaseState.answered, now=now, reason="", user_id=user_id, actor="user")
    session.add(
        CaseEvent(
            case_id=case_id,
            at=now,
            kind=CaseEventKind.answer,
            actor_user_id=user_id,
            actor="user",
            text=text.strip(),
        )
    )
    session.commit()
    return case


def case_by_token(session: Session, token: str) -> Case:
    """The case behind a complainant's link, or CaseLinkNotFound."""
    case = (
        session.exec(select(Case).where(Case.public_token == token)).first()
        if 0 < len(token) <= 64
        else None
    )
    if case is None:
        raise CaseLinkNotFound(token[:16])
    return case


def confirm_answer(session: Session, token: str, *, now: datetime) -> Case:
    """The complainant accepts the answer: the case closes. Commits."""
    begin_write(session)
    case = case_by_token(session, token)
    _move(session, case, CaseState.closed, now=now, reason="", user_id=None, actor="complainant")
    session.commit()
    return case


def reopen_by_complainant(session: Session, token: str, *, reason: str, now: datetime) -> Case:
    """The complainant is not satisfied: the case reopens, with the reason (required), and
    its clock runs on from where the answer stopped it. Commits."""
    if not reason.strip():
        raise CaseActionNotAllowed(Refusal.reason_needed, "reopening")
    begin_write(session)
    case = case_by_token(session, token)
    _move(
        session,
        case,
        CaseState.reopened,
        now=now,
        reason=reason.strip(),
        user_id=None,
        actor="complainant",
    )
    session.commit()
    return case


def case_answer(events: list[CaseEvent]) -> CaseEvent | None:
    """The latest answer in a case's history."""
    answers = [event for event in events if event.kind == CaseEventKind.answer]
    return answers[-1] if answers else None


def pause_clock(
    session: Session, case_id: int, *, now: datetime, reason: str, user_id: int | None
) -> None:
    """Stop the case's clock (waiting for the complainant); the reason is recorded."""
    _clock_event(session, case_id, CaseEventKind.paused, now=now, reason=reason, user_id=user_id)


def resume_clock(
    session: Session, case_id: int, *, now: datetime, reason: str, user_id: int | None
) -> None:
    """Start the case's clock again; the reason is recorded."""
    _clock_event(session, case_id, CaseEventKind.resumed, now=now, reason=reason, user_id=user_id)


def _clock_event(
    session: Session,
    case_id: int,
    kind: CaseEventKind,
    *,
    now: datetime,
    reason: str,
    user_id: int | None,
) -> None:
    begin_write(session)
    case = _case(session, case_id)
    if CaseState(case.state) not in OPEN_STATES:
        raise CaseActionNotAllowed(Refusal.clock_not_running, f"a {case.state} case")
    # The calendar does not matter here: the clock only checks that pauses follow it.
    clock = clock_from_history(history(session, case_id), case, WorkCalendar())
    try:
        if kind == CaseEventKind.paused:
            clock.pause(now)
        else:
            clock.resume(now)
    except ValueError as error:
        raise CaseActionNotAllowed(Refusal.clock_already_so, str(error)) from error
    session.add(
        CaseEvent(
            case_id=case_id, at=now, kind=kind, actor_user_id=user_id, actor="user", text=reason
        )
    )
    session.commit()


def history(session: Session, case_id: int) -> list[CaseEvent]:
    """The case's events in the order they happened."""
    return list(
        session.exec(
            select(CaseEvent)
            .where(CaseEvent.case_id == case_id)
            .order_by(col(CaseEvent.at), col(CaseEvent.id))
        ).all()
    )


def histories(session: Session, case_ids: Sequence[int]) -> dict[int, list[CaseEvent]]:
    """The histories of many cases in one query (a case without events maps to [])."""
    found: dict[int, list[CaseEvent]] = {case_id: [] for case_id in case_ids}
    if not case_ids:
        return found
    for event in session.exec(
        select(CaseEvent)
        .where(col(CaseEvent.case_id).in_(list(case_ids)))
        .order_by(col(CaseEvent.at), col(CaseEvent.id))
    ).all():
        found[event.case_id].append(event)
    return found


def case_clock(session: Session, case_id: int, calendar: WorkCalendar) -> CaseClock:
    """The case's clock, rebuilt from its history."""
    return clock_from_history(history(session, case_id), _case(session, case_id), calendar)


def clock_from_history(events: list[CaseEvent], case: Case, calendar: WorkCalendar) -> CaseClock:
    """A case's clock from its history (events in time order). The clock stands still
    while paused and from an answer until the case reopens (the limit is to answer; a
    reopened case runs on with the time it had left)."""
    pauses: list[Pause] = []
    for event in events:
        stops = event.kind == CaseEventKind.paused or (
            event.kind == CaseEventKind.state and event.to_state == CaseState.answered.value
        )
        starts = event.kind == CaseEventKind.resumed or (
            event.kind == CaseEventKind.state and event.to_state == CaseState.reopened.value
        )
        running = not pauses or pauses[-1].end is not None
        if stops and running:
            pauses.append(Pause(event.at))
        elif starts and not running:
            pauses[-1] = Pause(pauses[-1].start, event.at)
    return CaseClock(calendar, case.received_at, case.deadline_before_pauses, tuple(pauses))


OPEN_STATES = (
    CaseState.received,
    CaseState.acknowledged,
    CaseState.in_progress,
    CaseState.reopened,
    CaseState.escalated,
)
"""States whose clock runs: the limit is to answer, so an answered case's clock stops."""
STAGE_ORDER = (Stage.half_used, Stage.nearly_due, Stage.overdue, Stage.overdue_twice)
ESCALATIONS = OVERDUE_STAGES
"""Overdue goes to the site manager, overdue by a second limit to the organisation."""


def sweep_cases(
    session: Session, *, now: datetime, calendar: WorkCalendar, organisation_id: int | None = None
) -> list[CaseEvent]:
    """Record every warning and escalation the open cases' clocks have reached by ``now``
    and not yet recorded; an overdue case becomes ``escalated``. Commits.

    Idempotent: a second sweep at the same moment records nothing. A stage passed between
    two sweeps is still recorded (at the sweep's time), so the history shows every step.
    """
    begin_write(session)
    query = select(Case).where(col(Case.state).in_([state.value for state in OPEN_STATES]))
    if organisation_id is not None:
        query = query.where(Case.organisation_id == organisation_id)
    recorded: list[CaseEvent] = []
    cases = list(session.exec(query).all())
    histories_of = histories(session, [case.id for case in cases if case.id is not None])
    for case in cases:
        assert case.id is not None
        events = histories_of[case.id]
        marked = (CaseEventKind.warning, CaseEventKind.escalation)
        done = {event.text for event in events if event.kind in marked}
        stage = clock_from_history(events, case, calendar).stage(now)
        if stage == Stage.on_time:
            continue
        for reached in STAGE_ORDER[: STAGE_ORDER.index(stage) + 1]:
            if reached.value in done:
                continue
            kind = CaseEventKind.escalation if reached in ESCALATIONS else CaseEventKind.warning
            event = CaseEvent(
                case_id=case.id, at=now, kind=kind, actor="system", text=reached.value
            )
            recorded.append(event)
            session.add(event)
            if reached == Stage.overdue and case.state != CaseState.escalated:
                recorded.append(_escalate(session, case, now))
    session.commit()
    return recorded


def _escalate(session: Session, case: Case, now: datetime) -> CaseEvent:
    assert case.id is not None
    current = CaseState(case.state)
    next_state(current, CaseState.escalated)
    case.state = CaseState.escalated
    session.add(case)
    event = CaseEvent(
        case_id=case.id,
        at=now,
        kind=CaseEventKind.state,
        from_state=current.value,
        to_state=CaseState.escalated.value,
        actor="system",
        text="time limit passed",
    )
    session.add(event)
    return event


def sweep_all(
    session: Session, *, now: datetime, organisation_ids: Iterable[int] | None = None
) -> list[CaseEvent]:
    """:func:`sweep_cases` for every organisation with open cases (or the given ones),
    each on its own calendar. Commits."""
    if organisation_ids is None:
        organisation_ids = session.exec(
            select(Case.organisation_id)
            .where(col(Case.state).in_([state.value for state in OPEN_STATES]))
            .distinct()
        ).all()
    recorded: list[CaseEvent] = []
    for organisation_id in sorted(set(organisation_ids)):
        recorded += sweep_cases(
            session,
            now=now,
            calendar=calendar_for(session, organisation_id),
            organisation_id=organisation_id,
        )
    return recorded


def purge_expired_evidence(session: Session, *, now: datetime, data_dir: Path) -> int:
    """Remove the complaint text, the contact and the photos of cases closed longer ago
    than their organisation's retention; the case, its history and the answer stay.
    Returns how many complaints were redacted. Commits.

    The original complaint and its evidence are kept while a case is open (a reopened case
    has no ``closed_at``) and for the retention after it closed, as the rules on disputes
    ask; keeping them longer would hold customers' words and phone numbers for no purpose.
    """
    begin_write(session)
    candidates = session.exec(
        select(Case, Feedback)
        .join(Feedback, col(Feedback.id) == Case.feedback_id)
        .where(col(Case.closed_at).is_not(None))
        .where(col(Feedback.redacted_at).is_(None))
    ).all()
    redacted = 0
    for case, feedback in candidates:
        assert case.closed_at is not None
        retention = timedelta(days=case_settings(session, case.organisation_id).retention_days)
        if case.closed_at + retention > now:
            continue
        feedback.text, feedback.contact, feedback.redacted_at = "", "", now
        session.add(feedback)
        for photo in session.exec(
            select(EvidencePhoto).where(EvidencePhoto.feedback_id == feedback.id)
        ).all():
            session.delete(photo)
            session.flush()
            # Files are named by their content hash: another row may hold the same file.
            still_used = session.exec(
                select(EvidencePhoto.id).where(EvidencePhoto.path == photo.path)
            ).first()
            if still_used is None:
                (data_dir / photo.path).unlink(missing_ok=True)
        redacted += 1
    session.commit()
    return redacted
