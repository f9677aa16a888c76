"""The sign-in brake: failed sign-ins slow down, per account and per network, and an
account that keeps being guessed at is locked until an administrator lifts the lock.

Counted per account (the username typed, known or not): the first
:data:`FREE_ACCOUNT_FAILURES` failures in a day cost nothing, then each further attempt
waits twice as long as the one before (1 s, 2 s, 4 s … up to :data:`MAX_WAIT`) after the
last failure; after :data:`LOCK_AFTER` failures in a day a known account is locked.
Counted per network (a salted hash of the address's /24 or /64, as the survey's spam
brake): :data:`FREE_NETWORK_FAILURES` failures in :data:`NETWORK_WINDOW` are free, a hall's
staff behind one address included, then the same doubling. A successful sign-in clears
the account's count. An attempt made while waiting is refused without looking at the
password, so waiting cannot be skipped by guessing faster.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, delete, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from survey.models import LoginFailure, User

FREE_ACCOUNT_FAILURES = 5
FREE_NETWORK_FAILURES = 20
LOCK_AFTER = 20
ACCOUNT_WINDOW = timedelta(hours=24)
NETWORK_WINDOW = timedelta(minutes=15)
MAX_WAIT = timedelta(minutes=15)


@dataclass(frozen=True)
class Brake:
    """Whether a sign-in may be tried now: ``locked`` (an administrator must lift it) or
    ``wait`` before the next attempt (zero: go ahead)."""

    locked: bool
    wait: timedelta

    @property
    def free(self) -> bool:
        return not self.locked and self.wait <= timedelta(0)


def _wait(failures: int, free: int, last: datetime | None, now: datetime) -> timedelta:
    """How long is left to wait after ``failures`` (``free`` of them cost nothing)."""
    if last is None or failures <= free:
        return timedelta(0)
    delay = min(timedelta(seconds=2 ** min(failures - free - 1, 20)), MAX_WAIT)
    return max(last + delay - now, timedelta(0))


def _failures(
    session: Session, condition: ColumnElement[bool], since: datetime
) -> tuple[int, datetime | None]:
    """How many failures match ``condition`` after ``since``, and when the last was."""
    count, last = session.execute(
        sa_select(func.count(), func.max(col(LoginFailure.at))).where(
            condition, col(LoginFailure.at) > since
        )
    ).one()
    if isinstance(last, str):  # aggregates bypass the column type: SQLite gives text
        last = datetime.fromisoformat(last)
    if isinstance(last, datetime) and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    return int(count), last


def brake_for(session: Session, *, username: str, network_hash: str, now: datetime) -> Brake:
    """The brake on a sign-in as ``username`` from the network ``network_hash`` now."""
    user = session.exec(select(User).where(User.username == username)).first()
    if user is not None and user.locked_at is not None:
        return Brake(locked=True, wait=timedelta(0))
    account_count, account_last = _failures(
        session, col(LoginFailure.username) == username, now - ACCOUNT_WINDOW
    )
    network_count, network_last = _failures(
        session, col(LoginFailure.network_hash) == network_hash, now - NETWORK_WINDOW
    )
    wait = max(
        _wait(account_count, FREE_ACCOUNT_FAILURES, account_last, now),
        _wait(network_count, FREE_NETWORK_FAILURES, network_last, now),
    )
    return Brake(locked=False, wait=wait)


def record_failure(
    session: Session, *, username: str, network_hash: str, now: datetime
) -> User | None:
    """Count a failed sign-in; lock the account (if it exists) at :data:`LOCK_AFTER`
    failures in a day. Failures older than a day are forgotten here (nothing counts them
    any more). Returns the account this failure locked, if any. Does not commit."""
    session.execute(delete(LoginFailure).where(col(LoginFailure.at) < now - ACCOUNT_WINDOW))
    session.add(LoginFailure(username=username[:80], network_hash=network_hash, at=now))
    session.flush()
    failures, _ = _failures(session, col(LoginFailure.username) == username, now - ACCOUNT_WINDOW)
    if failures < LOCK_AFTER:
        return None
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or user.locked_at is not None:
        return None
    user.locked_at = now
    session.add(user)
    return user


def clear_failures(session: Session, *, username: str) -> None:
    """Forget an account's failed sign-ins (after a success, or when its lock is lifted).
    Does not commit."""
    session.execute(delete(LoginFailure).where(col(LoginFailure.username) == username))
