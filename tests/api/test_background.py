"""The server's scheduled sweep: it records the case clocks' stages without anyone reading."""

import time
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from api.background import scheduled_case_sweep
from survey.cases.handling import file_feedback, history
from survey.cases.rules import Severity
from survey.models import CaseEventKind, FeedbackKind, FeedbackSource
from tests.factories import FixedClock, make_place

WAIT_SECONDS = 10.0
TWELVE_DAYS = timedelta(days=12)


def test_the_scheduled_sweep_escalates_an_overdue_case_at_once(
    engine: Engine, clock: FixedClock
) -> None:
    """A simple case received twelve days ago (limit: one working hour; no holiday of the
    Chinese calendar lasts long enough to leave twelve days without two working hours, so
    it is past its limit twice on any day the suite runs) is escalated to
    the site manager and the organisation by the sweep that ``manyi serve`` starts, within
    seconds and at the time of the clock it was given."""
    with Session(engine, expire_on_commit=False) as session:
        place = make_place(session, now=clock())
        filed = file_feedback(
            session,
            organisation_id=place.organisation.id or 0,
            kind=FeedbackKind.complaint,
            source=FeedbackSource.hotline,
            text="没人接电话",
            now=clock() - TWELVE_DAYS,
            site_id=place.site.id,
            severity=Severity.simple,
        )
    assert filed.case is not None
    case_id = filed.case.id or 0
    with scheduled_case_sweep(engine, clock):
        deadline = time.monotonic() + WAIT_SECONDS
        kinds: list[CaseEventKind] = []
        while time.monotonic() < deadline:
            with Session(engine) as session:
                kinds = [event.kind for event in history(session, case_id)]
            if CaseEventKind.escalation in kinds:
                break
            time.sleep(0.05)
    assert kinds.count(CaseEventKind.escalation) == 2  # the site manager, then the organisation
    with Session(engine) as session:
        events = history(session, case_id)
    assert {event.at for event in events if event.kind == CaseEventKind.escalation} == {clock()}
