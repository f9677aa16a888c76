"""Declaring a service and writing, signing and revising its agreement through the pages,
as an organisation without the demo would."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from survey.models import Agreement, AgreementMetric, Role, Service
from tests.factories import FixedClock, Place, local_day, make_place
from tests.web import add_user, csrf_of, log_in


@pytest.fixture
def place(client: TestClient, session: Session, clock: FixedClock) -> Place:
    place = make_place(session, now=clock())
    assert place.organisation.id is not None
    add_user(session, clock, "wang", Role.manager, [place.organisation.id])
    assert log_in(client, "wang") == 303
    return place


def declare(client: TestClient, place: Place) -> int:
    page = client.get("/manager/services?lang=en").text
    response = client.post(
        "/manager/services",
        data={
            "csrf_token": csrf_of(page),
            "name": "Online hall",
            "kind": "availability",
            "customer_side": "public",
            "customer_name": "Online customers",
            "site": str(place.site.id),
            "campaign": str(place.campaign.id),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    match = re.fullmatch(r"/manager/services/(\d+)", response.headers["location"])
    assert match
    return int(match.group(1))


def agreement_form(
    client: TestClient, service_id: int, clock: FixedClock, **rows: str
) -> dict[str, str]:
    page = client.get(f"/manager/services/{service_id}/agreements/new?lang=en").text
    year = local_day(clock()).year
    return {
        "csrf_token": csrf_of(page),
        "provider_party": "Demo Telecom",
        "customer_party": "Consumer Council",
        "valid_from": f"{year}-01-01",
        "valid_to": f"{year}-12-31",
        "metrics-0-code": "availability",
        "metrics-0-name": "Availability",
        "metrics-0-kind": "time",
        "metrics-0-source": "availability",
        "metrics-0-comparison": "at_least",
        "metrics-0-target": "98",
        "metrics-0-unit": "%",
        "metrics-0-window-week": "1",
        "metrics-0-window-year": "1",
        "metrics-0-penalty": "5 % of the fee",
        "exemptions-0-starts": f"{year}-05-01T06:00",
        "exemptions-0-ends": f"{year}-05-01T20:00",
        "exemptions-0-reason": "Typhoon",
        "negotiation": "Both quality teams within 10 working days",
    } | rows


def sign(client: TestClient, service_id: int, agreement_id: int, party: str, name: str) -> int:
    page = client.get("/manager/services").text
    return client.post(
        f"/manager/services/{service_id}/agreements/{agreement_id}/sign",
        data={"csrf_token": csrf_of(page), "party": party, "signed_by": name},
        follow_redirects=False,
    ).status_code


def test_declare_write_sign_and_the_targets_are_measured(
    client: TestClient, session: Session, place: Place, clock: FixedClock
) -> None:
    service_id = declare(client, place)
    html = client.get(f"/manager/services/{service_id}?lang=en").text
    assert "No agreement signed by both parties is in force today." in html
    response = client.post(
        f"/manager/services/{service_id}/agreements/new",
        data=agreement_form(client, service_id, clock),
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "Version 1 is written" in client.get(response.headers["location"]).text
    session.rollback()
    agreement = session.exec(select(Agreement).where(Agreement.service_id == service_id)).one()
    assert agreement.id is not None
    assert sign(client, service_id, agreement.id, "provider", "Wang") == 303
    html = client.get(f"/manager/services/{service_id}?lang=en").text
    assert "No agreement signed by both parties is in force today." in html
    assert sign(client, service_id, agreement.id, "customer", "Chen") == 303
    html = client.get(f"/manager/services/{service_id}?lang=en").text
    assert "Agreement in force: version 1" in html
    assert "at least 98.00 %" in html
    assert "Typhoon" in html
    assert sign(client, service_id, agreement.id, "customer", "Chen") == 409


def test_a_bad_agreement_comes_back_with_every_message_and_what_was_typed(
    client: TestClient, session: Session, place: Place, clock: FixedClock
) -> None:
    service_id = declare(client, place)
    data = agreement_form(
        client,
        service_id,
        clock,
        **{
            "metrics-0-target": "ninety-eight",
            "metrics-1-code": "Index!",
            "metrics-1-name": "Satisfaction index",
            "metrics-1-source": "survey_index",
            "metrics-1-comparison": "at_least",
            "metrics-1-target": "80",
            "metrics-1-window-week": "1",
            "exemptions-0-ends": "soon",
            "valid_to": "2000-01-01",
        },
    )
    response = client.post(f"/manager/services/{service_id}/agreements/new", data=data)
    assert response.status_code == 422
    for message in (
        "The target is a number.",
        "Give a date and a time.",
    ):
        assert message in response.text
    assert 'value="ninety-eight"' in response.text and 'value="Index!"' in response.text
    session.rollback()
    assert session.exec(select(Agreement).where(Agreement.service_id == service_id)).first() is None
    data["metrics-0-target"] = "98"
    data["exemptions-0-ends"] = data["exemptions-0-starts"].replace("06:00", "20:00")
    response = client.post(f"/manager/services/{service_id}/agreements/new", data=data)
    assert response.status_code == 422
    for message in (
        "The agreement must end after it starts.",
        "A metric&#39;s code is 1 to 40 lower-case letters, digits or underscores.",
        "A survey index is measured per month, quarter or year, not per week.",
    ):
        assert message in response.text


def test_the_next_version_starts_from_the_last_and_shows_what_changed(
    client: TestClient, session: Session, place: Place, clock: FixedClock
) -> None:
    service_id = declare(client, place)
    client.post(
        f"/manager/services/{service_id}/agreements/new",
        data=agreement_form(client, service_id, clock),
    )
    form = client.get(f"/manager/services/{service_id}/agreements/new?lang=en").text
    assert 'value="availability"' in form and 'value="Typhoon"' in form
    client.post(
        f"/manager/services/{service_id}/agreements/new",
        data=agreement_form(client, service_id, clock, **{"metrics-0-target": "99.5"}),
    )
    session.rollback()
    versions = session.exec(
        select(Agreement).where(Agreement.service_id == service_id).order_by(Agreement.version)
    ).all()
    assert [v.version for v in versions] == [1, 2]
    targets = session.exec(
        select(AgreementMetric.target).where(AgreementMetric.agreement_id == versions[1].id)
    ).all()
    assert targets == [99.5]
    assert "target 98.0 → 99.5" in client.get(f"/manager/services/{service_id}").text


def test_bad_services_and_signatures_are_refused_and_strangers_see_nothing(
    client: TestClient, session: Session, place: Place, clock: FixedClock
) -> None:
    page = client.get("/manager/services?lang=en").text
    response = client.post(
        "/manager/services",
        data={"csrf_token": csrf_of(page), "name": " ", "kind": "spaceship", "customer_side": "x"},
    )
    assert response.status_code == 422
    assert "Choose what kind of service it is." in response.text
    other = make_place(session, now=clock(), slug="org-b")
    response = client.post(
        "/manager/services",
        data={
            "csrf_token": csrf_of(page),
            "name": "Borrowed hall",
            "kind": "counter",
            "customer_side": "public",
            "site": str(other.site.id),
        },
    )
    assert response.status_code == 404
    service_id = declare(client, place)
    client.post(
        f"/manager/services/{service_id}/agreements/new",
        data=agreement_form(client, service_id, clock),
    )
    session.rollback()
    agreement = session.exec(select(Agreement).where(Agreement.service_id == service_id)).one()
    assert agreement.id is not None
    assert sign(client, service_id, agreement.id, "provider", "  ") == 422
    assert other.organisation.id is not None
    add_user(session, clock, "zhao", Role.manager, [other.organisation.id])
    client.cookies.clear()
    assert log_in(client, "zhao") == 303
    assert client.get(f"/manager/services/{service_id}/agreements/new").status_code == 404
    assert sign(client, service_id, agreement.id, "provider", "Zhao") == 404
    session.rollback()
    assert session.get(Service, service_id) is not None
    assert session.get(Agreement, agreement.id).provider_signed_at is None  # type: ignore[union-attr]
