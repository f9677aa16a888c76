"""Each dashboard page as one read and one presentation: the page's use case from
:mod:`survey.stats.dashboard` runs on the session, and its pure presenter from
:mod:`api.manager.dashboard.presenters` turns the result into the page's view.

The page routes and the export routes both call :data:`PAGE_VIEWS`, so a download is built
from the same result as the page it comes from.
"""

from collections.abc import Callable

from sqlmodel import Session

from api.manager.dashboard.context import PageContext, PageView
from api.manager.dashboard.presenters import (
    comment_search,
    importance_choice,
    present_comments,
    present_importance,
    present_items,
    present_overview,
    present_rankings,
    present_reliability,
    present_trends,
    trend_grain,
)
from survey.lifecycle.actions import campaign_actions
from survey.stats import dashboard
from survey.stats.comments import MAX_PAGE_SIZE, CustomerComment, customer_comments

PAGE_SIZE = 25
"""Comments shown per page."""
MAX_EXPORT_COMMENTS = 10_000
"""Comments in one download: every one that matches the filters, up to this many."""


def overview_page(session: Session, ctx: PageContext) -> PageView:
    result = dashboard.overview(
        session, ctx.scope, ctx.places, ctx.period, min_n=ctx.filters.min_n, today=ctx.today
    )
    card = None
    if ctx.places.level == "staff":
        card = dashboard.staff_card(
            session,
            ctx.scope,
            ctx.places,
            ctx.period,
            min_n=ctx.filters.min_n,
            timezone=ctx.timezone,
        )
    actions = campaign_actions(session, ctx.places.campaign.id or 0)
    if ctx.hall_manager:
        actions = [action for action in actions if action.site_id == ctx.scope.site_id]
    return present_overview(ctx, result, card, actions)


def items_page(session: Session, ctx: PageContext) -> PageView:
    report = dashboard.period_report(session, ctx.scope, ctx.period, min_n=ctx.filters.min_n)
    return present_items(ctx, report)


def importance_page(session: Session, ctx: PageContext) -> PageView:
    report = dashboard.period_report(
        session,
        ctx.scope,
        ctx.period,
        min_n=ctx.filters.min_n,
        ipa_importance=importance_choice(ctx),
    )
    return present_importance(ctx, report)


def trends_page(session: Session, ctx: PageContext) -> PageView:
    trend = dashboard.trend(
        session,
        ctx.scope,
        ctx.places,
        ctx.period,
        trend_grain(ctx),
        today=ctx.today,
        min_n=ctx.filters.min_n,
    )
    return present_trends(ctx, trend)


def rankings_page(session: Session, ctx: PageContext) -> PageView:
    breakdowns = dashboard.rankings(
        session, ctx.scope, ctx.places, ctx.period, min_n=ctx.filters.min_n
    )
    return present_rankings(ctx, breakdowns)


def comments_page(session: Session, ctx: PageContext) -> PageView:
    """One page of comments, or for a download every matching one (up to
    :data:`MAX_EXPORT_COMMENTS`), read page by page."""
    asked = comment_search(ctx)
    comments: list[CustomerComment] = []
    before = asked.before
    while True:
        page = customer_comments(
            session,
            ctx.scope_in_period(),
            search=asked.search,
            low_dimension=asked.low_dimension,
            before=before,
            limit=MAX_PAGE_SIZE if ctx.export else PAGE_SIZE,
            timezone=ctx.timezone,
        )
        comments.extend(page.comments)
        before = page.next_before
        if not ctx.export or before is None or len(comments) >= MAX_EXPORT_COMMENTS:
            break
    return present_comments(ctx, comments[:MAX_EXPORT_COMMENTS], page.next_before)


def reliability_page(session: Session, ctx: PageContext) -> PageView:
    result = dashboard.reliability(
        session,
        ctx.scope,
        ctx.places,
        ctx.period,
        min_n=ctx.filters.min_n,
        timezone=ctx.timezone,
    )
    return present_reliability(ctx, result)


PAGE_VIEWS: dict[str, Callable[[Session, PageContext], PageView]] = {
    "overview": overview_page,
    "items": items_page,
    "importance": importance_page,
    "trends": trends_page,
    "rankings": rankings_page,
    "comments": comments_page,
    "reliability": reliability_page,
}
