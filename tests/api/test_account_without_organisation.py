"""Accounts left without an organisation (never given one, or all taken away) see a page,
a redirect or a 4xx everywhere, never a 500."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from survey.models import Role
from tests.factories import FixedClock, make_place
from tests.web import add_user, api_routes, log_in


@pytest.mark.parametrize("role", [Role.manager, Role.admin, Role.supervisor])
def test_an_account_without_an_organisation_never_gets_a_500(
    client: TestClient, session: Session, clock: FixedClock, role: Role
) -> None:
    """An account whose organisations were all taken away (or never given) opens every
    page without parameters and gets a page, a redirect or a 4xx, never a 500 (the case
    settings page used to take the smallest of no organisations)."""
    make_place(session, now=clock.now, slug="someone-else")
    add_user(session, clock, "orphan", role, [])
    log_in(client, "orphan")
    for route in api_routes(client):
        if "GET" not in route.methods or "{" in route.path:
            continue
        response = client.get(route.path, follow_redirects=False)
        assert response.status_code < 500, (route.path, response.status_code)
