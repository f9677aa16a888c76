"""``manyi stats rebuild``: the aggregates recomputed from the raw answers."""

import time
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from sqlmodel import Session, col, select

from api.cli.root import fail, open_database, stats_app
from api.settings import Settings
from survey.models import Campaign
from survey.stats.aggregation import RebuildProgress, rebuild_stat_sums


def rebuild_aggregates(
    session: Session, *, settings: Settings, campaign_ids: list[int] | None
) -> None:
    def report(progress: RebuildProgress) -> None:
        typer.echo(
            f"  campaign {progress.campaign_id}: {progress.month:%Y-%m} "
            f"({progress.months_done}/{progress.months_total}), "
            f"{progress.responses} responses so far",
            err=True,
        )

    started = time.perf_counter()
    summary = rebuild_stat_sums(
        session, timezone=ZoneInfo(settings.timezone), campaign_ids=campaign_ids, progress=report
    )
    typer.echo(
        f"rebuilt {summary.rows} aggregate rows from {summary.responses} responses "
        f"of {summary.campaigns} campaign(s) in {time.perf_counter() - started:.1f} s"
    )


@stats_app.command("rebuild")
def stats_rebuild(
    campaign: Annotated[
        list[int] | None, typer.Option(help="Only this campaign (repeat for more).")
    ] = None,
) -> None:
    """Recompute the daily and monthly aggregates from the raw responses."""
    with open_database() as (settings, engine), Session(engine) as session:
        if campaign:
            known = set(session.exec(select(Campaign.id).where(col(Campaign.id).in_(campaign))))
            unknown = sorted(set(campaign) - known)
            if unknown:
                fail(f"no campaign {', '.join(map(str, unknown))}")
        rebuild_aggregates(session, settings=settings, campaign_ids=campaign or None)
