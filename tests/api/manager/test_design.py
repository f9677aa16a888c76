"""The design stage on a service's page: needs with their current gap, promises weighed."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from survey.models import Service, ServicePromise
from tests.factories import FixedClock
from tests.web import csrf_of, demo_with_manager, log_in


@pytest.fixture
def counter(client: TestClient, session: Session, clock: FixedClock) -> Service:
    demo_with_manager(session, clock)
    assert log_in(client, "wang") == 303
    return session.exec(select(Service).where(col(Service.name).contains("Counter"))).one()


def design_rows(html: str, caption: str) -> list[str]:
    table = html.split(f"<caption>{caption}</caption>")[1].split("</table>")[0]
    return [
        re.sub(r"<[^>]+>|\s+", " ", row).strip()
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ][1:]


def test_the_demo_shows_needs_with_their_gap_and_one_promise_not_supported(
    client: TestClient, counter: Service
) -> None:
    html = client.get(f"/manager/services/{counter.id}?lang=en").text
    needs = design_rows(html, "Customers' needs")
    assert len(needs) == 2 and all(re.search(r"-?\d+\.\d\d\s+\(n = \d+\)", row) for row in needs)
    promises = design_rows(html, "Candidate promises")
    assert "Supported" in promises[0] and "Not supported" not in promises[0]
    assert "Not supported" in promises[1]
    assert "the benefit does not cover the cost" in promises[1]
    assert "16 (high)" in promises[1]


def test_a_promise_is_added_and_weighed_and_a_bad_one_comes_back(
    client: TestClient, session: Session, counter: Service
) -> None:
    page = client.get(f"/manager/services/{counter.id}?lang=en").text
    data = {
        "csrf_token": csrf_of(page),
        "text": "Reading glasses at every counter",
        "yearly_cost": "2000",
        "yearly_benefit": "5000",
        "cost_note": "",
        "delivery_likelihood": "1",
        "delivery_impact": "2",
        "compensation_likelihood": "1",
        "compensation_impact": "1",
    }
    response = client.post(
        f"/manager/services/{counter.id}/promises", data=data, follow_redirects=False
    )
    assert response.status_code == 303
    html = client.get(f"/manager/services/{counter.id}?lang=en").text
    assert "Reading glasses at every counter" in design_rows(html, "Candidate promises")[-1]
    session.rollback()
    before = len(session.exec(select(ServicePromise)).all())
    bad = data | {"yearly_cost": "a lot", "delivery_impact": "9", "text": "Kept promise"}
    response = client.post(f"/manager/services/{counter.id}/promises", data=bad)
    assert response.status_code == 422
    assert "Give an amount of 0 or more." in response.text
    assert 'value="Kept promise"' in response.text
    response = client.post(
        f"/manager/services/{counter.id}/promises", data=data | {"delivery_impact": "9"}
    )
    assert (
        response.status_code == 422
        and "Likelihood and impact are each from 1 to 5." in response.text
    )
    response = client.post(
        f"/manager/services/{counter.id}/needs",
        data={"csrf_token": csrf_of(page), "dimension": "speed", "text": "Fast"},
    )
    assert response.status_code == 422 and "Choose one of the questionnaire" in response.text
    session.rollback()
    assert len(session.exec(select(ServicePromise)).all()) == before
