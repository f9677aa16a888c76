"""The managers' case pages: the list with its clocks (overdue first, swept on reading),
one case's history and actions, 409 for a change the state does not allow, and the
on-time rate per site and month (hand-counted)."""

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.background import sweep_case_clocks
from survey.cases.handling import answer_case, file_feedback, history
from survey.cases.rules import CaseState, Severity
from survey.models import Case, CaseEventKind, FeedbackKind, FeedbackSource, Role, User
from tests.factories import FixedClock, Place, at, make_place
from tests.web import add_user, csrf_of, log_in, place_with_manager


@pytest.fixture
def clock() -> FixedClock:
    """The deadlines here are worked by hand on one calendar: the app's clock stands at
    Tue 24 Nov 2026 10:30 in Shanghai, whatever day the suite runs on."""
    return FixedClock(at("2026-11-24", "10:30"))


@pytest.fixture
def place(client: TestClient, session: Session, clock: FixedClock) -> Place:
    """The manager ``wang`` logged in, reading English (the tests check its words)."""
    client.headers["accept-language"] = "en"
    place = place_with_manager(session, clock)
    assert log_in(client, "wang") == 303
    session.commit()
    return place


def complaint(
    session: Session, place: Place, received: str, severity: Severity, text: str = "窗口只开一个"
) -> Case:
    day, _, clock = received.partition(" ")
    filed = file_feedback(
        session,
        organisation_id=place.organisation.id or 0,
        kind=FeedbackKind.complaint,
        source=FeedbackSource.customer,
        text=text,
        now=at(day, clock),
        site_id=place.site.id,
        counter_id=place.counter.id,
        severity=severity,
    )
    assert filed.case is not None
    return filed.case


