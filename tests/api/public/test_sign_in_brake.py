"""The sign-in brake (issue 17, defect 5): an outside test made 49 wrong guesses in 7 s
with no delay and no lock. Failures now slow the next attempt down (per account and per
network), a locked account stays locked until an administrator lifts it, and waiting
cannot be skipped with the right password. Time moves by the suite's clock only."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from survey.login_guard import (
    FREE_ACCOUNT_FAILURES,
    FREE_NETWORK_FAILURES,
    LOCK_AFTER,
    brake_for,
    record_failure,
)
from survey.models import AccountChange, LoginFailure, Role
from tests.factories import FixedClock, make_place
from tests.web import add_user, csrf_of, log_in

PASSWORD = "s3cret-pass-2026"


def _try(client: TestClient, username: str, password: str) -> int:
    return log_in(client, username, password)


def test_failures_make_the_next_attempt_wait_even_with_the_right_password(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """Five wrong passwords are free; the sixth makes the next attempt wait 1 s (429 with
    Retry-After, the right password refused unseen), the seventh 2 s; after the wait the
    right password signs in and the count starts again."""
    place = make_place(session, now=clock())
    add_user(session, clock, "wang", Role.manager, [place.organisation.id or 0])
    for _ in range(FREE_ACCOUNT_FAILURES + 1):
        assert _try(client, "wang", "wrong-guess") == 401
    csrf = csrf_of(client.get("/login").text)
    refused = client.post(
        "/login",
        data={"username": "wang", "password": PASSWORD, "csrf_token": csrf},
        headers={"accept-language": "en"},
    )
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert "Please wait 1 seconds" in refused.text
    clock.advance(seconds=1)
    assert _try(client, "wang", "wrong-again") == 401
    assert _try(client, "wang", PASSWORD) == 429  # now 2 s
    clock.advance(seconds=2)
    assert _try(client, "wang", PASSWORD) == 303
    client.cookies.clear()
    assert _try(client, "wang", "one-more-wrong") == 401  # counted from zero again


def test_an_account_guessed_at_is_locked_until_an_administrator_unlocks_it(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    """Twenty failures in a day lock the account: the right password then gets 423 and a
    message saying who can help; the admin's accounts page shows the lock, its Unlock
    lifts it (recorded, with the lock), and the password works again."""
    place = make_place(session, now=clock())
    org = place.organisation.id or 0
    manager_id = add_user(session, clock, "wang", Role.manager, [org])
    add_user(session, clock, "root", Role.admin, [org])
    for _ in range(LOCK_AFTER):
        assert _try(client, "wang", "wrong-guess") == 401
        clock.advance(minutes=15)  # past every wait
    locked = client.post(
        "/login",
        data={
            "username": "wang",
            "password": PASSWORD,
            "csrf_token": csrf_of(client.get("/login").text),
        },
        headers={"accept-language": "en"},
    )
    assert locked.status_code == 423 and "administrator" in locked.text
    assert _try(client, "root", PASSWORD) == 303
    page = client.get("/admin/accounts", params={"lang": "en"}).text
    assert "locked after failed sign-ins" in page
    unlocked = client.post(
        f"/admin/accounts/{manager_id}/unlock",
        data={"csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    assert unlocked.status_code == 303
    client.cookies.clear()
    assert _try(client, "wang", PASSWORD) == 303
    session.rollback()
    what = session.exec(
        select(AccountChange.what)
        .where(AccountChange.user_id == manager_id)
        .order_by(col(AccountChange.id))
    ).all()
    assert what == ["locked", "unlocked"]


def test_one_network_guessing_many_accounts_is_slowed_down(
    session: Session, clock: FixedClock
) -> None:
    """Guesses spread over many usernames from one network: the first twenty in a quarter
    of an hour are free (a hall's staff share one address), then that network waits,
    while another network is not held back."""
    now = clock()
    for i in range(FREE_NETWORK_FAILURES):
        assert brake_for(session, username=f"user{i}", network_hash="net-a", now=now).free
        record_failure(session, username=f"user{i}", network_hash="net-a", now=now)
    record_failure(session, username="one-more", network_hash="net-a", now=now)
    held = brake_for(session, username="someone-new", network_hash="net-a", now=now)
    assert not held.free and held.wait == timedelta(seconds=1)
    assert brake_for(session, username="someone-new", network_hash="net-b", now=now).free
    later = now + timedelta(minutes=16)  # the network's window has passed
    assert brake_for(session, username="someone-new", network_hash="net-a", now=later).free
    next_day = now + timedelta(hours=25)
    record_failure(session, username="tomorrow", network_hash="net-c", now=next_day)
    kept = session.exec(select(LoginFailure.username)).all()
    assert kept == ["tomorrow"]  # a day's failures are all that is kept
