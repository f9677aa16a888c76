"""Accounts an administrator manages: invited by a one-time link (no password is ever sent
or shown), a new password by another one-time link, deactivated and reactivated; every
change recorded with who made it and when.

A link's token is shown once, to the administrator, who passes it on; only its SHA-256 is
stored. It sets the password once, within :data:`LINK_LIFETIME`, and making a new link for
an account voids the older ones.
"""

import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from survey.accounts import create_user, hash_password, token_hash
from survey.db import begin_write
from survey.errors import N_, AccountLinkNotValid, FieldError, InvalidAnswer, NotFound
from survey.login_guard import clear_failures
from survey.models import (
    AccountChange,
    AccountLink,
    AccountLinkPurpose,
    LoginSession,
    Role,
    Site,
    User,
    UserOrganisation,
    UserSite,
)
from survey.passwords import password_problem

LINK_LIFETIME = timedelta(days=7)
INVITABLE = (Role.manager, Role.admin)
"""Roles :func:`invite` makes; a supervisor is invited with their numbered credential
(``survey.supervision.supervisors.invite_supervisor``), regulators come with their
authority."""


@dataclass(frozen=True)
class Manager:
    """The administrator making a change: who, and which organisations they run."""

    user_id: int
    organisation_ids: frozenset[int]


def _record(
    session: Session, *, user_id: int, by: int | None, now: datetime, what: str, detail: str = ""
) -> None:
    session.add(
        AccountChange(user_id=user_id, changed_by=by, at=now, what=what, detail=detail[:300])
    )


