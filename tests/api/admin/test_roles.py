"""Every ``/admin`` route against every role: nobody signed in is sent to the login page,
supervisors are refused, managers read the set-up pages but change nothing, and only
administrators change anything. The routes are read from the admin package's routers, so
a new route in one of them is in this matrix without being listed here."""

import importlib
import pkgutil
import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session, select

import api.admin
from survey.models import Role, User
from tests.factories import FixedClock, Place, make_place
from tests.web import add_user, csrf_of, log_in

ADMIN_MODULES = [
    module
    for info in pkgutil.iter_modules(api.admin.__path__)
    if hasattr(module := importlib.import_module(f"api.admin.{info.name}"), "router")
]
MANAGER_MAY_READ = {
    "/admin",
    "/admin/sites/{site_id}",
    "/admin/campaigns",
    "/admin/questionnaires",
    "/admin/questionnaires/{instrument_id}/preview",
    "/admin/sites/{site_id}/posters.pdf",
}
"""GET pages a manager may read; every other admin GET is for administrators only."""


@pytest.fixture
def place(session: Session, clock: FixedClock) -> Place:
    place = make_place(session, now=clock())
    org = place.organisation.id or 0
    add_user(session, clock, "ada", Role.admin, [org])
    add_user(session, clock, "wang", Role.manager, [org])
    add_user(session, clock, "sun", Role.supervisor, [org])
    return place


def admin_routes(client: TestClient) -> list[tuple[str, str]]:
    """Every (method, path) the admin package's routers declare."""
    del client
    routes = [
        (method, route.path)
        for module in ADMIN_MODULES
        for route in module.router.routes
        if isinstance(route, APIRoute)
        for method in sorted(route.methods or ())
    ]
    assert len(routes) >= 20
    return routes


@pytest.fixture
def ada(session: Session, place: Place) -> int:
    """The administrator's id (ids are not reused between tests on PostgreSQL)."""
    user = session.exec(select(User).where(User.username == "ada")).one()
    assert user.id is not None
    return user.id


def concrete(path: str, place: Place, user_id: int) -> str:
    ids = {
        "site_id": place.site.id,
        "counter_id": place.counter.id,
        "staff_id": place.staff.id,
        "campaign_id": place.campaign.id,
        "instrument_id": place.campaign.instrument_id,
        "link_id": place.link.id,
        "user_id": user_id,
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)


def test_nobody_signed_in_reaches_an_admin_route(
    client: TestClient, place: Place, ada: int
) -> None:
    for method, path in admin_routes(client):
        response = client.request(method, concrete(path, place, ada), follow_redirects=False)
        assert response.status_code in (303, 401), (method, path, response.status_code)


@pytest.mark.parametrize("username", ["wang", "sun"])
def test_managers_read_and_supervisors_are_refused(
    client: TestClient, place: Place, username: str, ada: int
) -> None:
    assert log_in(client, username) == 303
    token = csrf_of(client.get("/account").text)
    for method, path in admin_routes(client):
        url = concrete(path, place, ada)
        if method == "GET":
            response = client.get(url, follow_redirects=False)
            allowed = username == "wang" and path in MANAGER_MAY_READ
            assert response.status_code == (200 if allowed else 403), (path, response.status_code)
        else:
            response = client.post(url, data={"csrf_token": token}, follow_redirects=False)
            assert response.status_code == 403, (method, path, response.status_code)


def test_an_administrator_reaches_every_page(client: TestClient, place: Place, ada: int) -> None:
    assert log_in(client, "ada") == 303
    for method, path in admin_routes(client):
        if method == "GET":
            response = client.get(concrete(path, place, ada), follow_redirects=False)
            assert response.status_code == 200, (path, response.status_code)
