"""Staff pages link to each other (issue 16, part 4: the dashboard and case pages did
not link to each other or to the manager home, and the brand led to the public home)."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from survey.models import Role
from tests.factories import FixedClock, make_place
from tests.web import add_user, log_in


def test_every_manager_page_links_home_dashboard_and_cases(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """The dashboard, the case list and the home page each carry the main links, and the
    brand leads a signed-in manager home; an administrator also gets the set-up; signed
    out, the brand is the public home page."""
    place = make_place(session, now=clock())
    org = place.organisation.id or 0
    add_user(session, clock, "wang", Role.manager, [org])
    add_user(session, clock, "root", Role.admin, [org])
    assert 'class="brand" href="/"' in client.get("/login").text
    log_in(client, "wang")
    for path in ("/manager", f"/manager/campaigns/{place.campaign.id}", "/manager/cases"):
        html = client.get(path).text
        assert 'class="brand" href="/manager"' in html, path
        for target in ("/manager", "/manager/dashboard", "/manager/cases"):
            assert f'<a href="{target}">' in html, (path, target)
        assert '<a href="/admin">' not in html
    log_in(client, "root")
    assert '<a href="/admin">' in client.get("/manager/cases").text
