"""Who is on duty at a counter: the roster, and the clerk an answer is credited to.

A counter's QR poster stays on the wall while clerks change, so a counter's link names no
clerk; the survey page names the clerk on duty when it is shown, and the answer is
credited to that clerk. A manager puts a clerk on duty now (until they end the shift or
put someone else on duty there), plans shifts ahead, or puts every clerk on duty at their
usual counter for the rest of the day. Where shifts overlap, the one that started last is
on duty: putting someone on duty never needs an earlier shift to be edited first. A clerk
is on duty at one counter at a time; a clerk who has left is on duty nowhere.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from survey.db import begin_write
from survey.errors import N_, FieldError, InvalidAnswer, NotFound
from survey.models import Counter, DutyShift, StaffMember

SHOWN_GRACE = timedelta(minutes=30)
"""How long after their shift ended an answer may still be credited to the clerk the
page showed: a customer who opened the page at 11:58 and sends at 12:03 rated the
clerk who served them, not the one who took over at 12:00."""
MAX_SHIFT = timedelta(hours=24)


def _covering(at: datetime) -> list[ColumnElement[bool]]:
    """The WHERE terms of the shifts that cover the moment ``at``."""
    return [
        col(DutyShift.starts_at) <= at,
        or_(col(DutyShift.ends_at).is_(None), col(DutyShift.ends_at) > at),
    ]


def clerk_on_duty(session: Session, *, counter_id: int, at: datetime) -> StaffMember | None:
    """The clerk on duty at the counter at ``at``: of the shifts covering it, the one that
    started last; ``None`` without one (or when that clerk has left)."""
    row = session.exec(
        select(StaffMember)
        .join(DutyShift, col(DutyShift.staff_member_id) == StaffMember.id)
        .where(DutyShift.counter_id == counter_id, *_covering(at))
        .order_by(col(DutyShift.starts_at).desc(), col(DutyShift.id).desc())
    ).first()
    if row is None or (row.left_on is not None and row.left_on <= at.date()):
        return None
    return row


def credited_clerk(
    session: Session, *, counter_id: int, shown_staff_id: int | None, now: datetime
) -> int | None:
    """The clerk an answer sent at ``now`` through the counter's link is credited to: the
    one the page showed (``shown_staff_id``, sent back with the form) if they were on duty
    at this counter at some moment of the last :data:`SHOWN_GRACE`, so a forged id credits
    nobody else; otherwise the clerk on duty now, if any."""
    if shown_staff_id is not None and 0 < shown_staff_id < 2**31:
        recent = session.exec(
            select(DutyShift.id).where(
                DutyShift.counter_id == counter_id,
                DutyShift.staff_member_id == shown_staff_id,
                col(DutyShift.starts_at) <= now,
                or_(col(DutyShift.ends_at).is_(None), col(DutyShift.ends_at) > now - SHOWN_GRACE),
            )
        ).first()
        if recent is not None:
            return shown_staff_id
    clerk = clerk_on_duty(session, counter_id=counter_id, at=now)
    return clerk.id if clerk is not None else None


def _clerk_for_counter(session: Session, counter_id: int, staff_member_id: int) -> StaffMember:
    counter = session.get(Counter, counter_id)
    if counter is None:
        raise NotFound(f"counter {counter_id}")
    clerk = session.get(StaffMember, staff_member_id)
    if clerk is None or clerk.site_id != counter.site_id:
        raise InvalidAnswer({"staff": FieldError(N_("Choose a clerk of this hall."))})
    if clerk.left_on is not None:
        raise InvalidAnswer({"staff": FieldError(N_("This clerk has left."))})
    return clerk


def _end_open_shifts(session: Session, *, where: list[ColumnElement[bool]], at: datetime) -> None:
    """End at ``at`` the shifts matching ``where`` that are running at ``at``."""
    for shift in session.exec(select(DutyShift).where(*where, *_covering(at))).all():
        shift.ends_at = at
        session.add(shift)


def start_duty(
    session: Session,
    *,
    counter_id: int,
    staff_member_id: int,
    now: datetime,
    until: datetime | None = None,
    by_user_id: int | None = None,
) -> DutyShift:
    """Put the clerk on duty at the counter from ``now`` (until ``until``, or until the
    shift is ended): whoever was on duty there goes off duty, and so does the clerk's
    running shift at another counter. InvalidAnswer for a clerk of another hall, a clerk
    who has left, or an end that is not after now. Commits."""
    _clerk_for_counter(session, counter_id, staff_member_id)
    if until is not None and not now < until <= now + MAX_SHIFT:
        raise InvalidAnswer(
            {"until": FieldError(N_("The shift ends after it starts, within 24 hours."))}
        )
    begin_write(session)
    _end_open_shifts(session, where=[col(DutyShift.counter_id) == counter_id], at=now)
    _end_open_shifts(session, where=[col(DutyShift.staff_member_id) == staff_member_id], at=now)
    shift = DutyShift(
        counter_id=counter_id,
        staff_member_id=staff_member_id,
        starts_at=now,
        ends_at=until,
        set_by_user_id=by_user_id,
        created_at=now,
    )
    session.add(shift)
    session.commit()
    return shift


def plan_shift(
    session: Session,
    *,
    counter_id: int,
    staff_member_id: int,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    by_user_id: int | None = None,
) -> DutyShift:
    """Plan a shift ahead (or one that has begun): InvalidAnswer for a shift that ends
    before it starts, is over 24 hours, has already ended, or puts the clerk at two
    counters at once. Commits."""
    _clerk_for_counter(session, counter_id, staff_member_id)
    if not starts_at < ends_at <= starts_at + MAX_SHIFT:
        raise InvalidAnswer(
            {"ends": FieldError(N_("The shift ends after it starts, within 24 hours."))}
        )
    if ends_at <= now:
        raise InvalidAnswer({"ends": FieldError(N_("This shift has already ended."))})
    elsewhere = session.exec(
        select(DutyShift.id).where(
            DutyShift.staff_member_id == staff_member_id,
            DutyShift.counter_id != counter_id,
            col(DutyShift.starts_at) < ends_at,
            or_(col(DutyShift.ends_at).is_(None), col(DutyShift.ends_at) > starts_at),
        )
    ).first()
    if elsewhere is not None:
        raise InvalidAnswer(
            {"staff": FieldError(N_("This clerk is on duty at another counter then."))}
        )
    begin_write(session)
    shift = DutyShift(
        counter_id=counter_id,
        staff_member_id=staff_member_id,
        starts_at=starts_at,
        ends_at=ends_at,
        set_by_user_id=by_user_id,
        created_at=now,
    )
    session.add(shift)
    session.commit()
    return shift


def end_shift(session: Session, *, shift_id: int, site_id: int, now: datetime) -> DutyShift:
    """End a running shift now, or withdraw one that has not begun (it credited nobody).
    NotFound for a shift of another hall; an ended shift is left as it was. Commits."""
    shift = session.get(DutyShift, shift_id)
    counter = session.get(Counter, shift.counter_id) if shift is not None else None
    if shift is None or counter is None or counter.site_id != site_id:
        raise NotFound(f"shift {shift_id}")
    begin_write(session)
    if shift.starts_at > now:
        session.delete(shift)
    elif shift.ends_at is None or shift.ends_at > now:
        shift.ends_at = now
        session.add(shift)
    session.commit()
    return shift


def end_duty(session: Session, *, counter_id: int, now: datetime) -> int:
    """End now whatever shift is running at the counter: nobody is on duty there until the
    next one starts. Returns how many shifts were ended. Commits."""
    begin_write(session)
    running = session.exec(
        select(DutyShift).where(DutyShift.counter_id == counter_id, *_covering(now))
    ).all()
    for shift in running:
        shift.ends_at = now
        session.add(shift)
    session.commit()
    return len(running)


def usual_counters_on_duty(
    session: Session, *, site_id: int, now: datetime, until: datetime, by_user_id: int | None
) -> int:
    """Put every present clerk of the hall who has a usual counter on duty there from now
    until ``until`` (the end of the day, say), where nobody is on duty yet. Returns how many
    were put on duty. Commits."""
    clerks = session.exec(
        select(StaffMember)
        .where(StaffMember.site_id == site_id, col(StaffMember.counter_id).is_not(None))
        .where(col(StaffMember.left_on).is_(None))
        .order_by(col(StaffMember.id))
    ).all()
    begin_write(session)
    started = 0
    taken: set[int] = set()
    for clerk in clerks:
        assert clerk.counter_id is not None and clerk.id is not None
        if clerk.counter_id in taken or clerk_on_duty(session, counter_id=clerk.counter_id, at=now):
            continue
        busy = session.exec(
            select(DutyShift.id).where(DutyShift.staff_member_id == clerk.id, *_covering(now))
        ).first()
        if busy is not None:
            continue
        session.add(
            DutyShift(
                counter_id=clerk.counter_id,
                staff_member_id=clerk.id,
                starts_at=now,
                ends_at=until,
                set_by_user_id=by_user_id,
                created_at=now,
            )
        )
        session.flush()
        taken.add(clerk.counter_id)
        started += 1
    session.commit()
    return started


@dataclass(frozen=True)
class RosterRow:
    """One shift as the roster lists it."""

    shift: DutyShift
    counter: Counter
    clerk: StaffMember

    def running(self, now: datetime) -> bool:
        return self.shift.starts_at <= now and (
            self.shift.ends_at is None or self.shift.ends_at > now
        )


def site_roster(
    session: Session, *, site_id: int, since: datetime, until: datetime
) -> Sequence[RosterRow]:
    """The hall's shifts that overlap ``since``–``until``, by counter and start."""
    rows = session.exec(
        select(DutyShift, Counter, StaffMember)
        .join(Counter, col(Counter.id) == DutyShift.counter_id)
        .join(StaffMember, col(StaffMember.id) == DutyShift.staff_member_id)
        .where(Counter.site_id == site_id)
        .where(col(DutyShift.starts_at) < until)
        .where(or_(col(DutyShift.ends_at).is_(None), col(DutyShift.ends_at) > since))
        .order_by(col(Counter.code), col(DutyShift.starts_at))
    ).all()
    return [RosterRow(shift, counter, clerk) for shift, counter, clerk in rows]
