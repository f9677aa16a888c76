"""The manager's corrective actions pages on the demo: the list, an action's evidence and
effect, planning one, and who may see them."""

import json
import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from survey.cases.worktime import SHANGHAI
from survey.lifecycle.actions import open_corrective_actions
from survey.models import ActionState, CorrectiveAction, Role, User
from tests.factories import FixedClock, local_day, make_place
from tests.survey.lifecycle.test_actions import NOW, answer_month
from tests.web import add_user, csrf_of, demo_with_manager, log_in


@pytest.fixture
def demo_actions(client: TestClient, session: Session, clock: FixedClock) -> list[CorrectiveAction]:
    demo_with_manager(session, clock)
    assert log_in(client, "wang") == 303
    return list(session.exec(select(CorrectiveAction).order_by(CorrectiveAction.id)).all())


def test_the_list_puts_running_actions_first_and_says_how_each_ended(
    client: TestClient, demo_actions: list[CorrectiveAction]
) -> None:
    effective, reopened, waiting = demo_actions
    html = client.get("/manager/actions?lang=en").text
    order = [html.index(f'href="/manager/actions/{a.id}"') for a in (reopened, waiting, effective)]
    assert order == sorted(order)
    assert "Closed: it worked" in html and "Reopened: it did not work" in html
    assert html.count("Target missed") == 3


def test_an_effective_action_shows_its_numbers_and_no_form(
    client: TestClient, demo_actions: list[CorrectiveAction]
) -> None:
    effective = demo_actions[0]
    html = client.get(f"/manager/actions/{effective.id}?lang=en").text
    assert "Effect measured after the due date" in html
    before = json.loads(effective.evidence)["value"]
    assert before < 98 and f"{before:.2f} %" in html  # the week of the outage
    assert "100.00 %" in html  # the weeks after the due date
    assert "Save the plan" not in html


def test_planning_an_action_saves_owner_cause_plan_and_due_date(
    client: TestClient, session: Session, demo_actions: list[CorrectiveAction], clock: FixedClock
) -> None:
    waiting = demo_actions[2]
    page = client.get(f"/manager/actions/{waiting.id}?lang=en").text
    wang = session.exec(select(User).where(User.username == "wang")).one()
    due = (local_day(clock()) + timedelta(days=14)).isoformat()
    response = client.post(
        f"/manager/actions/{waiting.id}/plan",
        data={
            "csrf_token": csrf_of(page),
            "owner": str(wang.id),
            "cause": "Agents leave at 17:30",
            "plan": "Stagger the shifts",
            "due_on": due,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "The plan is saved." in client.get(response.headers["location"]).text
    session.rollback()
    stored = session.get(CorrectiveAction, waiting.id)
    assert stored is not None
    assert (stored.owner_id, stored.plan, stored.due_on.isoformat() if stored.due_on else "") == (
        wang.id,
        "Stagger the shifts",
        due,
    )
    assert stored.state == ActionState.open


def test_a_bad_plan_comes_back_with_its_messages_and_nothing_changes(
    client: TestClient, session: Session, demo_actions: list[CorrectiveAction], clock: FixedClock
) -> None:
    waiting = demo_actions[2]
    page = client.get(f"/manager/actions/{waiting.id}?lang=en").text
    yesterday = (local_day(clock()) - timedelta(days=1)).isoformat()
    response = client.post(
        f"/manager/actions/{waiting.id}/plan",
        data={
            "csrf_token": csrf_of(page),
            "owner": "999999",
            "cause": "Kept cause",
            "plan": "",
            "due_on": yesterday,
        },
    )
    assert response.status_code == 422
    for message in (
        "Choose one of the organisation's managers.",
        "Please write what will be done.",
        "The due date cannot be in the past.",
    ):
        assert message.replace("'", "&#39;") in response.text
    assert "Kept cause" in response.text
    response = client.post(
        f"/manager/actions/{waiting.id}/plan",
        data={"csrf_token": csrf_of(page), "plan": "x", "due_on": "31/12/2026"},
    )
    assert response.status_code == 422 and "YYYY-MM-DD" in response.text
    session.rollback()
    stored = session.get(CorrectiveAction, waiting.id)
    assert stored is not None and stored.plan == "" and stored.due_on is None


def test_another_organisations_action_is_404_and_a_supervisor_is_refused(
    client: TestClient, session: Session, demo_actions: list[CorrectiveAction], clock: FixedClock
) -> None:
    session.rollback()
    other = make_place(session, now=clock(), slug="org-b")
    assert other.organisation.id is not None
    add_user(session, clock, "zhao", Role.manager, [other.organisation.id])
    add_user(session, clock, "sup", Role.supervisor, [demo_actions[0].organisation_id])
    client.cookies.clear()
    assert log_in(client, "zhao") == 303
    target = demo_actions[2].id
    assert client.get(f"/manager/actions/{target}").status_code == 404
    page = client.get("/manager/actions?lang=en").text
    assert "No corrective action has been opened." in page
    response = client.post(
        f"/manager/actions/{target}/plan",
        data={"csrf_token": csrf_of(page), "plan": "take over", "due_on": "2099-01-01"},
    )
    assert response.status_code == 404
    client.cookies.clear()
    assert log_in(client, "sup") == 303
    assert client.get("/manager/actions").status_code == 403


def test_the_dashboard_links_a_signal_to_the_action_it_opened(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """The overview's alert for November's fall in tangibles names the action it opened,
    and the campaign's running actions are listed beside the alerts."""
    place = make_place(session, now=NOW - timedelta(days=150))
    for month in (date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)):
        answer_month(session, place, month, [5, 6, 7], [5, 6, 7])
    answer_month(session, place, date(2026, 11, 1), [2, 3, 4], [5, 6, 7])
    session.commit()
    assert place.organisation.id is not None
    opened = open_corrective_actions(session, place.organisation.id, now=NOW, timezone=SHANGHAI)
    session.commit()
    signal = next(
        a
        for a in opened
        if a.trigger_key.endswith(":tangibles:2026-11") and a.trigger == "control_signal"
    )
    clock.now = NOW
    add_user(session, clock, "li", Role.manager, [place.organisation.id])
    assert log_in(client, "li") == 303
    html = client.get(
        f"/manager/campaigns/{place.campaign.id}?lang=en&first_month=2026-09&last_month=2026-11"
    ).text
    alert = next(
        p for p in re.findall(r'<p class="alert[^"]*">(.*?)</p>', html, re.S) if "Tangibles" in p
    )
    assert f'href="/manager/actions/{signal.id}"' in alert
    assert "Corrective actions running" in html
