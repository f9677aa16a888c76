"""The annual supervisor report (hand-counted) and marking suggestions adopted."""

import csv
import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from survey.cases.handling import file_feedback
from survey.models import (
    Checklist,
    ChecklistItem,
    ChecklistSection,
    CheckOutcome,
    Feedback,
    FeedbackKind,
    FeedbackSource,
    Inspection,
    InspectionKind,
    InspectionResult,
    Role,
    SupervisorCredential,
    User,
)
from tests.factories import FixedClock, Place, at, make_place
from tests.web import add_user, csrf_of, log_in, place_with_manager


@pytest.fixture
def place(client: TestClient, session: Session, clock: FixedClock) -> Place:
    """The manager ``wang`` logged in, reading English (the tests check its words)."""
    client.headers["accept-language"] = "en"
    place = place_with_manager(session, clock)
    assert log_in(client, "wang") == 303
    session.commit()
    return place


def supervisor(session: Session, clock: FixedClock, place: Place, name: str, number: str) -> int:
    add_user(session, clock, name, Role.supervisor, [place.organisation.id or 0])
    user = session.exec(select(User).where(User.username == name)).one()
    assert user.id is not None
    session.add(
        SupervisorCredential(
            user_id=user.id,
            number=number,
            valid_from=date(2026, 1, 1),
            valid_until=date(2026, 12, 31),
        )
    )
    session.commit()
    return user.id


def inspect(
    session: Session, place: Place, by: int, day: str, kind: InspectionKind, fails: int
) -> None:
    """An inspection of four items, ``fails`` of them failed and one not applicable."""
    checklist = session.exec(select(Checklist)).first()
    if checklist is None:
        checklist = Checklist(key="test", created_at=at("2026-01-01"))
        session.add(checklist)
        session.flush()
        for position, section in enumerate(list(ChecklistSection)[:4]):
            session.add(
                ChecklistItem(
                    checklist_id=checklist.id or 0,
                    section=section,
                    code=f"i{position}",
                    position=position,
                    texts={"en": section.value},
                )
            )
        session.flush()
    items = session.exec(select(ChecklistItem).order_by(ChecklistItem.position)).all()  # type: ignore[arg-type]
    inspection = Inspection(
        organisation_id=place.organisation.id or 0,
        checklist_id=checklist.id or 0,
        kind=kind,
        site_id=place.site.id or 0,
        inspected_at=at(day, "10:00"),
        filed_at=at(day, "11:00"),
        filed_by_user_id=by,
        submission_key=f"{by}-{day}-{kind}",
    )
    session.add(inspection)
    session.flush()
    for index, item in enumerate(items):
        outcome = (
            CheckOutcome.failed
            if index < fails
            else CheckOutcome.not_applicable
            if index == 3
            else CheckOutcome.passed
        )
        session.add(
            InspectionResult(
                inspection_id=inspection.id or 0, item_id=item.id or 0, outcome=outcome
            )
        )
    session.commit()


def tell(session: Session, place: Place, by: int | None, kind: FeedbackKind, day: str) -> Feedback:
    filed = file_feedback(
        session,
        organisation_id=place.organisation.id or 0,
        kind=kind,
        source=FeedbackSource.supervisor if by else FeedbackSource.customer,
        text=f"{kind} {day}",
        now=at(day, "10:00"),
        site_id=place.site.id,
        received_by_user_id=by,
    )
    return filed.feedback


