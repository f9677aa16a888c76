"""``/admin/accounts``: invite managers and administrators by a one-time link, make a link
that sets a new password, deactivate and reactivate; with the record of every change."""

from fastapi import APIRouter, Request
from sqlmodel import Session, col, select
from starlette.responses import RedirectResponse, Response

from api.admin.scope import CurrentAdmin, chosen_organisation
from api.deps import NowDep, SessionDep
from api.forms import PostedFormDep, check_csrf
from api.refused import Refused, form_day
from api.settings import public_address, settings_of
from api.templating import render, translate_errors
from survey.accounts import Account
from survey.errors import InvalidAnswer
from survey.invitations import (
    INVITABLE,
    Manager,
    accounts_of,
    changes_of,
    halls_of,
    invite,
    limit_to_halls,
    managed_user,
    password_link,
    set_active,
    unlock,
)
from survey.models import Organisation, Role, Site, User, UserOrganisation
from survey.supervision.supervisors import invite_supervisor

router = APIRouter()
INVITE_FIELDS = ("username", "display_name", "role", "number", "valid_from", "valid_until")
ROLES = (*INVITABLE, Role.supervisor)
"""Roles the invitation form offers; a supervisor comes with a numbered credential."""


def _manager(account: Account) -> Manager:
    return Manager(user_id=account.id, organisation_ids=account.organisation_ids)


def _accounts_page(
    request: Request,
    session: Session,
    account: Account,
    organisation_id: int,
    refused: Refused | None = None,
) -> Response:
    rows = accounts_of(session, _manager(account))
    names = {
        organisation.id: organisation.name
        for organisation in (session.get(Organisation, i) for i in account.organisation_ids)
        if organisation is not None
    }
    users = {row.user.id: row.user.username for row in rows}
    changes = changes_of(session, [row.user.id for row in rows if row.user.id is not None])
    return render(
        request,
        "admin/accounts.html",
        {
            "account": account,
            "organisation_id": organisation_id,
            "rows": rows,
            "organisation_names": names,
            "site_names": dict(
                session.exec(
                    select(Site.id, Site.name).where(
                        col(Site.organisation_id).in_(sorted(account.organisation_ids))
                    )
                ).all()
            ),
            "changes": changes,
            "usernames": users | _usernames(session, {c.changed_by for c in changes}),
            "roles": [(role.value, role.value) for role in ROLES],
            "refused": refused,
            "saved": request.query_params.get("saved", ""),
        },
        status_code=422 if refused else 200,
    )


def _usernames(session: Session, ids: set[int | None]) -> dict[int | None, str]:
    return {i: user.username for i in ids if i is not None and (user := session.get(User, i))}


@router.get("/admin/accounts")
def show_accounts(request: Request, account: CurrentAdmin, session: SessionDep) -> Response:
    """The accounts of the administrator's organisations, the invitation form, the record."""
    organisation_id = chosen_organisation(account, request.query_params.get("organisation"))
    return _accounts_page(request, session, account, organisation_id)


def _link_page(
    request: Request, session: Session, account: Account, user: User, token: str, *, invited: bool
) -> Response:
    """The one-time link, shown once: the administrator passes it on by a trusted way."""
    address = public_address(session, settings_of(request))
    return render(
        request,
        "admin/account_link.html",
        {
            "account": account,
            "user": user,
            "invited": invited,
            "link": f"{address}/welcome/{token}",
        },
        status_code=201 if invited else 200,
    )


@router.post("/admin/accounts")
def submit_invitation(
    request: Request, form: PostedFormDep, account: CurrentAdmin, session: SessionDep, now: NowDep
) -> Response:
    """Invite someone: the account is made inactive and its one-time link shown once."""
    check_csrf(request, form)
    organisation_id = chosen_organisation(account, form.get("organisation") or "0")
    values = {name: form.get(name) for name in INVITE_FIELDS}
    values |= {f"org-{i}": form.get(f"org-{i}") for i in account.organisation_ids}
    chosen = [i for i in sorted(account.organisation_ids) if form.get(f"org-{i}")]
    try:
        role = Role(values["role"]) if values["role"] in set(Role) else None
        if role is None:
            raise InvalidAnswer({"role": "Invite a manager or an administrator here."})
        if role == Role.supervisor:
            user, token = invite_supervisor(
                session,
                by=_manager(account),
                username=values["username"],
                display_name=values["display_name"],
                organisation_ids=chosen,
                number=values["number"],
                valid_from=form_day(values["valid_from"], "valid_from"),
                valid_until=form_day(values["valid_until"], "valid_until"),
                now=now,
            )
        else:
            user, token = invite(
                session,
                by=_manager(account),
                username=values["username"],
                display_name=values["display_name"],
                role=role,
                organisation_ids=chosen,
                now=now,
            )
    except InvalidAnswer as invalid:
        refused = Refused("invite", values, translate_errors(request, invalid.errors))
        return _accounts_page(request, session, account, organisation_id, refused)
    return _link_page(request, session, account, user, token, invited=True)


