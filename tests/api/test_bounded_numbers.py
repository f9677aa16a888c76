"""Every integer in a path or a query string is bounded: 404 or 422, never a 500.

An outside test found 22 routes answering 500 for ids of 2**31 and more on PostgreSQL
("integer out of range") and of 2**63 and more on SQLite (Python's int does not fit a
SQLite INTEGER). The harness below walks the app's route table, so a route added later is
checked without a line of its own.
"""

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.bounded_numbers import integer_parameters
from survey.models import Role
from tests.factories import FixedClock, make_place
from tests.web import add_user, api_routes, log_in

TOO_LARGE = [str(2**31), str(2**63), "-" + str(2**31 + 1), "9" * 40]


@pytest.fixture
def admin(client: TestClient, session: Session, clock: FixedClock) -> None:
    """An administrator (admitted by every manager and admin route) of an organisation
    with a hall, a counter, a clerk and a campaign, signed in."""
    place = make_place(session, now=clock.now, slug="bounds")
    add_user(session, clock, "root", Role.admin, [place.organisation.id or 0])
    log_in(client, "root")


@pytest.mark.usefixtures("admin")
def test_an_id_beyond_the_column_in_any_path_is_404(client: TestClient) -> None:
    """Each route with an integer path parameter, each method, each too-large value: 404
    (a record with that id cannot exist), never 500 and never a handler reached."""
    checked = 0
    for route in api_routes(client):
        path_ints, _ = integer_parameters(route.dependant)
        if not path_ints:
            continue
        for value in TOO_LARGE:
            url = re.sub(
                r"\{(\w+)(:\w+)?\}",
                lambda m: value if m.group(1) in path_ints else "x",  # noqa: B023
                route.path,
            )
            for method in route.methods - {"HEAD"}:
                response = client.request(method, url, follow_redirects=False)
                assert response.status_code == 404, (method, url, response.status_code)
                checked += 1
    assert checked > 100


@pytest.mark.usefixtures("admin")
def test_an_integer_beyond_the_column_in_any_query_is_422(client: TestClient) -> None:
    """Each GET route with an integer query parameter (``?site=``, ``?campaign=``, …):
    422 for a value out of range, while an ordinary value is not refused for its size."""
    checked = 0
    for route in api_routes(client):
        path_ints, query_ints = integer_parameters(route.dependant)
        if not query_ints or path_ints or "GET" not in route.methods or "{" in route.path:
            continue
        for name in query_ints:
            for value in TOO_LARGE:
                response = client.get(route.path, params={name: value}, follow_redirects=False)
                assert response.status_code == 422, (route.path, name, value)
                checked += 1
            small = client.get(route.path, params={name: "1"}, follow_redirects=False)
            assert small.status_code != 422 or "out of range" not in small.text, route.path
    assert checked >= 8


def test_ids_in_range_and_non_numbers_are_left_to_the_route(
    client: TestClient, admin: None
) -> None:
    """The largest stored id is an ordinary 'not found'; a word where a number belongs is
    FastAPI's own 422, as before."""
    assert client.get(f"/manager/cases/{2**31 - 1}").status_code == 404
    assert client.get("/manager/cases/abc").status_code == 422
