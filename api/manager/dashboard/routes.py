"""The managers' dashboard: one route per page, and downloads of each page's tables and
charts (CSV, XLSX, SVG, PNG) built from the same view as the page."""

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from sqlmodel import Session, col, select
from starlette.responses import RedirectResponse, Response

from api import charts
from api.deps import HallManager, SessionDep, get_now, instrument_spec, zone_of
from api.exports.tables import table_csv, table_xlsx
from api.i18n import DEFAULT_LOCALE, LOCALE_NAMES, LOCALES
from api.manager.dashboard.context import (
    DEFAULT_MONTHS,
    PAGES,
    TREND_GRAINS,
    PageContext,
    PageView,
)
from api.manager.dashboard.filters import read_filters
from api.manager.dashboard.pages import PAGE_VIEWS
from api.templating import render
from survey.accounts import Account
from survey.errors import NotFound
from survey.models import Campaign, Site
from survey.stats.comments import InvalidCursor, UnknownDimension
from survey.stats.dashboard import resolve_places
from survey.stats.reports import Scope

router = APIRouter()

PAGE_OPTIONS: dict[str, dict[str, tuple[str, ...] | None]] = {
    "importance": {"importance": ("stated", "derived")},
    "trends": {"grain": TREND_GRAINS},
    "comments": {"q": None, "dimension": None, "before": None},
}
"""Each page's own query parameters: allowed values, or None for free text."""
MAX_SEARCH = 200


def campaigns_of(session: Session, account: Account) -> list[Campaign]:
    """The campaigns the account may read, newest first: the organisations' own, then
    their shares of regulators' evaluations (the dashboard opens on the newest own one)."""
    return list(
        session.exec(
            select(Campaign)
            .where(col(Campaign.organisation_id).in_(account.organisation_ids))
            .order_by(
                col(Campaign.evaluation_id).is_not(None),
                col(Campaign.starts_on).desc(),
                col(Campaign.id).desc(),
            )
        ).all()
    )


@router.get("/manager/dashboard")
def open_dashboard(
    request: Request,
    account: HallManager,
    session: SessionDep,
    campaign: int | None = None,
    page: str = "overview",
) -> Response:
    """A campaign's dashboard page (the newest campaign's overview by default), or a page
    saying there is no campaign yet; 404 for a campaign the account may not read."""
    campaigns = campaigns_of(session, account)
    if not campaigns:
        return render(request, "manager/dashboard/empty.html", {"account": account})
    chosen = (
        campaigns[0] if campaign is None else next((c for c in campaigns if c.id == campaign), None)
    )
    if chosen is None:
        raise NotFound(f"campaign {campaign}")
    path = f"/manager/campaigns/{chosen.id}"
    if page in PAGES and page != "overview":
        path += f"/{page}"
    return RedirectResponse(path, status_code=303)


