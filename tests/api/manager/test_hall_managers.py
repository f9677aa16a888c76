"""Managers limited to some halls (issue 13: accounts with "their organisations and sites").

A hall manager sees their halls' figures on the dashboard, in report.json and in the
responses export, and their halls' complaint cases; another hall of the same organisation
is a 404 (no hint that it exists), and every page that covers the whole organisation is a
403 with a message that says why. Routes are closed to hall managers unless they say they
narrow to the account's halls, so a page added later cannot leak another hall.
"""

import csv
import io
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, col, select

from survey.errors import NotFound
from survey.invitations import Manager, limit_to_halls
from survey.models import (
    AccountChange,
    Campaign,
    Case,
    Counter,
    EvidencePhoto,
    Feedback,
    FeedbackKind,
    FeedbackSource,
    Role,
    Site,
    StaffMember,
)
from survey.models import SurveyResponse as Response
from survey.supervision.queries import photo_for_viewer
from tests.factories import FixedClock
from tests.web import add_user, api_routes, csrf_of, demo_with_manager, log_in

JSON = {"accept": "application/json"}
OPEN_TO_HALL_MANAGERS = {"/manager", "/manager/dashboard", "/manager/cases"}


@dataclass(frozen=True)
class Halls:
    campaign: Campaign
    mine: Site
    other: Site
    manager_id: int
    admin_id: int


@pytest.fixture
def halls(session: Session, clock: FixedClock) -> Halls:
    """The demo organisation; ``hall`` is a manager limited (by its admin) to the hall with
    the most complaint cases, ``other`` another hall with cases."""
    campaign = demo_with_manager(session, clock)
    counts = session.exec(
        select(Case.site_id, func.count())
        .where(Case.organisation_id == campaign.organisation_id)
        .where(col(Case.site_id).is_not(None))
        .group_by(col(Case.site_id))
        .order_by(func.count().desc(), col(Case.site_id))
    ).all()
    assert len(counts) >= 2, "the demo files cases at two halls at least"
    mine, other = (session.get(Site, site_id) for site_id, _ in counts[:2])
    assert mine is not None and other is not None
    admin_id = add_user(session, clock, "root", Role.admin, [campaign.organisation_id])
    manager_id = add_user(session, clock, "hall", Role.manager, [campaign.organisation_id])
    by = Manager(user_id=admin_id, organisation_ids=frozenset({campaign.organisation_id}))
    limit_to_halls(session, by=by, user_id=manager_id, site_ids=[mine.id or 0], now=clock())
    return Halls(campaign, mine, other, manager_id, admin_id)


def _responses_at(session: Session, campaign: Campaign, site: Site) -> int:
    return session.exec(
        select(func.count())
        .select_from(Response)
        .where(Response.campaign_id == campaign.id, Response.site_id == site.id)
    ).one()


def test_the_dashboard_and_exports_show_the_hall_and_refuse_another(
    client: TestClient, session: Session, halls: Halls
) -> None:
    """With no place asked for, the dashboard, report.json and responses.csv are the
    manager's hall (its answers, not the organisation's); the other hall, its counters and
    its clerks are 404 on each."""
    log_in(client, "hall")
    base = f"/manager/campaigns/{halls.campaign.id}"
    page = client.get(base, params={"lang": "en"})
    assert page.status_code == 200
    assert halls.mine.name in page.text and halls.other.name not in page.text
    report = client.get(f"{base}/report.json", headers=JSON).json()
    assert report["n_respondents"] == _responses_at(session, halls.campaign, halls.mine) > 0
    rows = list(csv.DictReader(io.StringIO(client.get(f"{base}/responses.csv").text)))
    assert {row["site"] for row in rows} == {str(halls.mine.id)}
    counter = session.exec(select(Counter).where(Counter.site_id == halls.other.id)).first()
    clerk = session.exec(select(StaffMember).where(StaffMember.site_id == halls.other.id)).first()
    assert counter is not None and clerk is not None
    for params in ({"site": halls.other.id}, {"counter": counter.id}, {"staff": clerk.id}):
        for path in ("", "/rankings", "/comments", "/report.json", "/responses.csv"):
            response = client.get(base + path, params=params, headers=JSON)
            assert response.status_code == 404, (path, params)
        export = client.get(f"{base}/rankings/export/ranking-counter.csv", params=params)
        assert export.status_code == 404, params
    home = client.get("/manager", params={"lang": "en"}).text
    assert halls.mine.name in home and halls.other.name not in home
    assert 'href="/manager/services"' not in home


def test_cases_of_another_hall_are_neither_listed_nor_opened_nor_acted_on(
    client: TestClient, session: Session, halls: Halls
) -> None:
    """The case list holds the hall's cases only (open and finished); another hall's case
    is 404 to open and to act on, and is left as it was."""
    log_in(client, "hall")
    cases = session.exec(select(Case).where(Case.organisation_id == halls.campaign.organisation_id))
    by_site: dict[int | None, list[Case]] = {}
    for case in cases:
        by_site.setdefault(case.site_id, []).append(case)
    listed = client.get("/manager/cases").text + client.get("/manager/cases?view=finished").text
    for case in by_site[halls.mine.id]:
        assert f'href="/manager/cases/{case.id}"' in listed
    foreign = by_site[halls.other.id][0]
    assert f'href="/manager/cases/{foreign.id}"' not in listed
    assert client.get(f"/manager/cases/{foreign.id}").status_code == 404
    csrf = csrf_of(client.get(f"/manager/cases/{by_site[halls.mine.id][0].id}").text)
    before = foreign.state
    acted = client.post(
        f"/manager/cases/{foreign.id}/severity",
        data={"csrf_token": csrf, "severity": "complex", "reason": "not mine"},
    )
    assert acted.status_code == 404
    session.rollback()
    stored = session.get(Case, foreign.id)
    assert stored is not None and stored.state == before


