"""Accounts an administrator manages: an invitation by a one-time link that sets the first
password (no password is ever sent or shown), a link that sets a new one, deactivation that
signs out at once; every change recorded with who and when."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from survey.invitations import LINK_LIFETIME
from survey.models import AccountChange, AccountLink, Role, User, UserOrganisation
from tests.factories import FixedClock, Place, make_place
from tests.web import add_user, csrf_of, log_in

NEW_PASSWORD = "a-long-new-password"


@pytest.fixture
def place(session: Session, clock: FixedClock) -> Place:
    place = make_place(session, now=clock())
    assert place.organisation.id is not None
    add_user(session, clock, "ada", Role.admin, [place.organisation.id])
    add_user(session, clock, "wang", Role.manager, [place.organisation.id])
    return place


def invite(client: TestClient, place: Place, **fields: str) -> object:
    page = client.get("/admin/accounts")
    data = {
        "csrf_token": csrf_of(page.text),
        "organisation": str(place.organisation.id),
        "username": "li",
        "display_name": "李明",
        "role": "manager",
        f"org-{place.organisation.id}": "1",
        **fields,
    }
    return client.post("/admin/accounts?lang=en", data=data, follow_redirects=False)


def one_time_path(page: str) -> str:
    match = re.search(r'id="one-time-link">https?://[^/]+(/welcome/[A-Za-z0-9_-]+)<', page)
    assert match, "no one-time link on the page"
    return match.group(1)


def set_password(
    client: TestClient, path: str, password: str, repeated: str | None = None
) -> object:
    token = csrf_of(client.get(path).text)
    return client.post(
        path,
        data={"csrf_token": token, "password": password, "repeated": repeated or password},
        follow_redirects=False,
    )


def test_an_invited_manager_sets_their_password_once_and_signs_in(
    client: TestClient, place: Place, session: Session
) -> None:
    log_in(client, "ada")
    response = invite(client, place)
    assert response.status_code == 201
    path = one_time_path(response.text)
    session.rollback()
    user = session.exec(select(User).where(User.username == "li")).one()
    assert not user.active and user.role == Role.manager
    assert f'href="/admin/accounts/{user.id}/halls"' in response.text  # limit before first use
    assert log_in(client, "li", "anything") == 401  # no password works before the link

    client.cookies.clear()
    assert set_password(client, path, NEW_PASSWORD).status_code == 303
    assert log_in(client, "li", NEW_PASSWORD) == 303
    assert client.get("/manager").status_code == 200
    client.cookies.clear()
    assert client.get(path).status_code == 410  # used up
    session.rollback()
    stored = session.exec(select(AccountLink)).all()
    assert all(path.rsplit("/", 1)[1] not in link.token_hash for link in stored)
    what = session.exec(
        select(AccountChange.what)
        .where(AccountChange.user_id == user.id)
        .order_by(col(AccountChange.id))
    ).all()
    assert what == ["invited", "password set"]


def test_a_short_weak_or_mistyped_password_keeps_the_link(client: TestClient, place: Place) -> None:
    """The link's password passes the same policy as every other way in: 12 characters
    at least, and not a common password or the account's own name."""
    log_in(client, "ada")
    path = one_time_path(invite(client, place).text)
    client.cookies.clear()
    short = set_password(client, f"{path}?lang=en", "short")
    assert short.status_code == 422 and "at least 12 characters" in short.text
    for weak in ("password1234", "li-li-li-li-li"):
        refused = set_password(client, f"{path}?lang=en", weak)
        assert refused.status_code == 422 and "too easy to guess" in refused.text, weak
    differ = set_password(client, f"{path}?lang=en", NEW_PASSWORD, "another-password")
    assert differ.status_code == 422 and "The two passwords differ." in differ.text
    assert set_password(client, path, NEW_PASSWORD).status_code == 303


def test_a_link_expires_after_seven_days(
    client: TestClient, place: Place, clock: FixedClock
) -> None:
    log_in(client, "ada")
    path = one_time_path(invite(client, place).text)
    client.cookies.clear()
    clock.now += LINK_LIFETIME + timedelta(minutes=1)
    page = client.get(f"{path}?lang=en")
    assert page.status_code == 410 and "Ask your administrator for a new one." in page.text


