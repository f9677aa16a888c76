"""Helpers for tests that use the app as a browser would: accounts, logging in, reading a
form's hidden fields."""

import re

from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlmodel import Session

from survey.accounts import create_user
from survey.models import Campaign, Role
from tests.factories import FixedClock, Place, make_place
from tests.seeded_demo import seeded_demo


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def add_user(
    session: Session, clock: FixedClock, username: str, role: Role, org_ids: list[int]
) -> int:
    """Create an account (password ``s3cret-pass-2026``), commit, and return its id."""
    user = create_user(
        session,
        username=username,
        password="s3cret-pass-2026",
        role=role,
        organisation_ids=org_ids,
        now=clock(),
    )
    session.commit()
    assert user.id is not None
    return user.id


def add_regulator(session: Session, clock: FixedClock, username: str, authority_id: int) -> None:
    """A regulator's account of the authority (password ``s3cret-pass-2026``)."""
    create_user(
        session,
        username=username,
        password="s3cret-pass-2026",
        role=Role.regulator,
        organisation_ids=[],
        authority_id=authority_id,
        now=clock(),
    )
    session.commit()


def place_with_manager(session: Session, clock: FixedClock) -> Place:
    """A place whose organisation has the manager ``wang`` (password ``s3cret-pass-2026``)."""
    place = make_place(session, now=clock())
    assert place.organisation.id is not None
    add_user(session, clock, "wang", Role.manager, [place.organisation.id])
    return place


def log_in(client: TestClient, username: str, password: str = "s3cret-pass-2026") -> int:
    csrf = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf},
        follow_redirects=False,
    )
    return response.status_code


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


def demo_with_manager(session: Session, clock: FixedClock) -> Campaign:
    """The demo organisation (300 responses, no regulator's evaluation) with the manager
    ``wang``."""
    summary = seeded_demo(session, now=clock(), n_responses=300, salt="salt", evaluation=False)
    add_user(session, clock, "wang", Role.manager, [summary.organisation_id])
    campaign = session.get(Campaign, summary.campaign_id)
    assert campaign is not None
    return campaign


def api_routes(client: TestClient) -> list[APIRoute]:
    """Every API route of the client's app, through the routers it includes."""
    contexts = iter_route_contexts(client.app.routes)  # type: ignore[attr-defined]
    return [c.original_route for c in contexts if isinstance(c.original_route, APIRoute)]