@router.post("/admin/accounts/{user_id}/password-link")
def submit_password_link(
    request: Request,
    user_id: int,
    form: PostedFormDep,
    account: CurrentAdmin,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """A one-time link that sets a new password for the account, shown once."""
    check_csrf(request, form)
    token = password_link(session, by=_manager(account), user_id=user_id, now=now)
    user = managed_user(session, _manager(account), user_id)
    return _link_page(request, session, account, user, token, invited=False)


def _halls_page(
    request: Request,
    session: Session,
    account: Account,
    user: User,
    chosen: frozenset[int],
    error: str = "",
) -> Response:
    """The halls of the account's organisations as boxes to tick, grouped by organisation."""
    assert user.id is not None
    organisation_ids = sorted(
        session.exec(
            select(UserOrganisation.organisation_id).where(UserOrganisation.user_id == user.id)
        ).all()
    )
    groups = []
    for organisation_id in organisation_ids:
        organisation = session.get(Organisation, organisation_id)
        sites = session.exec(
            select(Site).where(Site.organisation_id == organisation_id).order_by(col(Site.name))
        ).all()
        groups.append((organisation.name if organisation else "", list(sites)))
    return render(
        request,
        "admin/account_halls.html",
        {"account": account, "user": user, "groups": groups, "chosen": chosen, "error": error},
        status_code=422 if error else 200,
    )


@router.get("/admin/accounts/{user_id}/halls")
def show_account_halls(
    request: Request, user_id: int, account: CurrentAdmin, session: SessionDep
) -> Response:
    """Which halls a manager's account is limited to, as a form."""
    user = managed_user(session, _manager(account), user_id)
    return _halls_page(request, session, account, user, halls_of(session, user_id))


@router.post("/admin/accounts/{user_id}/halls")
def submit_account_halls(
    request: Request,
    user_id: int,
    form: PostedFormDep,
    account: CurrentAdmin,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Limit the account to the ticked halls (none ticked: every hall); recorded."""
    check_csrf(request, form)
    user = managed_user(session, _manager(account), user_id)
    chosen = frozenset(
        int(name[5:])
        for name in form.fields
        if name.startswith("site-")
        and name[5:].isascii()
        and name[5:].isdecimal()
        and len(name) <= 17
    )
    try:
        limit_to_halls(session, by=_manager(account), user_id=user_id, site_ids=chosen, now=now)
    except InvalidAnswer as invalid:
        errors = translate_errors(request, invalid.errors)
        return _halls_page(request, session, account, user, chosen, errors.get("halls", ""))
    return RedirectResponse("/admin/accounts?saved=halls", status_code=303)


def _set_active(
    request: Request,
    user_id: int,
    form: PostedFormDep,
    account: Account,
    session: Session,
    now: NowDep,
    active: bool,
) -> Response:
    check_csrf(request, form)
    set_active(session, by=_manager(account), user_id=user_id, active=active, now=now)
    return RedirectResponse(
        f"/admin/accounts?saved={'reactivated' if active else 'deactivated'}", status_code=303
    )


@router.post("/admin/accounts/{user_id}/unlock")
def submit_unlock(
    request: Request,
    user_id: int,
    form: PostedFormDep,
    account: CurrentAdmin,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Lift the lock after too many failed sign-ins."""
    check_csrf(request, form)
    unlock(session, by=_manager(account), user_id=user_id, now=now)
    return RedirectResponse("/admin/accounts?saved=unlocked", status_code=303)


@router.post("/admin/accounts/{user_id}/deactivate")
def submit_deactivation(
    request: Request,
    user_id: int,
    form: PostedFormDep,
    account: CurrentAdmin,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """Deactivate the account: signed out everywhere at once, its history kept."""
    return _set_active(request, user_id, form, account, session, now, False)


@router.post("/admin/accounts/{user_id}/reactivate")
def submit_reactivation(
    request: Request,
    user_id: int,
    form: PostedFormDep,
    account: CurrentAdmin,
    session: SessionDep,
    now: NowDep,
) -> Response:
    return _set_active(request, user_id, form, account, session, now, True)