def case_ids_in_order(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/manager/cases/(\d+)"', html)]


def test_overdue_first_and_reading_the_list_writes_nothing(
    client: TestClient, session: Session, place: Place, clock: FixedClock
) -> None:
    """A complex case received at 10:00 is on time at 10:30; a simple one received at
    09:00 (limit one working hour: due 10:00) is overdue and goes first. Reading the list
    records nothing; the sweep (scheduled in ``manyi serve``) records the escalation, once,
    and the list then shows the case escalated."""
    on_time = complaint(session, place, "2026-11-24 10:00", Severity.complex)
    overdue = complaint(session, place, "2026-11-24 09:00", Severity.simple)
    before = [e.kind for e in history(session, overdue.id or 0)]
    page = client.get("/manager/cases?lang=en")
    assert page.status_code == 200
    assert case_ids_in_order(page.text) == [overdue.id, on_time.id]
    assert "1 case is overdue and escalated." in page.text
    session.expire_all()
    assert session.get(Case, overdue.id).state == CaseState.received  # type: ignore[union-attr]
    assert [e.kind for e in history(session, overdue.id or 0)] == before

    assert sweep_case_clocks(session.get_bind(), clock) == 4  # 50 %, 80 %, overdue: escalated
    session.commit()  # end the read snapshot: see what the sweep wrote
    session.expire_all()
    assert session.get(Case, overdue.id).state == CaseState.escalated  # type: ignore[union-attr]
    kinds = [e.kind for e in history(session, overdue.id or 0)]
    assert CaseEventKind.escalation in kinds
    assert sweep_case_clocks(session.get_bind(), clock) == 0  # each stage once
    listing = client.get("/manager/cases?lang=en").text
    assert "Escalated" in listing


def test_the_first_to_acknowledge_owns_it_and_the_answer_stops_the_clock(
    client: TestClient, session: Session, place: Place
) -> None:
    case = complaint(session, place, "2026-11-24 10:00", Severity.general)
    page = client.get(f"/manager/cases/{case.id}")
    assert "No owner yet" in page.text
    csrf = csrf_of(page.text)
    sent = client.post(
        f"/manager/cases/{case.id}/state",
        data={"to": "acknowledged", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    answered = client.post(
        f"/manager/cases/{case.id}/answer",
        data={"text": "已增开窗口，感谢监督。", "csrf_token": csrf},
    )
    assert answered.status_code == 200
    assert 'id="case-state">Answered<' in answered.text
    assert "已增开窗口，感谢监督。" in answered.text
    session.expire_all()
    stored = session.get(Case, case.id)
    wang = session.exec(select(User).where(User.username == "wang")).one()
    assert stored is not None and stored.owner_user_id == wang.id
    assert stored.state == CaseState.answered


def test_a_change_the_state_does_not_allow_is_409_with_the_allowed_states(
    client: TestClient, session: Session, place: Place
) -> None:
    case = complaint(session, place, "2026-11-24 10:00", Severity.general)
    wang = session.exec(select(User).where(User.username == "wang")).one()
    answer_case(
        session, case.id or 0, text="已处理", now=at("2026-11-24", "10:15"), user_id=wang.id or 0
    )
    csrf = csrf_of(client.get(f"/manager/cases/{case.id}").text)
    as_program = client.post(
        f"/manager/cases/{case.id}/state",
        data={"to": "in_progress", "csrf_token": csrf},
        headers={"accept": "application/json"},
    )
    assert as_program.status_code == 409
    assert as_program.json()["detail"] == {
        "state": "answered",
        "wanted": "in_progress",
        "allowed": ["closed", "reopened"],
    }
    as_person = client.post(
        f"/manager/cases/{case.id}/state", data={"to": "in_progress", "csrf_token": csrf}
    )
    assert as_person.status_code == 409
    assert "Possible: Closed, Reopened." in as_person.text
    no_reason = client.post(
        f"/manager/cases/{case.id}/pause", data={"reason": "", "csrf_token": csrf}
    )
    assert no_reason.status_code == 409
    session.expire_all()
    assert session.get(Case, case.id).state == CaseState.answered  # type: ignore[union-attr]


def test_pausing_shows_a_paused_clock_and_keeps_the_reason(
    client: TestClient, session: Session, place: Place
) -> None:
    case = complaint(session, place, "2026-11-24 10:00", Severity.complex)
    csrf = csrf_of(client.get(f"/manager/cases/{case.id}").text)
    paused = client.post(
        f"/manager/cases/{case.id}/pause",
        data={"reason": "等客户提供账单", "csrf_token": csrf},
    )
    assert "Paused: waiting for the complainant" in paused.text
    assert "等客户提供账单" in paused.text
    resumed = client.post(
        f"/manager/cases/{case.id}/resume", data={"reason": "账单已收到", "csrf_token": csrf}
    )
    assert 'id="case-due"' in resumed.text and "Paused:" not in resumed.text


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("pause", {"reason": "  "}, "Please give a reason."),
        ("answer", {"text": " "}, "Please write the answer."),
        ("state", {"state": "closed"}, "This cannot be done to the case as it stands now."),
    ],
)
def test_a_refused_action_says_what_to_fix_on_the_case_page(
    client: TestClient,
    session: Session,
    place: Place,
    action: str,
    data: dict[str, str],
    message: str,
) -> None:
    """Each refusal is told by its reason code, in the manager's language, with a 409 and
    the case page; nothing is recorded."""
    case = complaint(session, place, "2026-11-24 10:00", Severity.complex)
    before = len(history(session, case.id or 0))
    csrf = csrf_of(client.get(f"/manager/cases/{case.id}").text)
    refused = client.post(f"/manager/cases/{case.id}/{action}", data={**data, "csrf_token": csrf})
    assert refused.status_code == 409
    assert message in refused.text
    session.commit()
    assert len(history(session, case.id or 0)) == before


def test_an_action_the_app_does_not_have_is_a_404_and_records_nothing(
    client: TestClient, session: Session, place: Place
) -> None:
    """Each case action is its own route; a made-up one is not found, never a 500."""
    case = complaint(session, place, "2026-11-24 10:00", Severity.complex)
    before = len(history(session, case.id or 0))
    csrf = csrf_of(client.get(f"/manager/cases/{case.id}").text)
    made_up = client.post(
        f"/manager/cases/{case.id}/delete", data={"reason": "x", "csrf_token": csrf}
    )
    assert made_up.status_code == 404
    session.commit()
    assert len(history(session, case.id or 0)) == before


def test_another_organisations_case_and_other_roles_are_refused(
    client: TestClient, session: Session, place: Place, clock: FixedClock
) -> None:
    other = make_place(session, now=clock(), slug="org-b")
    theirs = complaint(session, other, "2026-11-24 10:00", Severity.general)
    assert client.get(f"/manager/cases/{theirs.id}").status_code == 404
    csrf = csrf_of(client.get("/manager/cases").text)
    refused = client.post(
        f"/manager/cases/{theirs.id}/answer", data={"text": "x", "csrf_token": csrf}
    )
    assert refused.status_code == 404
    assert "窗口只开一个" not in client.get("/manager/cases").text
    add_user(session, clock, "volunteer", Role.supervisor, [place.organisation.id or 0])
    client.cookies.clear()
    assert log_in(client, "volunteer") == 303
    assert client.get("/manager/cases").status_code == 403


def test_on_time_rate_per_site_and_month(
    client: TestClient, session: Session, place: Place
) -> None:
    """Four simple cases (limit one working hour), read at Tue 24 Nov 10:30:
    received 23 Nov 09:00, answered 09:30: on time; received 23 Nov 10:00, answered 14:00
    (2 working hours later): late; received 24 Nov 09:00, unanswered: overdue, late;
    received 24 Nov 10:15, unanswered: pending. On time 1 of 3 = 33.3 %."""
    wang = session.exec(select(User).where(User.username == "wang")).one()
    first = complaint(session, place, "2026-11-23 09:00", Severity.simple)
    answer_case(
        session, first.id or 0, text="好", now=at("2026-11-23", "09:30"), user_id=wang.id or 0
    )
    second = complaint(session, place, "2026-11-23 10:00", Severity.simple)
    answer_case(
        session, second.id or 0, text="好", now=at("2026-11-23", "14:00"), user_id=wang.id or 0
    )
    complaint(session, place, "2026-11-24 09:00", Severity.simple)
    complaint(session, place, "2026-11-24 10:15", Severity.simple)
    page = client.get("/manager/cases-on-time")
    assert page.status_code == 200
    exported = client.get("/manager/cases-on-time/2026.csv")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert rows[1][:6] == [place.site.name, "2026-11", "4", "1", "2", "1"]
    assert float(rows[1][6]) == pytest.approx(100 / 3, abs=1e-4)  # CSV: 4 decimals more
    assert client.get("/manager/cases-on-time/2026.xlsx").status_code == 200
    assert client.get("/manager/cases-on-time/2026.pdf").status_code == 404
    assert client.get("/manager/cases-on-time?year=99999").status_code == 422


def test_feedback_counts_per_kind_and_category(
    session: Session, place: Place, clock: FixedClock
) -> None:
    """Two fee complaints and one attitude criticism in November; one in October is
    outside the month; another organisation's is not counted."""
    from survey.cases.queries import feedback_counts
    from survey.models import FeedbackCategory

    def send(org_place: Place, kind: FeedbackKind, category: FeedbackCategory, day: str) -> None:
        file_feedback(
            session,
            organisation_id=org_place.organisation.id or 0,
            kind=kind,
            source=FeedbackSource.hotline,
            category=category,
            text="x",
            now=at(day, "10:00"),
            site_id=org_place.site.id,
        )

    other = make_place(session, now=clock(), slug="org-b")
    send(place, FeedbackKind.complaint, FeedbackCategory.fees, "2026-11-02")
    send(place, FeedbackKind.complaint, FeedbackCategory.fees, "2026-11-20")
    send(place, FeedbackKind.criticism, FeedbackCategory.attitude, "2026-11-03")
    send(place, FeedbackKind.complaint, FeedbackCategory.fees, "2026-10-30")
    send(other, FeedbackKind.complaint, FeedbackCategory.fees, "2026-11-02")
    counts = feedback_counts(
        session,
        organisation_ids=[place.organisation.id or 0],
        since=at("2026-11-01", "00:00"),
        until=at("2026-12-01", "00:00"),
    )
    assert [(c.kind, c.category, c.n) for c in counts] == [
        ("complaint", "fees", 2),
        ("criticism", "attitude", 1),
    ]


def test_the_demo_has_a_case_in_every_situation(session: Session, clock: FixedClock) -> None:
    """The demo manager meets an overdue (escalated), a paused, a reopened, an answered
    and a closed case."""
    from survey.demo.seed import seed_demo

    seed_demo(session, now=clock(), n_responses=0, salt="s", evaluation=False)
    states = {case.state for case in session.exec(select(Case)).all()}
    assert {
        CaseState.escalated,
        CaseState.reopened,
        CaseState.answered,
        CaseState.closed,
        CaseState.acknowledged,
    } <= states
    paused = [
        case
        for case in session.exec(select(Case)).all()
        if [e.kind for e in history(session, case.id or 0)][-1] == CaseEventKind.paused
    ]
    assert len(paused) == 1


def test_a_manager_sets_the_limits_hours_and_local_days_that_clocks_use(
    client: TestClient, session: Session, place: Place
) -> None:
    """General limit 2 working days, hours 08:30-11:30 and 13:30-17:30, Wed 25 Nov a local
    day off: a general case received Tue 24 Nov 10:00 is due Fri 27 Nov 17:30 (Thu and Fri
    are the two working days after receipt)."""
    page = client.get("/manager/case-settings")
    assert page.status_code == 200
    csrf = csrf_of(page.text)
    bad = client.post(
        "/manager/case-settings",
        data={
            "csrf_token": csrf,
            "simple_hours": "0",
            "general_days": "two",
            "complex_days": "5",
            "working_hours": "13:00-17:00,09:00-12:00",
            "retention_days": "150",
        },
    )
    assert bad.status_code == 422
    assert bad.text.count('aria-invalid="true"') == 3
    assert 'value="13:00-17:00,09:00-12:00"' in bad.text
    good = client.post(
        "/manager/case-settings",
        data={
            "csrf_token": csrf,
            "simple_hours": "1",
            "general_days": "2",
            "complex_days": "5",
            "working_hours": "08:30-11:30,13:30-17:30",
            "retention_days": "90",
        },
        follow_redirects=False,
    )
    assert good.status_code == 303
    assert (
        client.post(
            "/manager/case-settings/days",
            data={"csrf_token": csrf, "day": "2026-11-31", "working": "0"},
        ).status_code
        == 422
    )
    added = client.post(
        "/manager/case-settings/days",
        data={"csrf_token": csrf, "day": "2026-11-25", "working": "0", "note": "台风停业"},
    )
    assert added.status_code == 200 and "台风停业" in added.text
    case = complaint(session, place, "2026-11-24 10:00", Severity.general)
    assert case.deadline_before_pauses == at("2026-11-27", "17:30")
    removed = client.post(
        "/manager/case-settings/days/2026-11-25/remove", data={"csrf_token": csrf}
    )
    assert removed.status_code == 200 and "台风停业" not in removed.text
    assert (
        client.post(
            "/manager/case-settings/days/2026-11-25/remove", data={"csrf_token": csrf}
        ).status_code
        == 404
    )
    other = make_place(session, now=at("2026-11-01"), slug="org-b")
    assert (
        client.get(f"/manager/case-settings?organisation={other.organisation.id}").status_code
        == 404
    )


@pytest.mark.parametrize(
    ("lang", "label"), [("en", "80 % of the time used"), ("zh_Hans", "已用时限的 80%")]
)
def test_a_case_at_80_percent_shows_its_warning_in_every_language(
    client: TestClient, session: Session, place: Place, clock: FixedClock, lang: str, label: str
) -> None:
    """Simple case received 09:40, read at 10:30: 50 of 60 working minutes used (83 %).
    Its stage label carries a literal "%", which once broke the page (a 500)."""
    case = complaint(session, place, "2026-11-24 09:40", Severity.simple)
    listing = client.get(f"/manager/cases?lang={lang}")
    assert listing.status_code == 200 and label in listing.text
    sweep_case_clocks(session.get_bind(), clock)  # records the warnings in the history
    detail = client.get(f"/manager/cases/{case.id}?lang={lang}")
    assert detail.status_code == 200
    assert detail.text.count(label) >= 2  # the stage, and the warning in the history


def test_a_manager_reclassifies_a_customers_complaint_and_its_limit_follows(
    client: TestClient, session: Session, place: Place
) -> None:
    """A customer's complaint arrives as general (due the same working day, Tue 24 Nov
    17:00); classified complex it is due at the end of the 5th working day after receipt,
    Tue 1 Dec 17:00. The change is in the history; an answered case keeps its severity."""
    case = complaint(session, place, "2026-11-24 10:00", Severity.general)
    assert case.deadline_before_pauses == at("2026-11-24", "17:00")
    csrf = csrf_of(client.get(f"/manager/cases/{case.id}").text)
    changed = client.post(
        f"/manager/cases/{case.id}/severity",
        data={"severity": "complex", "reason": "需要核查账单", "csrf_token": csrf},
    )
    assert changed.status_code == 200
    assert "Severity changed" in changed.text and "需要核查账单" in changed.text
    session.expire_all()
    stored = session.get(Case, case.id)
    assert stored is not None and stored.severity == Severity.complex
    assert stored.deadline_before_pauses == at("2026-12-01", "17:00")
    assert (
        client.post(
            f"/manager/cases/{case.id}/severity",
            data={"severity": "regulator", "csrf_token": csrf},
        ).status_code
        == 409
    )
    wang = session.exec(select(User).where(User.username == "wang")).one()
    answer_case(
        session, case.id or 0, text="已核查", now=at("2026-11-24", "10:20"), user_id=wang.id or 0
    )
    assert (
        client.post(
            f"/manager/cases/{case.id}/severity",
            data={"severity": "simple", "csrf_token": csrf},
        ).status_code
        == 409
    )
    session.expire_all()
    assert session.get(Case, case.id).severity == Severity.complex  # type: ignore[union-attr]
