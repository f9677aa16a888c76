"""Signing in, roles, and the rule that every page shows only the account's organisations."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.app import create_app
from api.settings import Settings
from survey.accounts import DEMO_PASSWORD, create_user
from survey.models import LoginSession, Role, User
from survey.regulation.authorities import create_authority, oversee
from tests.factories import FixedClock, make_place
from tests.web import add_regulator, add_user, csrf_of, log_in, place_with_manager


def test_password_is_stored_as_an_argon2id_hash(session: Session, clock: FixedClock) -> None:
    place_with_manager(session, clock)
    user = session.exec(select(User).where(User.username == "wang")).one()
    assert user.password_hash.startswith("$argon2id$")
    assert "s3cret-pass-2026" not in user.password_hash


def test_manager_logs_in_sees_own_counts_and_logs_out(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place_with_manager(session, clock)
    assert log_in(client, "wang") == 303
    cookie = client.cookies.get("manyi_session")
    assert cookie
    home = client.get("/manager?lang=en")
    assert home.status_code == 200
    assert "Hall org-a" in home.text and "Window A1" in home.text

    logout = client.post("/logout", data={"csrf_token": csrf_of(home.text)}, follow_redirects=False)
    assert logout.status_code == 303
    session.rollback()
    assert session.exec(select(LoginSession)).all() == []
    # The old cookie no longer opens the page.
    client.cookies.set("manyi_session", cookie)
    again = client.get("/manager", follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"].startswith("/login")


def test_wrong_password_is_refused_with_401_and_the_username_kept(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place_with_manager(session, clock)
    csrf = csrf_of(client.get("/login").text)
    response = client.post(
        "/login?lang=en", data={"username": "wang", "password": "nope", "csrf_token": csrf}
    )
    assert response.status_code == 401
    assert "Wrong username or password." in response.text
    assert 'value="wang"' in response.text
    assert client.cookies.get("manyi_session") is None


def test_login_without_csrf_token_is_refused(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": "x", "password": "y"})
    assert response.status_code == 403


def test_pages_need_a_login_html_redirects_and_programs_get_401(client: TestClient) -> None:
    page = client.get("/manager", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/manager"
    api = client.get("/manager", headers={"accept": "application/json"})
    assert api.status_code == 401
    assert api.json()["error"] == "not_authenticated"


def test_manager_of_one_organisation_sees_nothing_of_another(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    mine = make_place(session, now=clock(), slug="org-a")
    theirs = make_place(session, now=clock(), slug="org-b")
    assert mine.organisation.id is not None
    add_user(session, clock, "wang", Role.manager, [mine.organisation.id])
    log_in(client, "wang")
    home = client.get("/manager").text
    assert "Hall org-a" in home
    assert "Hall org-b" not in home and theirs.site.name not in home


def test_regulator_sees_the_operators_of_its_authority_and_no_managers_page(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """A regulator lands on its own page, which lists the operators its authority
    oversees; the managers' pages (clerks, comments) are not for it."""
    a = make_place(session, now=clock(), slug="org-a")
    b = make_place(session, now=clock(), slug="org-b")
    make_place(session, now=clock(), slug="org-c")
    authority = create_authority(session, name="Demo Administration", now=clock())
    assert authority.id is not None
    for place in (a, b):
        assert place.organisation.id is not None
        oversee(
            session,
            authority_id=authority.id,
            organisation_id=place.organisation.id,
            since=clock().date(),
        )
    session.commit()
    add_regulator(session, clock, "miit", authority.id)
    csrf = csrf_of(client.get("/login").text)
    login = client.post(
        "/login",
        data={"username": "miit", "password": "s3cret-pass-2026", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert login.headers["location"] == "/regulator"
    home = client.get("/regulator").text
    assert "Org org-a" in home and "Org org-b" in home
    assert "Org org-c" not in home
    assert client.get("/manager", follow_redirects=False).status_code == 403


def test_supervisor_may_not_open_the_managers_page(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    assert place.organisation.id is not None
    add_user(session, clock, "volunteer", Role.supervisor, [place.organisation.id])
    login = client.post(
        "/login",
        data={
            "username": "volunteer",
            "password": "s3cret-pass-2026",
            "csrf_token": csrf_of(client.get("/login").text),
        },
        follow_redirects=False,
    )
    assert login.headers["location"] == "/supervisor"
    assert client.get("/account").status_code == 200
    forbidden = client.get("/manager", headers={"accept-language": "en"})
    assert forbidden.status_code == 403
    assert "does not have the right role" in forbidden.text


def test_login_follows_only_local_next_paths(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place_with_manager(session, clock)
    csrf = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={
            "username": "wang",
            "password": "s3cret-pass-2026",
            "csrf_token": csrf,
            "next": "//evil.example/steal",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/manager"


def test_session_expires_after_its_lifetime(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    place_with_manager(session, clock)
    log_in(client, "wang")
    assert client.get("/manager").status_code == 200
    clock.advance(hours=13)
    assert client.get("/manager", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("demo_mode", [True, False])
def test_demo_password_works_only_in_demo_mode(
    demo_mode: bool, settings: Settings, engine: object, session: Session, clock: FixedClock
) -> None:
    place = make_place(session, now=clock())
    assert place.organisation.id is not None
    create_user(
        session,
        username="manager",
        password=DEMO_PASSWORD,
        role=Role.manager,
        organisation_ids=[place.organisation.id],
        now=clock(),
        check_password=False,  # as the demo seeder makes it
    )
    session.commit()
    app = create_app(
        settings.model_copy(update={"demo_mode": demo_mode}), engine=engine, clock=clock
    )  # type: ignore[arg-type]
    with TestClient(app, headers={"accept": "text/html"}) as client:
        status = log_in(client, "manager", DEMO_PASSWORD)
    assert status == (303 if demo_mode else 401)
