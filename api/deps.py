"""Dependencies shared by the routes: database session, clock, settings, current account;
and the one place that reads what the app keeps in ``app.state`` (typed accessors for the
helpers that take the request: its time zone, settings, instruments and page cache)."""

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.errors import NotAuthenticated
from api.page_cache import PageCache
from api.settings import Settings, settings_of
from survey.accounts import Account, account_for_session
from survey.errors import Forbidden, NotForHallManagers
from survey.models import Role
from survey.questionnaires.instruments import InstrumentSpec
from survey.supervision.supervisors import check_credential

SESSION_COOKIE = "manyi_session"


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One database session per request; use cases commit, routes never do.

    An async generator so that opening and closing cost no trips to the thread pool (a
    sync generator dependency takes two); creating a session does no I/O. Closing does
    I/O only when a transaction is still open (a read-only request), and then runs in
    the thread pool.
    """
    session = Session(request.app.state.engine, expire_on_commit=False)
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


def get_now(request: Request) -> datetime:
    """The current time from the app's clock (tests inject a fixed one), in the
    configured time zone, so that dates (a campaign's last day) are the local ones."""
    clock: Callable[[], datetime] = request.app.state.clock
    return clock().astimezone(request.app.state.zone)


def get_settings(request: Request) -> Settings:
    """The app's settings, as a dependency (:func:`api.settings.settings_of`)."""
    return settings_of(request)


def zone_of(request: Request) -> ZoneInfo:
    """The configured time zone: local days, months and opening hours are read in it."""
    zone: ZoneInfo = request.app.state.zone
    return zone


def instrument_spec(request: Request, session: Session, instrument_id: int) -> InstrumentSpec:
    """An instrument version, read from the database once per app (versions never change)."""
    spec: InstrumentSpec = request.app.state.instrument(session, instrument_id)
    return spec


def page_cache_of(request: Request) -> PageCache:
    """The rendered survey pages kept per link and language."""
    cache: PageCache = request.app.state.page_cache
    return cache


SessionDep = Annotated[Session, Depends(get_session)]
NowDep = Annotated[datetime, Depends(get_now)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_current_account(request: Request, session: SessionDep, now: NowDep) -> Account:
    """The signed-in account, or NotAuthenticated."""
    token = request.state.cookies.get(SESSION_COOKIE, "")
    account = account_for_session(session, token=token, now=now)
    if account is None:
        raise NotAuthenticated()
    return account


CurrentAccount = Annotated[Account, Depends(get_current_account)]


def require_role(*roles: Role, halls_only: bool = False) -> Callable[[Account], Account]:
    """A dependency that admits only accounts with one of ``roles`` (403 otherwise).

    Deny by default for hall managers: an account limited to some halls gets 403
    (:class:`~survey.errors.NotForHallManagers`) unless the route says with
    ``halls_only=True`` that it narrows what it shows to ``account.site_ids``. A page added
    later that forgets to is closed to them, not open to every hall.
    """

    def check(account: CurrentAccount) -> Account:
        if account.role not in roles:
            raise Forbidden(account.username)
        if account.site_ids is not None and not halls_only:
            raise NotForHallManagers(account.username)
        return account

    return check


CurrentManager = Annotated[Account, Depends(require_role(Role.manager, Role.admin))]
"""A manager or administrator who sees every hall of their organisations."""
HallManager = Annotated[Account, Depends(require_role(Role.manager, Role.admin, halls_only=True))]
"""A manager or administrator, or a hall manager: the route keeps to ``site_ids``."""
SupervisorAccount = Annotated[Account, Depends(require_role(Role.supervisor, Role.admin))]
"""A supervisor (or administrator), whether or not the credential is valid today."""


def get_current_supervisor(account: SupervisorAccount, session: SessionDep, now: NowDep) -> Account:
    """A supervisor whose credential is valid today (CredentialNotValid, a 403 page,
    otherwise), or an administrator (who needs no credential)."""
    if account.role == Role.supervisor:
        check_credential(session, account.id, now.date())
    return account


CurrentSupervisor = Annotated[Account, Depends(get_current_supervisor)]
