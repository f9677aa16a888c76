"""Complaint cases in the database: first-ask ownership, recorded state changes, the clock
rebuilt from its history, and a history the database refuses to rewrite."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, select

from survey.accounts import create_user
from survey.cases.handling import (
    answer_case,
    case_answer,
    case_by_token,
    case_clock,
    change_state,
    confirm_answer,
    file_feedback,
    history,
    pause_clock,
    purge_expired_evidence,
    reopen_by_complainant,
    resume_clock,
    sweep_cases,
)
from survey.cases.rules import CaseState, Severity, Stage, TransitionNotAllowed
from survey.cases.worktime import WorkCalendar
from survey.errors import CaseActionNotAllowed, CaseLinkNotFound, NotFound, Refusal
from survey.models import (
    CalendarOverride,
    Case,
    CaseEventKind,
    CaseSettings,
    EvidencePhoto,
    Feedback,
    FeedbackKind,
    FeedbackSource,
    Role,
)
from tests.factories import Place, at, make_place

CALENDAR = WorkCalendar()


@pytest.fixture
def place(session: Session) -> Place:
    return make_place(session, now=datetime(2026, 11, 1, tzinfo=UTC))


def user(session: Session, place: Place, name: str) -> int:
    account = create_user(
        session,
        username=name,
        password="s3cret-pass-2026",
        role=Role.manager,
        organisation_ids=[place.organisation.id or 0],
        now=datetime(2026, 11, 1, tzinfo=UTC),
    )
    session.commit()
    assert account.id is not None
    return account.id


def complaint(session: Session, place: Place, *, received: datetime, by: int | None) -> Case:
    filed = file_feedback(
        session,
        organisation_id=place.organisation.id or 0,
        kind=FeedbackKind.complaint,
        source=FeedbackSource.supervisor if by else FeedbackSource.customer,
        text="等了四十分钟，窗口只开了一个。",
        now=received,
        calendar=CALENDAR,
        site_id=place.site.id,
        counter_id=place.counter.id,
        received_by_user_id=by,
        severity=Severity.complex,
    )
    assert filed.case is not None
    return filed.case


def test_praise_opens_no_case_and_a_complaint_does(session: Session, place: Place) -> None:
    praise = file_feedback(
        session,
        organisation_id=place.organisation.id or 0,
        kind=FeedbackKind.praise,
        source=FeedbackSource.customer,
        text="服务很好",
        now=at("2026-11-23"),
        calendar=CALENDAR,
    )
    assert praise.case is None
    case = complaint(session, place, received=at("2026-11-23", "10:00"), by=None)
    assert case.state == CaseState.received
    assert case.deadline_before_pauses == at("2026-11-30", "17:00")
    assert len(case.public_token) >= 22
    events = history(session, case.id or 0)
    assert [(e.kind, e.to_state, e.actor) for e in events] == [
        (CaseEventKind.opened, "received", "complainant")
    ]
    assert len(session.exec(select(Feedback)).all()) == 2


def test_first_ask_owner_stays_whoever_does_the_work(session: Session, place: Place) -> None:
    """Li acknowledges the customer's complaint and owns it; Wang works on it and answers;
    Li is still the owner, and every change says who, when and why."""
    li, wang = user(session, place, "li"), user(session, place, "wang")
    case = complaint(session, place, received=at("2026-11-23", "10:00"), by=None)
    assert case.owner_user_id is None
    case_id = case.id or 0
    acknowledged = at("2026-11-23", "10:05")
    change_state(session, case_id, CaseState.acknowledged, now=acknowledged, user_id=li)
    change_state(
        session,
        case_id,
        CaseState.in_progress,
        now=at("2026-11-23", "11:00"),
        user_id=wang,
        reason="checking the queue records",
    )
    done = change_state(
        session, case_id, CaseState.answered, now=at("2026-11-24", "15:00"), user_id=wang
    )
    assert done.owner_user_id == li
    steps = [(e.from_state, e.to_state, e.actor_user_id, e.text) for e in history(session, case_id)]
    assert steps[1:] == [
        ("received", "acknowledged", li, ""),
        ("acknowledged", "in_progress", wang, "checking the queue records"),
        ("in_progress", "answered", wang, ""),
    ]


def test_a_supervisors_complaint_is_owned_by_who_received_it(
    session: Session, place: Place
) -> None:
    zhou = user(session, place, "zhou")
    case = complaint(session, place, received=at("2026-11-23", "10:00"), by=zhou)
    assert case.owner_user_id == zhou


def test_a_change_not_allowed_is_refused_and_changes_nothing(
    session: Session, place: Place
) -> None:
    case = complaint(session, place, received=at("2026-11-23", "10:00"), by=None)
    with pytest.raises(TransitionNotAllowed) as refused:
        change_state(session, case.id or 0, CaseState.closed, now=at("2026-11-23", "11:00"))
    assert CaseState.acknowledged in refused.value.allowed
    session.rollback()
    assert session.get(Case, case.id).state == CaseState.received  # type: ignore[union-attr]
    assert len(history(session, case.id or 0)) == 1
    with pytest.raises(NotFound):
        change_state(session, 999_999, CaseState.acknowledged, now=at("2026-11-23"))


def test_the_clock_is_rebuilt_from_the_pauses_in_the_history(
    session: Session, place: Place
) -> None:
    """Complex case received Mon 23 Nov 10:00, due Mon 30 Nov 17:00; paused Tue 09:00 to
    Wed 09:00 (7 working hours) while waiting for the complainant: due Tue 1 Dec 17:00."""
    case = complaint(session, place, received=at("2026-11-23", "10:00"), by=None)
    case_id = case.id or 0
    pause_clock(session, case_id, now=at("2026-11-24"), reason="waiting for the bill", user_id=None)
    assert case_clock(session, case_id, CALENDAR).deadline(at("2026-11-24", "15:00")) is None
    with pytest.raises(CaseActionNotAllowed, match="already paused") as refused:
        pause_clock(session, case_id, now=at("2026-11-24", "10:00"), reason="", user_id=None)
    assert refused.value.reason == Refusal.clock_already_so
    session.rollback()
    resume_clock(session, case_id, now=at("2026-11-25"), reason="bill received", user_id=None)
    clock = case_clock(session, case_id, CALENDAR)
    assert clock.deadline(at("2026-11-25", "12:00")) == at("2026-12-01", "17:00")
    assert clock.stage(at("2026-12-01", "17:00")) == Stage.overdue
    kinds = [event.kind for event in history(session, case_id)]
    assert kinds == [CaseEventKind.opened, CaseEventKind.paused, CaseEventKind.resumed]


def test_the_database_refuses_to_rewrite_or_delete_history(session: Session, place: Place) -> None:
    case = complaint(session, place, received=at("2026-11-23", "10:00"), by=None)
    for statement in (
        "UPDATE case_events SET text = 'nothing happened'",
        "DELETE FROM case_events",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            session.execute(text(statement))
        session.rollback()
    assert len(history(session, case.id or 0)) == 1


def test_a_site_of_another_organisation_is_not_found(session: Session, place: Place) -> None:
    other = make_place(session, now=datetime(2026, 11, 1, tzinfo=UTC), slug="org-b")
    with pytest.raises(NotFound):
        file_feedback(
            session,
            organisation_id=place.organisation.id or 0,
            kind=FeedbackKind.complaint,
            source=FeedbackSource.customer,
            text="x",
            now=at("2026-11-23"),
            calendar=CALENDAR,
            site_id=other.site.id,
        )
    assert session.exec(select(Case)).all() == []


def test_the_sweep_warns_then_escalates_once_each(session: Session, place: Place) -> None:
    """A simple case (one working hour) received Tue 24 Nov 09:00: at 09:35 half the hour
    is used (warning); a second sweep adds nothing; at 10:00 the 80 % warning and the
    escalation to the site manager (the case becomes escalated); at 11:00 the second limit
    has passed too (escalation to the organisation). An answered case is left alone."""
    filed = file_feedback(
        session,
        organisation_id=place.organisation.id or 0,
        kind=FeedbackKind.complaint,
        source=FeedbackSource.counter,
        text="柜台人员态度差",
        now=at("2026-11-24", "09:00"),
        calendar=CALENDAR,
        site_id=place.site.id,
        severity=Severity.simple,
    )
    answered = complaint(session, place, received=at("2026-11-24", "09:00"), by=None)
    for state in (CaseState.acknowledged, CaseState.answered):
        change_state(session, answered.id or 0, state, now=at("2026-11-24", "09:10"))
    assert filed.case is not None
    case_id = filed.case.id or 0

    def sweep(clock: str) -> list[tuple[str, str]]:
        events = sweep_cases(session, now=at("2026-11-24", clock), calendar=CALENDAR)
        return [(event.kind.value, event.text or event.to_state) for event in events]

    assert sweep("09:29") == []
    assert sweep("09:35") == [("warning", "half_used")]
    assert sweep("09:36") == []
    assert sweep("10:00") == [
        ("warning", "nearly_due"),
        ("escalation", "overdue"),
        ("state", "time limit passed"),
    ]
    assert session.get(Case, case_id).state == CaseState.escalated  # type: ignore[union-attr]
    assert sweep("11:00") == [("escalation", "overdue_twice")]
    assert sweep("15:00") == []
    assert [e.kind for e in history(session, answered.id or 0)] == [
        CaseEventKind.opened,
        CaseEventKind.state,
        CaseEventKind.state,
    ]


def test_answer_confirm_and_reopen_through_the_complainants_link(
    session: Session, place: Place
) -> None:
    """Complex case received Mon 23 Nov 10:00, due at the end of the 5th working day after,
    Mon 30 Nov 17:00: allowed 6 h (Mon 10-12, 13-17) + 5 x 7 h = 41 h. Answered Tue 24 Nov
    10:00, after 6 + 1 = 7 h; the complainant reopens it Thu 26 Nov 09:00, so Tue 10:00 to
    Thu 09:00 does not count: 34 h are left from Thu 09:00 = Thu, Fri, Mon, Tue (28 h) and
    6 h of Wed 2 Dec (09-12, 13-16): due Wed 2 Dec 16:00."""
    manager = user(session, place, "duty-manager")
    case = complaint(session, place, received=at("2026-11-23", "10:00"), by=None)
    case_id, token = case.id or 0, case.public_token
    with pytest.raises(TransitionNotAllowed):
        confirm_answer(session, token, now=at("2026-11-23", "11:00"))
    session.rollback()
    with pytest.raises(CaseActionNotAllowed) as refused:
        answer_case(session, case_id, text="  ", now=at("2026-11-24", "10:00"), user_id=manager)
    assert refused.value.reason == Refusal.answer_needs_text
    answer_case(
        session, case_id, text="已增开两个窗口。", now=at("2026-11-24", "10:00"), user_id=manager
    )
    assert case_by_token(session, token).owner_user_id == manager
    with pytest.raises(CaseActionNotAllowed) as refused:
        pause_clock(session, case_id, now=at("2026-11-24", "11:00"), reason="", user_id=manager)
    assert refused.value.reason == Refusal.clock_not_running
    session.rollback()
    with pytest.raises(CaseActionNotAllowed) as refused:
        reopen_by_complainant(session, token, reason=" ", now=at("2026-11-26"))
    assert refused.value.reason == Refusal.reason_needed
    reopened = reopen_by_complainant(
        session, token, reason="今天还是只有一个窗口", now=at("2026-11-26", "09:00")
    )
    assert reopened.state == CaseState.reopened and reopened.closed_at is None
    clock = case_clock(session, case_id, CALENDAR)
    assert clock.deadline(at("2026-11-26", "09:00")) == at("2026-12-02", "16:00")
    answer_case(
        session, case_id, text="第三个窗口已开。", now=at("2026-11-26", "11:00"), user_id=manager
    )
    closed = confirm_answer(session, token, now=at("2026-11-26", "12:00"))
    assert closed.state == CaseState.closed and closed.closed_at == at("2026-11-26", "12:00")
    events = history(session, case_id)
    answer = case_answer(events)
    assert answer is not None and answer.text == "第三个窗口已开。"
    assert [(e.actor, e.to_state) for e in events if e.kind == CaseEventKind.state] == [
        ("user", "answered"),
        ("complainant", "reopened"),
        ("user", "answered"),
        ("complainant", "closed"),
    ]
    with pytest.raises(CaseLinkNotFound):
        case_by_token(session, "not-a-token")


def test_the_organisations_own_limits_and_local_days_set_the_deadline(
    session: Session, place: Place
) -> None:
    """General limit set to 2 working days; Wed 25 Nov declared a local day off (a
    typhoon) and Sat 28 Nov a local working day. Received Tue 24 Nov 10:00: working days
    after it are Thu 26 and Fri 27 -> due Fri 27 Nov 17:00. Working hours 08:30-11:30 and
    13:30-17:30 end the day at 17:30."""
    organisation_id = place.organisation.id or 0
    session.add(
        CaseSettings(
            organisation_id=organisation_id,
            general_days=2,
            working_hours="08:30-11:30,13:30-17:30",
        )
    )
    session.add(
        CalendarOverride(
            organisation_id=organisation_id, day=at("2026-11-25").date(), working=False
        )
    )
    session.commit()
    filed = file_feedback(
        session,
        organisation_id=organisation_id,
        kind=FeedbackKind.criticism,
        source=FeedbackSource.counter,
        text="柜员态度冷淡",
        now=at("2026-11-24", "10:00"),
        site_id=place.site.id,
        severity=Severity.general,
        submission_key="k" * 20,
    )
    assert filed.case is not None
    assert filed.case.deadline_before_pauses == at("2026-11-27", "17:30")
    again = file_feedback(
        session,
        organisation_id=organisation_id,
        kind=FeedbackKind.criticism,
        source=FeedbackSource.counter,
        text="柜员态度冷淡",
        now=at("2026-11-24", "10:01"),
        site_id=place.site.id,
        severity=Severity.general,
        submission_key="k" * 20,
    )
    assert again.case is not None and again.case.id == filed.case.id
    assert len(session.exec(select(Case)).all()) == 1


def test_evidence_is_kept_while_open_and_for_the_retention_after_closing(
    session: Session, place: Place, tmp_path: Path
) -> None:
    """Retention 30 days. Closed 1 Nov: kept on 30 Nov, removed on 1 Dec (text, contact,
    photo files and rows), while the case, its history and the answer stay. An open case is
    never purged, nor a file (named by its hash) that an open case's photo shares."""
    organisation_id = place.organisation.id or 0
    session.add(CaseSettings(organisation_id=organisation_id, retention_days=30))
    session.commit()
    manager = user(session, place, "duty-manager")
    closed = complaint(session, place, received=at("2026-10-30", "10:00"), by=None)
    still_open = complaint(session, place, received=at("2026-10-30", "11:00"), by=None)
    photo_file = tmp_path / "evidence" / "abc.jpg"
    photo_file.parent.mkdir()
    photo_file.write_bytes(b"jpeg")
    shared_file = tmp_path / "evidence" / "shared.jpg"
    shared_file.write_bytes(b"same photo sent twice")

    def photo(feedback_id: int, path: str) -> EvidencePhoto:
        return EvidencePhoto(
            feedback_id=feedback_id,
            path=path,
            content_type="image/jpeg",
            width=1,
            height=1,
            size_bytes=4,
            sha256="0" * 64,
            stored_at=at("2026-10-30", "10:00"),
        )

    session.add(photo(closed.feedback_id, "evidence/abc.jpg"))
    session.add(photo(closed.feedback_id, "evidence/shared.jpg"))
    session.add(photo(still_open.feedback_id, "evidence/shared.jpg"))
    session.commit()
    answer_case(
        session, closed.id or 0, text="已退款", now=at("2026-10-31", "10:00"), user_id=manager
    )
    confirm_answer(session, closed.public_token, now=at("2026-11-01", "00:00"))
    assert purge_expired_evidence(session, now=at("2026-11-30", "23:59"), data_dir=tmp_path) == 0
    assert photo_file.exists()
    assert purge_expired_evidence(session, now=at("2026-12-01", "00:00"), data_dir=tmp_path) == 1
    assert not photo_file.exists()
    assert shared_file.exists()  # the open case's photo is the same file: kept
    feedback = session.get(Feedback, closed.feedback_id)
    kept = session.get(Feedback, still_open.feedback_id)
    assert feedback is not None and kept is not None
    assert (feedback.text, feedback.contact, feedback.redacted_at) == (
        "",
        "",
        at("2026-12-01", "00:00"),
    )
    assert kept.text and kept.redacted_at is None
    left = session.exec(select(EvidencePhoto)).all()
    assert [(p.feedback_id, p.path) for p in left] == [
        (still_open.feedback_id, "evidence/shared.jpg")
    ]
    answer = case_answer(history(session, closed.id or 0))
    assert answer is not None and answer.text == "已退款"


def test_a_double_tap_that_races_past_the_lookup_files_once(
    session: Session, place: Place, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two connections both look for the submission key before either has stored it; the
    unique key refuses the second insert, which then returns the first filing."""
    import survey.cases.handling

    def send() -> Case | None:
        return file_feedback(
            session,
            organisation_id=place.organisation.id or 0,
            kind=FeedbackKind.complaint,
            source=FeedbackSource.customer,
            text="排队太久",
            now=at("2026-11-24", "10:00"),
            site_id=place.site.id,
            submission_key="tap-" + "x" * 20,
        ).case

    first = send()
    real_lookup = survey.cases.handling._filed_before
    lookups: list[str] = []

    def lookup_before_the_other_commit(s: Session, key: str) -> object:
        lookups.append(key)
        return None if len(lookups) == 1 else real_lookup(s, key)

    monkeypatch.setattr(survey.cases.handling, "_filed_before", lookup_before_the_other_commit)
    second = send()
    assert first is not None and second is not None and second.id == first.id
    assert len(lookups) == 2  # the insert was refused, then the first filing found
    assert len(session.exec(select(Case)).all()) == 1
    assert len(session.exec(select(Feedback)).all()) == 1
