"""The regulator's complaint statistics: per operator of its authority (and no other),
cases received, answered in time, late and still running, the on-time rate with Wilson's
interval, and complaints per category; counts only, never a complaint's words."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from analytics.proportions import wilson_proportion
from survey.cases.handling import answer_case, file_feedback
from survey.models import FeedbackCategory, FeedbackKind, FeedbackSource, Role, User
from survey.places.changes import committed
from survey.regulation.authorities import create_authority, oversee
from tests.api.regulator.test_pages import table_rows
from tests.factories import FixedClock, local_day, make_place
from tests.web import add_regulator, add_user, log_in

SECRET = "我的手机号是 13800000000，柜员态度恶劣"


def test_each_operators_complaints_are_counted_and_rated(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    now = clock()
    a, b, c = (make_place(session, now=now, slug=slug) for slug in ("op-a", "op-b", "op-c"))
    authority = committed(session, create_authority, name="CA", now=now)
    assert authority.id is not None
    for place in (a, b):
        committed(
            session,
            oversee,
            authority_id=authority.id,
            organisation_id=place.organisation.id or 0,
            since=now.date(),
        )
    add_user(session, clock, "wang", Role.manager, [a.organisation.id or 0])
    manager = session.exec(select(User).where(User.username == "wang")).one()

    def complain(place_org: int, category: FeedbackCategory, when: timedelta) -> int:
        filed = file_feedback(
            session,
            organisation_id=place_org,
            kind=FeedbackKind.complaint,
            source=FeedbackSource.hotline,
            text=SECRET,
            category=category,
            now=now - when,
        )
        assert filed.case is not None and filed.case.id is not None
        return filed.case.id

    answered = complain(a.organisation.id or 0, FeedbackCategory.attitude, timedelta(hours=2))
    answer_case(
        session, answered, text="已致歉", now=now - timedelta(hours=1), user_id=manager.id or 0
    )
    complain(a.organisation.id or 0, FeedbackCategory.fees, timedelta(days=40))  # long overdue
    complain(b.organisation.id or 0, FeedbackCategory.attitude, timedelta(minutes=5))  # running
    complain(c.organisation.id or 0, FeedbackCategory.attitude, timedelta(hours=1))  # not ours
    add_regulator(session, clock, "miit", authority.id)
    log_in(client, "miit")

    first = local_day(now - timedelta(days=40)).strftime("%Y-%m")
    last = local_day(now).strftime("%Y-%m")
    page = client.get(
        "/regulator/complaints", params={"first_month": first, "last_month": last, "lang": "en"}
    )
    assert page.status_code == 200
    rate = wilson_proportion(1, 2)
    assert [text for _, text in table_rows(page.text, "complaints")] == [
        f"Org op-a 2 1 1 0 50.0 {100 * rate.low:.1f} {100 * rate.high:.1f}",
        "Org op-b 1 0 0 1 — — —",
    ]
    # Attitude, waiting, wrongly handled, fees, hall, other.
    assert [text for _, text in table_rows(page.text, "categories")] == [
        "Org op-a 1 0 0 1 0 0",
        "Org op-b 1 0 0 0 0 0",
    ]
    assert SECRET not in page.text and "13800000000" not in page.text
    assert "Org op-c" not in page.text
    assert client.get("/regulator/complaints", params={"first_month": "13"}).status_code == 422
    log_in(client, "wang")
    assert client.get("/regulator/complaints", follow_redirects=False).status_code == 403
