"""The manager's services pages: targets per window on the demo, recording an outage, and
who may see what."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from survey.models import Role, Service, ServiceOutage
from tests.factories import FixedClock, local_day, make_place
from tests.web import add_user, csrf_of, demo_with_manager, log_in


@pytest.fixture
def services(client: TestClient, session: Session, clock: FixedClock) -> list[Service]:
    demo_with_manager(session, clock)
    assert log_in(client, "wang") == 303
    return list(session.exec(select(Service).order_by(Service.id)).all())


def rows(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>|\s+", " ", row).strip()
        for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)
    ]


def test_the_list_says_which_targets_hold_and_how_many_windows_were_missed(
    client: TestClient, services: list[Service]
) -> None:
    html = client.get("/manager/services?lang=en").text
    counter, online = services
    listed = rows(html)
    assert any(counter.name in row and "3 of 3" in row and row.endswith(" 0") for row in listed)
    assert any(online.name in row and "2 of 2" in row and row.endswith(" 3") for row in listed)


def test_the_online_hall_meets_its_year_and_misses_the_week_of_its_outage(
    client: TestClient, services: list[Service]
) -> None:
    """The week of the demo's long outage is missed with its penalty named, while the
    year (so far) is met: the page shows what the yearly figure hides."""
    online = services[1]
    html = client.get(f"/manager/services/{online.id}?lang=en").text
    assert "Agreement in force: version 1" in html
    missed = html.split("Windows missed and penalties")[1].split("Window by window")[0]
    weekly = [row for row in rows(missed) if "-W" in row]
    assert len(weekly) == 1 and "5 % of the month" in weekly[0]
    year_table = html.split(": Year</caption>")[1].split("</table>")[0]
    assert all("Met" in row for row in rows(year_table) if "%" in row)


def test_recording_an_outage_counts_it_in_its_week(
    client: TestClient, session: Session, services: list[Service], clock: FixedClock
) -> None:
    """A four-hour outage yesterday: the current week's availability drops below 100 %
    and the outage is listed."""
    counter = services[0]
    page = client.get(f"/manager/services/{counter.id}?lang=en").text
    yesterday = (local_day(clock()) - timedelta(days=1)).isoformat()
    response = client.post(
        f"/manager/services/{counter.id}/outages",
        data={
            "csrf_token": csrf_of(page),
            "starts_on": yesterday,
            "starts_time": "09:00",
            "ends_on": yesterday,
            "ends_time": "13:00",
            "note": "Ticket printer jammed",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    html = client.get(response.headers["location"]).text
    assert "The outage is recorded" in html
    assert "Ticket printer jammed" in html
    session.rollback()
    outage = session.exec(
        select(ServiceOutage).where(ServiceOutage.note == "Ticket printer jammed")
    ).one()
    assert outage.ends_at - outage.starts_at == timedelta(hours=4)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ends_time": "08:00"}, "The outage must end after it starts."),
        ({"starts_time": "9h"}, "Please give a date and a time like 14:30."),
        ({"ends_on": "2099-01-01"}, "Record the outage once it has ended."),
    ],
)
def test_a_bad_outage_comes_back_with_the_message_and_what_was_typed(
    client: TestClient,
    session: Session,
    services: list[Service],
    clock: FixedClock,
    fields: dict[str, str],
    message: str,
) -> None:
    counter = services[0]
    page = client.get(f"/manager/services/{counter.id}?lang=en").text
    day = (local_day(clock()) - timedelta(days=1)).isoformat()
    data = {
        "csrf_token": csrf_of(page),
        "starts_on": day,
        "starts_time": "09:00",
        "ends_on": day,
        "ends_time": "13:00",
        "note": "Kept note",
    } | fields
    before = len(session.exec(select(ServiceOutage)).all())
    response = client.post(f"/manager/services/{counter.id}/outages", data=data)
    assert response.status_code == 422
    assert message in response.text
    assert 'value="Kept note"' in response.text
    session.rollback()
    assert len(session.exec(select(ServiceOutage)).all()) == before


def test_another_organisations_service_is_404_and_other_roles_are_refused(
    client: TestClient, session: Session, services: list[Service], clock: FixedClock
) -> None:
    session.rollback()
    other = make_place(session, now=clock(), slug="org-b")
    assert other.organisation.id is not None
    add_user(session, clock, "zhao", Role.manager, [other.organisation.id])
    add_user(session, clock, "sup", Role.supervisor, [services[0].organisation_id])
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/manager/services").text)})
    assert log_in(client, "zhao") == 303
    assert client.get(f"/manager/services/{services[0].id}").status_code == 404
    page = client.get("/manager/services?lang=en").text
    assert services[0].name not in page and "No services are declared yet." in page
    response = client.post(
        f"/manager/services/{services[0].id}/outages",
        data={"csrf_token": csrf_of(page), "starts_on": "2026-01-01", "ends_on": "2026-01-02"},
    )
    assert response.status_code == 404
    client.cookies.clear()
    assert client.get("/manager/services", follow_redirects=False).status_code in (303, 401)
    assert log_in(client, "sup") == 303
    assert client.get("/manager/services").status_code == 403