def _options(request: Request, page: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for name, allowed in PAGE_OPTIONS.get(page, {}).items():
        value = request.query_params.get(name, "").strip()
        if not value:
            continue
        if allowed is not None and value not in allowed:
            raise HTTPException(422, f"{name} must be one of {', '.join(allowed)}")
        if len(value) > MAX_SEARCH:
            raise HTTPException(422, f"{name} is longer than {MAX_SEARCH} characters")
        options[name] = value
    return options


def page_context(
    request: Request, account: Account, session: Session, campaign_id: int, page: str
) -> PageContext:
    """The filters, scope and period of a dashboard request; 404 for a campaign or place
    outside the account's organisations, 422 for a malformed filter."""
    filters = read_filters(request, campaign_id)
    scope = Scope(
        campaign_id=campaign_id,
        organisation_ids=tuple(account.organisation_ids),
        site_id=filters.site,
        counter_id=filters.counter,
        staff_member_id=filters.staff,
        locale=filters.language,
    )
    scope, places = resolve_places(session, scope, site_ids=account.site_ids)
    today = get_now(request).date()
    spec = instrument_spec(request, session, places.campaign.instrument_id)
    return PageContext(
        filters=filters,
        scope=scope,
        places=places,
        period=filters.period(today, default_months=DEFAULT_MONTHS.get(page, 3)),
        spec=spec,
        locale=str(getattr(request.state, "locale", DEFAULT_LOCALE)),
        today=today,
        timezone=zone_of(request),
        options=_options(request, page),
        hall_manager=account.site_ids is not None,
    )


def page_names(ctx: PageContext) -> dict[str, str]:
    _ = ctx._
    return {
        "overview": _("Overview"),
        "items": _("Items"),
        "importance": _("Importance"),
        "trends": _("Trends"),
        "rankings": _("Rankings"),
        "comments": _("Comments"),
        "reliability": _("Reliability"),
    }


def build_view(session: Session, ctx: PageContext, page: str) -> PageView:
    try:
        return PAGE_VIEWS[page](session, ctx)
    except (InvalidCursor, UnknownDimension) as error:
        raise HTTPException(422, str(error)) from error


def _halls_of(session: Session, account: Account, ctx: PageContext) -> list[tuple[int, str]]:
    """A hall manager's halls in the campaign's organisation (id, name), to move between
    them; empty for anyone who sees every hall."""
    if account.site_ids is None:
        return []
    return [
        (site.id or 0, site.name)
        for site in session.exec(
            select(Site)
            .where(col(Site.id).in_(sorted(account.site_ids)))
            .where(Site.organisation_id == ctx.places.organisation.id)
            .order_by(col(Site.name))
        ).all()
    ]


def show_dashboard_page(
    page: str, campaign_id: int, request: Request, account: Account, session: Session
) -> Response:
    """One dashboard page of the campaign within the request's filters."""
    ctx = page_context(request, account, session, campaign_id, page)
    view = build_view(session, ctx, page)
    return render(
        request,
        f"manager/dashboard/{page}.html",
        {
            "account": account,
            "ctx": ctx,
            "view": view,
            "pages": PAGES,
            "page_names": page_names(ctx),
            "vega_version": charts.VEGA_BUNDLE_VERSION,
            "campaigns": campaigns_of(session, account),
            "my_halls": _halls_of(session, account, ctx),
            "customer_languages": [(code, LOCALE_NAMES[code]) for code in LOCALES],
        },
    )


@router.get("/manager/campaigns/{campaign_id}")
def show_dashboard_overview(
    campaign_id: int, request: Request, account: HallManager, session: SessionDep
) -> Response:
    """The satisfaction index, the gap chart, alerts from the trend and the units one level down."""
    return show_dashboard_page("overview", campaign_id, request, account, session)


@router.get("/manager/campaigns/{campaign_id}/items")
def show_dashboard_items(
    campaign_id: int, request: Request, account: HallManager, session: SessionDep
) -> Response:
    """Every item's gap with its interval, the worst first."""
    return show_dashboard_page("items", campaign_id, request, account, session)


@router.get("/manager/campaigns/{campaign_id}/importance")
def show_dashboard_importance(
    campaign_id: int, request: Request, account: HallManager, session: SessionDep
) -> Response:
    """The importance–performance grid (stated or derived importance)."""
    return show_dashboard_page("importance", campaign_id, request, account, session)


@router.get("/manager/campaigns/{campaign_id}/trends")
def show_dashboard_trends(
    campaign_id: int, request: Request, account: HallManager, session: SessionDep
) -> Response:
    """The index and each dimension per week, month or quarter on control charts."""
    return show_dashboard_page("trends", campaign_id, request, account, session)


@router.get("/manager/campaigns/{campaign_id}/rankings")
def show_dashboard_rankings(
    campaign_id: int, request: Request, account: HallManager, session: SessionDep
) -> Response:
    """Sites, counters and clerks by the shrunken index."""
    return show_dashboard_page("rankings", campaign_id, request, account, session)


@router.get("/manager/campaigns/{campaign_id}/comments")
def show_dashboard_comments(
    campaign_id: int, request: Request, account: HallManager, session: SessionDep
) -> Response:
    """The customers' comments, newest first, searchable."""
    return show_dashboard_page("comments", campaign_id, request, account, session)


@router.get("/manager/campaigns/{campaign_id}/reliability")
def show_dashboard_reliability(
    campaign_id: int, request: Request, account: HallManager, session: SessionDep
) -> Response:
    """Cronbach's alpha per dimension and the factor check."""
    return show_dashboard_page("reliability", campaign_id, request, account, session)


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "svg": "image/svg+xml",
    "png": "image/png",
}


@router.get("/manager/campaigns/{campaign_id}/{page}/export/{filename}")
def export_dashboard_item(
    campaign_id: int,
    page: str,
    filename: str,
    request: Request,
    account: HallManager,
    session: SessionDep,
) -> Response:
    """A page's table as CSV or XLSX (``<table>.csv``), or its chart as SVG or PNG
    (``<chart>.svg``), with the page's filters; 404 for an unknown page, table or chart."""
    name, _, extension = filename.rpartition(".")
    if page not in PAGES or extension not in EXPORT_TYPES or not name:
        raise NotFound(f"export {page}/{filename}")
    ctx = replace(page_context(request, account, session, campaign_id, page), export=True)
    view = build_view(session, ctx, page)
    body: Any
    if extension in ("csv", "xlsx"):
        table = view.table(name)
        if table is None:
            raise NotFound(f"table {name}")
        body = table_csv(table) if extension == "csv" else table_xlsx([table])
    else:
        figure = view.figure(name)
        if figure is None:
            raise NotFound(f"chart {name}")
        body = (
            charts.chart_svg(figure.spec) if extension == "svg" else charts.chart_png(figure.spec)
        )
    download = f"campaign-{campaign_id}-{page}-{name}.{extension}"
    return Response(
        body,
        media_type=EXPORT_TYPES[extension],
        headers={"content-disposition": f'attachment; filename="{download}"'},
    )