def test_every_organisation_wide_page_is_403_with_the_reason(
    client: TestClient, halls: Halls
) -> None:
    """Each page under /manager and /admin without an id in its path, except those that
    narrow to the account's halls, is 403 for the hall manager, saying why where an
    ordinary manager of the same organisation may open it (every /manager page; the
    admin pages managers may read)."""
    routes = [
        route
        for route in api_routes(client)
        if "GET" in route.methods
        and "{" not in route.path
        and route.path.startswith(("/manager", "/admin"))
    ]
    assert len(routes) > 15
    log_in(client, "wang")
    by_role = {
        route.path
        for route in routes
        if client.get(route.path, follow_redirects=False).status_code == 403
    }
    assert by_role <= {r.path for r in routes if r.path.startswith("/admin")}
    log_in(client, "hall")
    for route in routes:
        response = client.get(route.path, params={"lang": "en"}, follow_redirects=False)
        if route.path in OPEN_TO_HALL_MANAGERS:
            assert response.status_code in (200, 303), route.path
        else:
            assert response.status_code == 403, route.path
            if route.path not in by_role:
                assert "limited to some halls" in response.text, route.path


def test_an_admin_limits_and_frees_an_account_on_the_halls_page(
    client: TestClient, session: Session, halls: Halls
) -> None:
    """The admin's halls page ticks the account's hall; saving another set is recorded
    with the halls' codes and takes effect on the manager's next request; an empty set is
    every hall again; an administrator's account and a hall of no organisation of the
    account are refused with the form and a message, and nothing changes."""
    log_in(client, "root")
    url = f"/admin/accounts/{halls.manager_id}/halls"
    form = client.get(url, params={"lang": "en"})
    assert form.status_code == 200
    assert f'name="site-{halls.mine.id}" value="1" checked' in form.text
    csrf = csrf_of(form.text)
    saved = client.post(
        url, data={"csrf_token": csrf, f"site-{halls.other.id}": "1"}, follow_redirects=False
    )
    assert saved.status_code == 303
    session.rollback()
    change = session.exec(
        select(AccountChange)
        .where(AccountChange.user_id == halls.manager_id)
        .order_by(col(AccountChange.id).desc())
    ).first()
    assert change is not None and change.what == "halls" and change.detail == halls.other.code
    assert change.changed_by == halls.admin_id
    table = client.get("/admin/accounts", params={"lang": "en"}).text
    assert halls.other.name in table

    refused = client.post(url, data={"csrf_token": csrf, "site-999999": "1"})
    assert refused.status_code == 422
    assert "Choose halls of the account" in refused.text
    admin_url = f"/admin/accounts/{halls.admin_id}/halls"
    refused = client.post(admin_url, data={"csrf_token": csrf, f"site-{halls.mine.id}": "1"})
    assert refused.status_code == 422 and "Only a manager" in refused.text

    log_in(client, "hall")
    base = f"/manager/campaigns/{halls.campaign.id}"
    assert client.get(base, params={"site": halls.other.id}).status_code == 200
    assert client.get(base, params={"site": halls.mine.id}).status_code == 404

    log_in(client, "root")
    client.post(url, data={"csrf_token": csrf})
    log_in(client, "hall")
    assert client.get(base, params={"site": halls.mine.id}).status_code == 200
    assert client.get("/manager/services").status_code == 200


def test_a_photo_of_another_halls_complaint_is_not_shown_to_the_hall_manager(
    session: Session, clock: FixedClock, halls: Halls
) -> None:
    """The viewer check behind ``/evidence/N``: a complaint photo of the organisation is
    shown to a manager of every hall, and to a hall manager only when the complaint was
    made at one of their halls (NotFound otherwise, as for a photo that does not exist)."""
    feedback = Feedback(
        organisation_id=halls.campaign.organisation_id,
        kind=FeedbackKind.complaint,
        source=FeedbackSource.customer,
        site_id=halls.other.id,
        text="柜台无人",
        received_at=clock(),
    )
    session.add(feedback)
    session.flush()
    photo = EvidencePhoto(
        feedback_id=feedback.id,
        path="p.jpg",
        content_type="image/jpeg",
        width=1,
        height=1,
        size_bytes=1,
        sha256="0" * 64,
        stored_at=clock(),
    )
    session.add(photo)
    session.commit()
    assert photo.id is not None
    organisations = {halls.campaign.organisation_id}
    assert photo_for_viewer(session, photo.id, organisation_ids=organisations) == photo
    mine = {halls.mine.id or 0}
    with pytest.raises(NotFound):
        photo_for_viewer(session, photo.id, organisation_ids=organisations, site_ids=mine)
    feedback.site_id = halls.mine.id
    session.add(feedback)
    session.commit()
    assert photo_for_viewer(session, photo.id, organisation_ids=organisations, site_ids=mine)