def _new_link(
    session: Session, *, user_id: int, purpose: AccountLinkPurpose, by: int, now: datetime
) -> str:
    for old in session.exec(
        select(AccountLink).where(
            AccountLink.user_id == user_id, col(AccountLink.used_at).is_(None)
        )
    ).all():
        old.used_at = now
        session.add(old)
    token = secrets.token_urlsafe(32)
    session.add(
        AccountLink(
            token_hash=token_hash(token),
            user_id=user_id,
            purpose=purpose,
            created_by=by,
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    return token


def _organisations_of(session: Session, user_id: int) -> frozenset[int]:
    return frozenset(
        session.exec(
            select(UserOrganisation.organisation_id).where(UserOrganisation.user_id == user_id)
        ).all()
    )


def managed_user(session: Session, by: Manager, user_id: int) -> User:
    """An account the administrator may manage: all its organisations are theirs."""
    user = session.get(User, user_id)
    if user is None or not _organisations_of(session, user_id) <= by.organisation_ids:
        raise NotFound(f"user {user_id}")
    return user


def invite(
    session: Session,
    *,
    by: Manager,
    username: str,
    display_name: str,
    role: Role,
    organisation_ids: Iterable[int],
    now: datetime,
) -> tuple[User, str]:
    """A new manager or administrator account that cannot sign in until its holder sets a
    password through the returned one-time token. InvalidAnswer for another role, an
    organisation that is not the administrator's, or a taken username. Commits."""
    if role not in INVITABLE:
        raise InvalidAnswer({"role": FieldError(N_("Invite a manager or an administrator here."))})
    return invite_with(
        session,
        by=by,
        display_name=display_name,
        organisation_ids=organisation_ids,
        now=now,
        detail=role.value,
        make_user=lambda org_ids, password: create_user(
            session,
            username=username,
            password=password,
            role=role,
            organisation_ids=org_ids,
            display_name=display_name.strip(),
            now=now,
        ),
    )


def invite_with(
    session: Session,
    *,
    by: Manager,
    display_name: str,
    organisation_ids: Iterable[int],
    now: datetime,
    detail: str,
    make_user: Callable[[list[int], str], User],
) -> tuple[User, str]:
    """Invite an account that ``make_user(organisation_ids, password)`` adds (a manager, a
    supervisor with their credential): made inactive, with a password nobody is told, and
    a one-time token that sets the real one. Checks the organisations are the
    administrator's; ``make_user`` checks the rest. Commits."""
    org_ids = sorted(set(organisation_ids))
    errors: dict[str, FieldError | str] = {}
    if not org_ids or not set(org_ids) <= by.organisation_ids:
        errors["organisations"] = FieldError(N_("Choose at least one of your organisations."))
    if len(display_name.strip()) > 120:
        errors["display_name"] = FieldError(
            N_("Write at most %(limit)s characters."), {"limit": 120}
        )
    if errors:
        raise InvalidAnswer(errors)
    begin_write(session)
    try:
        user = make_user(org_ids, secrets.token_urlsafe(32))
        user.active = False
        session.add(user)
        assert user.id is not None
        token = _new_link(
            session, user_id=user.id, purpose=AccountLinkPurpose.invite, by=by.user_id, now=now
        )
        _record(session, user_id=user.id, by=by.user_id, now=now, what="invited", detail=detail)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return user, token


def password_link(session: Session, *, by: Manager, user_id: int, now: datetime) -> str:
    """A one-time token that sets a new password for the account (older links stop
    working; the current password works until the new one is set). Commits."""
    user = managed_user(session, by, user_id)
    assert user.id is not None
    begin_write(session)
    token = _new_link(
        session, user_id=user.id, purpose=AccountLinkPurpose.reset, by=by.user_id, now=now
    )
    _record(session, user_id=user.id, by=by.user_id, now=now, what="password link")
    session.commit()
    return token


def link_holder(session: Session, token: str, *, now: datetime) -> User:
    """The account a one-time token opens; AccountLinkNotValid if it is unknown, used or
    expired."""
    link = session.get(AccountLink, token_hash(token)) if 0 < len(token) <= 100 else None
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise AccountLinkNotValid()
    user = session.get(User, link.user_id)
    if user is None:
        raise AccountLinkNotValid()
    return user


def set_password_by_link(
    session: Session, *, token: str, password: str, repeated: str, now: datetime
) -> User:
    """Set the account's password through its one-time token, which is then used up; the
    account becomes active and every other browser signed in to it is signed out.
    InvalidAnswer for a password :func:`survey.passwords.password_problem` refuses, or
    two that differ. Commits."""
    user = link_holder(session, token, now=now)
    errors: dict[str, FieldError | str] = {}
    problem = password_problem(password, user_inputs=(user.username, user.display_name))
    if problem is not None:
        errors["password"] = problem
    elif password != repeated:
        errors["repeated"] = FieldError(N_("The two passwords differ."))
    if errors:
        raise InvalidAnswer(errors)
    assert user.id is not None
    begin_write(session)
    link = session.get(AccountLink, token_hash(token))
    assert link is not None
    link.used_at = now
    user.password_hash = hash_password(password)
    user.active = True
    session.add_all([link, user])
    session.execute(delete(LoginSession).where(col(LoginSession.user_id) == user.id))
    _record(session, user_id=user.id, by=user.id, now=now, what="password set")
    session.commit()
    return user


def set_active(session: Session, *, by: Manager, user_id: int, active: bool, now: datetime) -> User:
    """Deactivate an account (signed out at once; its history stays) or reactivate it. An
    administrator does not deactivate their own account. Commits."""
    user = managed_user(session, by, user_id)
    if user.id == by.user_id and not active:
        raise InvalidAnswer({"account": FieldError(N_("You cannot deactivate your own account."))})
    begin_write(session)
    user.active = active
    session.add(user)
    if not active:
        session.execute(delete(LoginSession).where(col(LoginSession.user_id) == user_id))
    _record(
        session,
        user_id=user_id,
        by=by.user_id,
        now=now,
        what="reactivated" if active else "deactivated",
    )
    session.commit()
    return user


def unlock(session: Session, *, by: Manager, user_id: int, now: datetime) -> User:
    """Lift the lock too many failed sign-ins put on an account, and forget those failures;
    recorded. Commits."""
    user = managed_user(session, by, user_id)
    begin_write(session)
    user.locked_at = None
    session.add(user)
    clear_failures(session, username=user.username)
    _record(session, user_id=user_id, by=by.user_id, now=now, what="unlocked")
    session.commit()
    return user


def limit_to_halls(
    session: Session, *, by: Manager, user_id: int, site_ids: Iterable[int], now: datetime
) -> User:
    """An administrator limits a manager's account to some halls of its organisations (a
    hall manager), or with no halls lifts the limit (:func:`assign_halls`). The account's
    open login sessions see the change on their next request. Commits."""
    user = managed_user(session, by, user_id)
    begin_write(session)
    try:
        assign_halls(session, user=user, site_ids=site_ids, by_user_id=by.user_id, now=now)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return user


def assign_halls(
    session: Session, *, user: User, site_ids: Iterable[int], by_user_id: int | None, now: datetime
) -> None:
    """Replace the halls ``user`` is limited to by ``site_ids`` (none: every hall), recorded
    with the halls' codes. InvalidAnswer for an account that is not a manager's or a hall
    outside the account's organisations. Does not commit."""
    assert user.id is not None
    wanted = sorted(set(site_ids))
    if wanted and user.role != Role.manager:
        raise InvalidAnswer(
            {"halls": FieldError(N_("Only a manager's account can be limited to some halls."))}
        )
    sites = session.exec(
        select(Site).where(col(Site.id).in_([i for i in wanted if 0 < i < 2**31]))
    ).all()
    organisations = _organisations_of(session, user.id)
    if len(sites) != len(wanted) or any(s.organisation_id not in organisations for s in sites):
        raise InvalidAnswer(
            {"halls": FieldError(N_("Choose halls of the account's organisations."))}
        )
    session.execute(delete(UserSite).where(col(UserSite.user_id) == user.id))
    for site_id in wanted:
        session.add(UserSite(user_id=user.id, site_id=site_id))
    codes = ", ".join(sorted(site.code for site in sites))
    _record(session, user_id=user.id, by=by_user_id, now=now, what="halls", detail=codes or "*")
    session.flush()


def halls_of(session: Session, user_id: int) -> frozenset[int]:
    """The halls an account is limited to (empty: every hall of its organisations)."""
    return frozenset(
        session.exec(select(UserSite.site_id).where(UserSite.user_id == user_id)).all()
    )


@dataclass(frozen=True)
class AccountRow:
    user: User
    organisation_ids: frozenset[int]
    pending_invite: bool
    site_ids: frozenset[int] = frozenset()
    """The halls the account is limited to; empty for every hall."""


def accounts_of(session: Session, by: Manager) -> list[AccountRow]:
    """Every account the administrator may manage, by username."""
    memberships: dict[int, set[int]] = {}
    for user_id, organisation_id in session.exec(
        select(UserOrganisation.user_id, UserOrganisation.organisation_id)
    ).all():
        memberships.setdefault(user_id, set()).add(organisation_id)
    halls: dict[int, set[int]] = {}
    for user_id, site_id in session.exec(select(UserSite.user_id, UserSite.site_id)).all():
        halls.setdefault(user_id, set()).add(site_id)
    users = session.exec(select(User).order_by(col(User.username))).all()
    invited = set(
        session.exec(
            select(AccountLink.user_id).where(
                AccountLink.purpose == AccountLinkPurpose.invite, col(AccountLink.used_at).is_(None)
            )
        ).all()
    )
    return [
        AccountRow(
            user=user,
            organisation_ids=frozenset(orgs),
            pending_invite=user.id in invited,
            site_ids=frozenset(halls.get(user.id, set())),
        )
        for user in users
        if user.id is not None
        and (orgs := memberships.get(user.id, set()))
        and orgs <= by.organisation_ids
    ]


def changes_of(
    session: Session, user_ids: Sequence[int], *, limit: int = 50
) -> list[AccountChange]:
    """The latest changes to these accounts, newest first."""
    return list(
        session.exec(
            select(AccountChange)
            .where(col(AccountChange.user_id).in_(list(user_ids)))
            .order_by(col(AccountChange.at).desc(), col(AccountChange.id).desc())
            .limit(limit)
        ).all()
    )
