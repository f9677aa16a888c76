"""The manager's pages: response counts per site and counter, a campaign's report and export."""

from dataclasses import replace
from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, Request
from sqlmodel import Session
from starlette.responses import Response

from analytics.intervals import DEFAULT_MIN_N
from api.deps import CurrentAccount, HallManager, SessionDep, SettingsDep
from api.exports.report_json import analysis_json
from api.months import checked_month, month_value
from api.templating import render
from survey.accounts import Account
from survey.stats.counts import organisation_names, response_counts
from survey.stats.dashboard import resolve_places
from survey.stats.reports import Scope, responses_csv, scope_analysis, scope_answers
from survey.stats.stat_rows import next_month

router = APIRouter()
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


@router.get("/manager")
def show_manager_home(request: Request, account: HallManager, session: SessionDep) -> Response:
    """Responses per site and counter, for the account's organisations (a hall manager's
    halls) only."""
    sites = response_counts(session, organisation_ids=account.organisation_ids)
    if account.site_ids is not None:
        sites = [site for site in sites if site.site_id in account.site_ids]
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


def _scope(
    session: Session,
    account: Account,
    campaign_id: int,
    site: int | None,
    counter: int | None,
    staff: int | None,
) -> Scope:
    """The campaign narrowed to a place; 404 for a campaign or a place that is not the
    account's (another organisation's hall is not an empty report)."""
    scope = Scope(
        campaign_id=campaign_id,
        organisation_ids=tuple(account.organisation_ids),
        site_id=site,
        counter_id=counter,
        staff_member_id=staff,
    )
    return resolve_places(session, scope, site_ids=account.site_ids)[0]


@router.get("/manager/campaigns/{campaign_id}/report.json")
def show_campaign_report(
    campaign_id: int,
    account: HallManager,
    session: SessionDep,
    site: int | None = None,
    counter: int | None = None,
    staff: int | None = None,
    first_month: Annotated[str | None, Query(pattern=MONTH_PATTERN)] = None,
    last_month: Annotated[str | None, Query(pattern=MONTH_PATTERN)] = None,
    by: Annotated[
        list[Literal["site", "counter", "staff", "locale", "month", "quarter"]] | None, Query()
    ] = None,
    trend: Literal["day", "week", "month", "quarter", "none"] = "month",
    min_n: Annotated[int, Query(ge=1, le=100_000)] = DEFAULT_MIN_N,
    missing: Literal["listwise", "pairwise"] = "listwise",
) -> dict[str, Any]:
    """The SERVQUAL report of a campaign in the JSON shape of ``manyi analyze``, read from
    the daily and monthly aggregates.

    Narrow it to a site, counter or clerk and to the months ``first_month`` to
    ``last_month`` (``YYYY-MM``, both included);
    ``by`` (repeatable) adds a report per site, counter, clerk, language, month or quarter;
    ``trend`` sets the period of the control charts. 404 for a campaign outside the
    account's scope.
    """
    since = _month_start(first_month)
    until = _month_after(last_month)
    if since is not None and until is not None and since >= until:
        raise HTTPException(422, "first_month must not be after last_month")
    scope = _scope(session, account, campaign_id, site, counter, staff)
    scope = replace(scope, since=since, until=until)
    try:
        analysis = scope_analysis(
            session,
            scope,
            by=tuple(dict.fromkeys(by or ())),
            trend=None if trend == "none" else trend,
            min_n=min_n,
            missing=missing,
        )
    except ValueError as error:
        raise HTTPException(422, str(error)) from error
    return analysis_json(analysis)


def _month_start(month: str | None) -> date | None:
    """``2026-03`` → 1 March 2026."""
    return month_value(checked_month("month", month))


def _month_after(month: str | None) -> date | None:
    """``2026-03`` → 1 April 2026 (the end of March, excluded)."""
    start = _month_start(month)
    return None if start is None else next_month(start)


@router.get("/manager/campaigns/{campaign_id}/responses.csv")
def export_campaign_responses(
    campaign_id: int,
    account: HallManager,
    session: SessionDep,
    settings: SettingsDep,
    site: int | None = None,
    counter: int | None = None,
    staff: int | None = None,
    period: Literal["day", "week", "month", "quarter"] = "month",
) -> Response:
    """The campaign's answers as a wide CSV that ``manyi analyze`` reads (no comments, no
    device or network hashes: answers and places only); ``period`` is the month of each
    answer (or ``?period=day|week|quarter``) in the configured time zone."""
    data = scope_answers(session, _scope(session, account, campaign_id, site, counter, staff))
    return Response(
        responses_csv(data, timezone=ZoneInfo(settings.timezone), period_grain=period),
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="campaign-{campaign_id}-responses.csv"'
        },
    )
