"""The duty roster (survey.places.duty): who is on duty at a counter, and whom an answer
is credited to. Times are fixed from the suite's clock; nothing reads the wall clock."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from survey.errors import InvalidAnswer
from survey.models import DutyShift, StaffMember
from survey.places.duty import (
    SHOWN_GRACE,
    clerk_on_duty,
    credited_clerk,
    end_shift,
    plan_shift,
    start_duty,
    usual_counters_on_duty,
)
from survey.places.organisations import create_counter, create_staff_member
from tests.factories import FixedClock, Place, make_place


@pytest.fixture
def place(session: Session, clock: FixedClock) -> Place:
    """A hall whose counter A1 has 李娜 on duty (from a month ago, open), a second counter
    B2 and a second clerk 王芳 on no shift."""
    place = make_place(session, now=clock())
    counter = create_counter(session, site_id=place.site.id or 0, code="B2", name="Window B2")
    create_staff_member(
        session,
        site_id=place.site.id or 0,
        job_number="W-002",
        display_name="王芳",
        counter_id=counter.id,
    )
    session.commit()
    return place


def _other(session: Session, place: Place) -> tuple[int, int]:
    clerk = session.exec(select(StaffMember).where(StaffMember.job_number == "W-002")).one()
    assert clerk.id is not None and clerk.counter_id is not None
    return clerk.id, clerk.counter_id


def test_putting_a_clerk_on_duty_takes_the_counter_and_frees_their_other_counter(
    session: Session, clock: FixedClock, place: Place
) -> None:
    """王芳 put on duty at A1 takes over from 李娜 there; then 李娜 put on duty at B2; then
    王芳 moved to B2 ends 李娜's shift at B2 and 王芳's at A1 (one counter at a time)."""
    wang, b2 = _other(session, place)
    a1, li = place.counter.id or 0, place.staff.id or 0
    now = clock()
    assert clerk_on_duty(session, counter_id=a1, at=now) == place.staff
    start_duty(session, counter_id=a1, staff_member_id=wang, now=now)
    assert (clerk_on_duty(session, counter_id=a1, at=now) or place.staff).id == wang
    later = now + timedelta(hours=1)
    start_duty(session, counter_id=b2, staff_member_id=li, now=later)
    even_later = later + timedelta(hours=1)
    start_duty(session, counter_id=b2, staff_member_id=wang, now=even_later)
    assert clerk_on_duty(session, counter_id=a1, at=even_later) is None
    on_b2 = clerk_on_duty(session, counter_id=b2, at=even_later)
    assert on_b2 is not None and on_b2.id == wang
    # The past stays as it was: at `now` 王芳 was at A1, before that 李娜.
    assert (clerk_on_duty(session, counter_id=a1, at=now) or place.staff).id == wang
    before = clerk_on_duty(session, counter_id=a1, at=now - timedelta(minutes=1))
    assert before is not None and before.id == li


def test_an_answer_is_credited_to_the_clerk_the_page_showed_not_a_forged_one(
    session: Session, clock: FixedClock, place: Place
) -> None:
    """The page showed 李娜; 王芳 takes over before the answer arrives: it still goes to
    李娜 within the grace, to 王芳 after it. A forged id of a clerk never on duty at the
    counter credits the clerk on duty instead; with nobody on duty, nobody."""
    wang, _ = _other(session, place)
    a1, li = place.counter.id or 0, place.staff.id or 0
    handover = clock() + timedelta(minutes=5)
    start_duty(session, counter_id=a1, staff_member_id=wang, now=handover)
    soon = handover + SHOWN_GRACE - timedelta(minutes=1)
    late = handover + SHOWN_GRACE + timedelta(minutes=1)
    assert credited_clerk(session, counter_id=a1, shown_staff_id=li, now=soon) == li
    assert credited_clerk(session, counter_id=a1, shown_staff_id=li, now=late) == wang
    assert credited_clerk(session, counter_id=a1, shown_staff_id=None, now=soon) == wang
    stranger = create_staff_member(
        session, site_id=place.site.id or 0, job_number="W-009", display_name="赵六"
    )
    session.commit()
    assert credited_clerk(session, counter_id=a1, shown_staff_id=stranger.id, now=soon) == wang
    assert credited_clerk(session, counter_id=a1, shown_staff_id=2**40, now=soon) == wang
    shift = session.exec(select(DutyShift).where(DutyShift.staff_member_id == wang)).one()
    end_shift(session, shift_id=shift.id or 0, site_id=place.site.id or 0, now=late)
    assert credited_clerk(session, counter_id=a1, shown_staff_id=None, now=late) is None


def test_planned_shifts_are_checked_and_withdrawn_before_they_start(
    session: Session, clock: FixedClock, place: Place
) -> None:
    """A planned shift is on duty only in its hours; one that ends before it starts, lasts
    over a day, has ended, or puts the clerk at two counters at once is refused; a planned
    shift withdrawn before it starts is gone, a running one ended is kept."""
    wang, b2 = _other(session, place)
    a1 = place.counter.id or 0
    now = clock()
    tomorrow = now + timedelta(days=1)
    shift = plan_shift(
        session,
        counter_id=b2,
        staff_member_id=wang,
        starts_at=tomorrow,
        ends_at=tomorrow + timedelta(hours=8),
        now=now,
    )
    assert clerk_on_duty(session, counter_id=b2, at=now) is None
    assert clerk_on_duty(session, counter_id=b2, at=tomorrow + timedelta(hours=1)) is not None
    assert clerk_on_duty(session, counter_id=b2, at=tomorrow + timedelta(hours=9)) is None
    bad = [
        (tomorrow, tomorrow - timedelta(hours=1), b2, "ends"),
        (tomorrow, tomorrow + timedelta(hours=25), b2, "ends"),
        (now - timedelta(hours=9), now - timedelta(hours=1), b2, "ends"),
        (tomorrow + timedelta(hours=2), tomorrow + timedelta(hours=3), a1, "staff"),
    ]
    for starts, ends, counter, field in bad:
        with pytest.raises(InvalidAnswer) as refused:
            plan_shift(
                session,
                counter_id=counter,
                staff_member_id=wang,
                starts_at=starts,
                ends_at=ends,
                now=now,
            )
        assert field in refused.value.errors
    end_shift(session, shift_id=shift.id or 0, site_id=place.site.id or 0, now=now)
    assert session.get(DutyShift, shift.id) is None


def test_clerks_of_another_hall_or_who_left_are_never_on_duty(
    session: Session, clock: FixedClock, place: Place
) -> None:
    """A clerk of another hall cannot be put on duty here; a clerk who has left is refused,
    and an open shift of a clerk who then leaves puts nobody on duty."""
    other = make_place(session, now=clock(), slug="org-b")
    with pytest.raises(InvalidAnswer):
        start_duty(
            session,
            counter_id=place.counter.id or 0,
            staff_member_id=other.staff.id or 0,
            now=clock(),
        )
    place.staff.left_on = clock().date()
    session.add(place.staff)
    session.commit()
    assert clerk_on_duty(session, counter_id=place.counter.id or 0, at=clock()) is None
    with pytest.raises(InvalidAnswer):
        start_duty(
            session,
            counter_id=place.counter.id or 0,
            staff_member_id=place.staff.id or 0,
            now=clock(),
        )


def test_usual_counters_fill_only_empty_counters_until_the_given_end(
    session: Session, clock: FixedClock, place: Place
) -> None:
    """One step puts 王芳 on duty at B2 (her usual counter, empty) until the end given,
    and leaves A1, where 李娜 is already on duty, as it is."""
    wang, b2 = _other(session, place)
    now = clock()
    started = usual_counters_on_duty(
        session,
        site_id=place.site.id or 0,
        now=now,
        until=now + timedelta(hours=3),
        by_user_id=None,
    )
    assert started == 1
    on_b2 = clerk_on_duty(session, counter_id=b2, at=now)
    assert on_b2 is not None and on_b2.id == wang
    assert clerk_on_duty(session, counter_id=b2, at=now + timedelta(hours=4)) is None
    assert clerk_on_duty(session, counter_id=place.counter.id or 0, at=now) == place.staff