def test_a_password_link_replaces_older_ones_and_deactivation_signs_out(
    client: TestClient, place: Place, session: Session
) -> None:
    wang = session.exec(select(User).where(User.username == "wang")).one()
    manager = TestClient(client.app, headers={"accept": "text/html"})
    assert log_in(manager, "wang") == 303
    log_in(client, "ada")
    token = csrf_of(client.get("/admin/accounts").text)
    first = client.post(f"/admin/accounts/{wang.id}/password-link", data={"csrf_token": token})
    second = client.post(f"/admin/accounts/{wang.id}/password-link", data={"csrf_token": token})
    old_path, new_path = one_time_path(first.text), one_time_path(second.text)
    assert client.get(old_path).status_code == 410
    assert client.get(new_path).status_code == 200

    assert manager.get("/manager").status_code == 200
    response = client.post(
        f"/admin/accounts/{wang.id}/deactivate", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert manager.get("/manager", follow_redirects=False).status_code in (303, 401)
    assert log_in(manager, "wang") == 401
    page = client.get("/admin/accounts?lang=en").text
    assert "deactivated" in page and "password link made" in page


def test_invitations_are_limited_to_the_administrators_organisations(
    client: TestClient, place: Place, session: Session, clock: FixedClock
) -> None:
    other = make_place(session, now=clock(), slug="other")
    log_in(client, "ada")
    response = invite(
        client, place, **{f"org-{place.organisation.id}": "", f"org-{other.organisation.id}": "1"}
    )
    assert response.status_code == 422
    assert "Choose at least one of your organisations." in response.text
    assert 'value="li"' in response.text
    taken = invite(client, place, username="wang")
    assert taken.status_code == 422 and "This username is taken." in taken.text
    session.rollback()
    assert session.exec(select(User).where(User.username == "li")).first() is None

    add_user(session, clock, "olga", Role.manager, [other.organisation.id or 0])
    olga = session.exec(select(User).where(User.username == "olga")).one()
    token = csrf_of(client.get("/admin/accounts").text)
    for action in ("password-link", "deactivate"):
        answer = client.post(f"/admin/accounts/{olga.id}/{action}", data={"csrf_token": token})
        assert answer.status_code == 404
    assert "olga" not in client.get("/admin/accounts").text
    session.rollback()
    assert session.exec(select(User).where(User.username == "olga")).one().active


def test_only_administrators_manage_accounts(
    client: TestClient, place: Place, session: Session
) -> None:
    log_in(client, "wang")
    assert client.get("/admin/accounts").status_code == 403
    ada = session.exec(select(User).where(User.username == "ada")).one()
    token = csrf_of(client.get("/admin").text)
    response = client.post(f"/admin/accounts/{ada.id}/deactivate", data={"csrf_token": token})
    assert response.status_code == 403
    memberships = session.exec(
        select(UserOrganisation).where(UserOrganisation.user_id == ada.id)
    ).all()
    assert memberships


def test_an_administrator_cannot_deactivate_themself(
    client: TestClient, place: Place, session: Session
) -> None:
    ada = session.exec(select(User).where(User.username == "ada")).one()
    log_in(client, "ada")
    token = csrf_of(client.get("/admin/accounts").text)
    response = client.post(f"/admin/accounts/{ada.id}/deactivate", data={"csrf_token": token})
    assert response.status_code == 422
    session.rollback()
    assert session.exec(select(User).where(User.username == "ada")).one().active


def test_a_supervisor_is_invited_with_their_credential(
    client: TestClient, place: Place, session: Session
) -> None:
    log_in(client, "ada")
    no_days = invite(client, place, username="zhao", role="supervisor", number="JD-2026-0042")
    assert no_days.status_code == 422 and "Give a day as YYYY-MM-DD." in no_days.text
    no_number = invite(
        client,
        place,
        username="zhao",
        role="supervisor",
        number="",
        valid_from="2026-01-01",
        valid_until="2027-12-31",
    )
    assert no_number.status_code == 422
    assert "A credential number has 1 to 40 characters." in no_number.text
    response = invite(
        client,
        place,
        username="zhao",
        role="supervisor",
        number="JD-2026-0042",
        valid_from="2026-01-01",
        valid_until="2027-12-31",
    )
    assert response.status_code == 201
    path = one_time_path(response.text)
    client.cookies.clear()
    assert set_password(client, path, NEW_PASSWORD).status_code == 303
    assert log_in(client, "zhao", NEW_PASSWORD) == 303
    home = client.get("/supervisor?lang=en")
    assert home.status_code == 200 and "JD-2026-0042" in home.text
