"""Numbers typed or forged as characters Python calls digits but cannot read as integers
("²" is a digit to ``str.isdigit`` and not to ``int``) or as thousands of digits: a clear
4xx on every form and filter that reads a number, never a 500."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from survey.supervision.checklists import ensure_default_checklist
from survey.supervision.supervisors import create_supervisor
from tests.factories import FixedClock, Place, local_day
from tests.web import csrf_of, log_in, place_with_manager

ODD = ["²", "٣" * 20, "9" * 5000]


@pytest.fixture
def place(client: TestClient, session: Session, clock: FixedClock) -> Place:
    place = place_with_manager(session, clock)
    ensure_default_checklist(session, now=clock())
    create_supervisor(
        session,
        username="li",
        password="s3cret-pass-2026",
        organisation_ids=[place.organisation.id or 0],
        number="JD-1",
        valid_from=local_day(clock()) - timedelta(days=30),
        valid_until=local_day(clock()) + timedelta(days=365),
        now=clock(),
    )
    session.commit()
    return place


@pytest.mark.parametrize("odd", ODD)
def test_managers_filters_and_forms(client: TestClient, place: Place, odd: str) -> None:
    assert log_in(client, "wang") == 303
    campaign = place.campaign.id
    assert client.get(f"/manager/campaigns/{campaign}?site={odd}").status_code == 422
    assert client.get(f"/manager/checklist?organisation={odd}").status_code == 404
    assert client.get(f"/manager/case-settings?organisation={odd}").status_code == 422
    csrf = csrf_of(client.get("/manager/case-settings").text)
    fields = ("simple_hours", "general_days", "complex_days", "retention_days")
    posted = client.post(
        "/manager/case-settings",
        data={name: odd for name in fields} | {"working_hours": "09:00-17:00", "csrf_token": csrf},
    )
    assert posted.status_code == 422


@pytest.mark.parametrize("odd", ODD)
def test_supervisors_forms(client: TestClient, place: Place, odd: str) -> None:
    assert log_in(client, "li") == 303
    assert client.get(f"/supervisor/inspections/new?organisation={odd}").status_code == 404
    form = client.get("/supervisor/inspections/new").text
    posted = client.post(
        "/supervisor/inspections/new",
        data={
            "csrf_token": csrf_of(form),
            "checklist_id": odd,
            "site": odd,
            "kind": "secret_check",
        },
    )
    assert 400 <= posted.status_code < 500


@pytest.mark.parametrize("odd", ODD)
def test_a_customers_rotating_code(client: TestClient, place: Place, odd: str) -> None:
    assert client.get(f"/s/{place.link.token}?w={odd}&sig=x").status_code == 200
