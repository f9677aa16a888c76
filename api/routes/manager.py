"""The manager's pages. For now: response counts per site and counter."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.deps import CurrentAccount, CurrentReader, SessionDep
from api.templating import render
from survey.counts import organisation_names, response_counts

router = APIRouter()


@router.get("/manager")
def show_manager_home(request: Request, account: CurrentReader, session: SessionDep) -> Response:
    """Responses per site and counter, for the account's organisations only."""
    sites = response_counts(session, organisation_ids=account.organisation_ids)
    return render(
        request,
        "manager/home.html",
        {
            "account": account,
            "sites": sites,
            "total": sum(site.n_responses for site in sites),
        },
    )


@router.get("/account")
def show_account(request: Request, account: CurrentAccount, session: SessionDep) -> Response:
    """Who is signed in, with which role, for which organisations."""
    names = organisation_names(session, organisation_ids=account.organisation_ids)
    return render(
        request,
        "accounts/account.html",
        {
            "account": account,
            "organisations": names,
        },
    )