def test_the_annual_report_counts_each_supervisors_year(
    client: TestClient, session: Session, place: Place, clock: FixedClock
) -> None:
    """Li: two secret checks in 2026 (2 and 1 failed items) and a mutual check (0 failed),
    plus a secret check in 2025 that does not count: 3 inspections, 3 findings. Two
    suggestions (one adopted through the page), one praise, one complaint. A customer's
    suggestion counts for nobody. Zhou filed nothing and is listed with zeros."""
    li = supervisor(session, clock, place, "li", "JD-2026-0017")
    supervisor(session, clock, place, "zhou", "JD-2026-0018")
    inspect(session, place, li, "2026-03-02", InspectionKind.secret_check, 2)
    inspect(session, place, li, "2026-06-10", InspectionKind.secret_check, 1)
    inspect(session, place, li, "2026-07-01", InspectionKind.mutual_check, 0)
    inspect(session, place, li, "2025-12-30", InspectionKind.secret_check, 3)
    adopted = tell(session, place, li, FeedbackKind.suggestion, "2026-04-01")
    tell(session, place, li, FeedbackKind.suggestion, "2026-05-01")
    tell(session, place, li, FeedbackKind.praise, "2026-05-02")
    tell(session, place, li, FeedbackKind.complaint, "2026-05-03")
    tell(session, place, None, FeedbackKind.suggestion, "2026-05-04")

    page = client.get("/manager/feedback?kind=suggestion")
    assert page.status_code == 200
    adopt = client.post(
        f"/manager/feedback/{adopted.id}/adopt",
        data={"csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert adopt.status_code == 303

    assert client.get("/manager/supervisors?year=2026").status_code == 200
    exported = client.get("/manager/supervisors/2026.csv")
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert rows[1] == ["li", "JD-2026-0017", "2", "1", "3", "1", "2", "1", "0", "1"]
    assert rows[2] == ["zhou", "JD-2026-0018", "0", "0", "0", "0", "0", "0", "0", "0"]
    assert client.get("/manager/supervisors/2026.xlsx").status_code == 200
    assert client.get("/manager/supervisors/2026.doc").status_code == 404


def test_only_a_suggestion_of_ones_own_organisation_can_be_adopted(
    client: TestClient, session: Session, place: Place, clock: FixedClock
) -> None:
    praise = tell(session, place, None, FeedbackKind.praise, "2026-05-01")
    other = make_place(session, now=clock(), slug="org-b")
    theirs = tell(session, other, None, FeedbackKind.suggestion, "2026-05-01")
    csrf = csrf_of(client.get("/manager/feedback").text)
    not_a_suggestion = client.post(
        f"/manager/feedback/{praise.id}/adopt",
        data={"csrf_token": csrf},
        headers={"accept": "application/json"},
    )
    assert not_a_suggestion.status_code == 422
    assert (
        client.post(f"/manager/feedback/{theirs.id}/adopt", data={"csrf_token": csrf}).status_code
        == 404
    )
    assert f"{FeedbackKind.suggestion} 2026-05-01" not in client.get("/manager/feedback").text
    session.expire_all()
    assert session.get(Feedback, theirs.id).adopted_at is None  # type: ignore[union-attr]


def test_compliance_per_hall_and_section_by_hand(
    client: TestClient, session: Session, place: Place, clock: FixedClock
) -> None:
    """Three 2026 inspections of four items (language, attitude, appearance, discipline;
    discipline always not applicable) with 2, 1 and 0 failures from the first item on, and
    one 2025 inspection that does not count. Language: 1 passed of 3 = 33 %; attitude 2 of
    3 = 67 %; appearance 3 of 3 = 100 %; discipline nothing checked (blank); quality not on
    the checklist (blank); overall 6 of 9 = 66.7 %."""
    li = supervisor(session, clock, place, "li", "JD-2026-0017")
    inspect(session, place, li, "2026-03-02", InspectionKind.secret_check, 2)
    inspect(session, place, li, "2026-06-10", InspectionKind.secret_check, 1)
    inspect(session, place, li, "2026-07-01", InspectionKind.mutual_check, 0)
    inspect(session, place, li, "2025-12-30", InspectionKind.secret_check, 3)
    assert client.get("/manager/inspections?year=2026").status_code == 200
    exported = client.get("/manager/inspections/2026-site.csv")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert rows[0][:2] == ["Hall", "Inspections"]
    name, n, language, attitude, appearance, discipline, quality, overall, checked = rows[1]
    assert (name, n, checked) == (place.site.name, "3", "9")
    # Shown as whole percentages; the CSV keeps four decimals more.
    assert float(language) == pytest.approx(100 / 3, abs=1e-4)
    assert float(attitude) == pytest.approx(200 / 3, abs=1e-4)
    assert float(appearance) == 100.0
    assert (discipline, quality) == ("", "")
    assert float(overall) == pytest.approx(600 / 9, abs=1e-4)
    assert len(rows) == 2
    assert client.get("/manager/inspections?level=staff").status_code == 200
    assert client.get("/manager/inspections?level=region").status_code == 422
    assert client.get("/manager/inspections/2026-region.csv").status_code == 404
