"""The manager's pages. For now: response counts per site and counter."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.deps import CurrentManager, SessionDep, SettingsDep
from api.forms import make_csrf_token
from api.templating import render
from survey.counts import response_counts

router = APIRouter()


@router.get("/manager")
def show_manager_home(
    request: Request, account: CurrentManager, session: SessionDep, settings: SettingsDep
) -> Response:
    """Responses per site and counter, for the manager's organisations only."""
    sites = response_counts(session, organisation_ids=account.organisation_ids)
    return render(
        request,
        "manager/home.html",
        {
            "account": account,
            "sites": sites,
            "total": sum(site.n_responses for site in sites),
            "csrf_token": make_csrf_token(settings.resolved_secret_key(), request.state.device_id),
        },
    )
