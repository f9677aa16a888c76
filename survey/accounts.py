"""Accounts, passwords (argon2id through pwdlib) and login sessions.

A login session is a random token in an HttpOnly cookie; only its SHA-256 is stored, so a
copy of the database does not let anyone sign in. Logging out deletes the row.
"""

import hashlib
import math
import secrets
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import delete
from sqlmodel import Session, select

from survey.db import begin_write
from survey.errors import AccountLocked, AuthenticationFailed, InvalidAnswer, SignInThrottled
from survey.login_guard import brake_for, clear_failures, record_failure
from survey.models import (
    AccountChange,
    Authority,
    AuthorityOrganisation,
    LoginSession,
    Organisation,
    Role,
    User,
    UserOrganisation,
    UserSite,
)
from survey.passwords import password_problem

SESSION_LIFETIME = timedelta(hours=12)
DEMO_PASSWORD = "demo"  # noqa: S105 - the demo's shared password, accepted only in demo mode
_password_hash = PasswordHash((Argon2Hasher(),))
# Verified against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = _password_hash.hash("not a real password")


def use_fast_password_hashing_in_tests() -> None:
    """Hash with argon2id at its lowest cost (1 pass over 8 KiB) from now on, in this process.

    The standard parameters (3 passes over 64 MiB, about 0.1 s a hash) are what protects a
    stolen database; a test suite that creates and logs in hundreds of accounts would spend
    minutes on them. Only a process that runs pytest may switch (RuntimeError otherwise), and
    no setting or environment variable reaches this, so a deployment cannot weaken its
    hashes. Hashes keep their parameters, so either kind verifies under either setting.
    """
    if "pytest" not in sys.modules:
        raise RuntimeError("cheap password hashes are for the test suite only")
    global _password_hash, _DUMMY_HASH
    _password_hash = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1),))
    _DUMMY_HASH = _password_hash.hash("not a real password")


@dataclass(frozen=True)
class Account:
    """A signed-in user with the organisations they may see: a regulator's are those its
    authority (``authority_id``) oversees. ``site_ids`` is ``None`` for an account that
    sees every hall of its organisations, or the halls a hall manager is limited to."""

    id: int
    username: str
    display_name: str
    role: Role
    organisation_ids: frozenset[int]
    authority_id: int | None = None
    site_ids: frozenset[int] | None = None


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _password_hash.hash(password)


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    organisation_ids: Iterable[int],
    display_name: str = "",
    authority_id: int | None = None,
    now: datetime,
    check_password: bool = True,
) -> User:
    """Add an account scoped to organisations, or, for a regulator, to an authority (and
    through it to the operators it oversees). The password must pass
    :func:`survey.passwords.password_problem`, except the demo's (``check_password`` off,
    for the demo seeder alone). Does not commit."""
    username = username.strip()
    if not username or len(username) > 80:
        raise InvalidAnswer({"username": "A username has 1 to 80 characters."})
    if check_password:
        problem = password_problem(password, user_inputs=(username, display_name))
        if problem is not None:
            raise InvalidAnswer({"password": problem})
    if session.exec(select(User).where(User.username == username)).first() is not None:
        raise InvalidAnswer({"username": "This username is taken."})
    org_ids = sorted(set(organisation_ids))
    known = session.exec(select(Organisation.id).where(Organisation.id.in_(org_ids))).all()  # type: ignore[union-attr]
    if len(known) != len(org_ids):
        raise InvalidAnswer({"organisations": "Unknown organisation."})
    if (role == Role.regulator) != (authority_id is not None):
        raise InvalidAnswer({"authority": "A regulator's account, and only one, has an authority."})
    if authority_id is not None and session.get(Authority, authority_id) is None:
        raise InvalidAnswer({"authority": "Unknown authority."})
    if role == Role.regulator and org_ids:
        raise InvalidAnswer({"organisations": "A regulator sees its authority's operators."})
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role,
        created_at=now,
        authority_id=authority_id,
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    for organisation_id in org_ids:
        session.add(UserOrganisation(user_id=user.id, organisation_id=organisation_id))
    session.flush()
    return user


def token_hash(token: str) -> str:
    """What is stored of a secret token (a login cookie, a one-time account link): its
    SHA-256, so a copy of the database opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def log_in(
    session: Session,
    *,
    username: str,
    password: str,
    now: datetime,
    allow_demo_password: bool = False,
    network_hash: str = "",
) -> str:
    """Check the password and open a login session; returns the cookie token. Commits.

    The sign-in brake (:mod:`survey.login_guard`) comes first: a locked account raises
    AccountLocked and an attempt while a wait runs SignInThrottled, before the password
    is looked at. A failure is counted (per account and per ``network_hash``, a salted
    hash of the caller's network). The demo's shared password is refused unless
    ``allow_demo_password`` (demo mode), so a demo database later served for real does
    not keep four well-known logins.
    """
    username = username.strip()[:80]
    begin_write(session)
    brake = brake_for(session, username=username, network_hash=network_hash, now=now)
    if brake.locked:
        session.rollback()
        raise AccountLocked(username)
    if not brake.free:
        session.rollback()
        raise SignInThrottled(username, retry_after=math.ceil(brake.wait.total_seconds()))
    user = session.exec(select(User).where(User.username == username)).first()
    demo_refused = password == DEMO_PASSWORD and not allow_demo_password
    if user is None or not user.active or demo_refused:
        _password_hash.verify(password, _DUMMY_HASH)
        _refuse(session, username, network_hash, now)
    assert user is not None
    valid, new_hash = _password_hash.verify_and_update(password, user.password_hash)
    if not valid:
        _refuse(session, username, network_hash, now)
    if new_hash is not None:
        user.password_hash = new_hash
        session.add(user)
    assert user.id is not None
    clear_failures(session, username=username)
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    session.commit()
    return token


def _refuse(session: Session, username: str, network_hash: str, now: datetime) -> NoReturn:
    """Count the failure, commit it, and refuse the sign-in."""
    locked = record_failure(session, username=username, network_hash=network_hash, now=now)
    if locked is not None and locked.id is not None:
        session.add(
            AccountChange(
                user_id=locked.id,
                changed_by=None,
                at=now,
                what="locked",
            )
        )
    session.commit()
    raise AuthenticationFailed(username)


def log_out(session: Session, *, token: str) -> None:
    """End the login session of this cookie token (if any). Commits."""
    begin_write(session)
    session.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash(token)))  # type: ignore[arg-type]
    session.commit()


def account_for_session(session: Session, *, token: str, now: datetime) -> Account | None:
    """The account behind a cookie token, or ``None`` if unknown, expired or inactive."""
    if not token or len(token) > 100:
        return None
    row = session.exec(
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)  # type: ignore[arg-type]
        .where(LoginSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    login, user = row
    if login.expires_at <= now or not user.active or user.id is None:
        return None
    if user.authority_id is not None:
        org_ids = authority_operator_ids(session, user.authority_id)
    else:
        org_ids = frozenset(
            session.exec(
                select(UserOrganisation.organisation_id).where(UserOrganisation.user_id == user.id)
            ).all()
        )
    site_ids = frozenset(
        session.exec(select(UserSite.site_id).where(UserSite.user_id == user.id)).all()
    )
    return Account(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        organisation_ids=org_ids,
        authority_id=user.authority_id,
        site_ids=site_ids or None,
    )


def authority_operator_ids(session: Session, authority_id: int) -> frozenset[int]:
    """The organisations an authority oversees."""
    return frozenset(
        session.exec(
            select(AuthorityOrganisation.organisation_id).where(
                AuthorityOrganisation.authority_id == authority_id
            )
        ).all()
    )
