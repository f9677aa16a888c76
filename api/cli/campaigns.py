"""``manyi campaign``: create a campaign, then start, pause, resume or end it."""

from datetime import datetime
from typing import Annotated

import typer

from api.cli.root import app, fail, now, reading, writing
from survey.errors import CampaignStateConflict
from survey.models import CampaignMode, CampaignStatus
from survey.places.campaigns import campaigns_of, create_campaign, move_campaign
from survey.places.organisations import get_organisation
from survey.questionnaires.instruments import ensure_default_instrument

campaign_app = typer.Typer(
    help="Campaigns: a questionnaire asked over dates.", no_args_is_help=True
)
app.add_typer(campaign_app, name="campaign")


@campaign_app.command("create")
def campaign_create(
    organisation: Annotated[int, typer.Option(help="Organisation id.")],
    name: str,
    starts: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="First day.")],
    ends: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="Last day.")],
    mode: Annotated[
        CampaignMode, typer.Option(help="paired, perception_only or three_column.")
    ] = CampaignMode.paired,
    instrument: Annotated[
        int | None, typer.Option(help="Questionnaire version id; default the built-in 22 items.")
    ] = None,
    items_per_dimension: Annotated[
        int | None, typer.Option(help="Ask each customer this many items per dimension.")
    ] = None,
    per_staff: Annotated[
        bool, typer.Option("--per-staff", help="One link per clerk instead of per counter.")
    ] = False,
    no_importance: Annotated[
        bool, typer.Option("--no-importance", help="Do not ask how important each dimension is.")
    ] = False,
    site: Annotated[
        list[int] | None, typer.Option(help="A hall it runs in (repeat); default all halls.")
    ] = None,
) -> None:
    """Create a campaign as a draft: it takes answers once started."""
    with writing() as session:
        get_organisation(session, organisation)
        if instrument is None:
            instrument = ensure_default_instrument(session, now=now()).id
        assert instrument is not None
        campaign = create_campaign(
            session,
            organisation_id=organisation,
            instrument_id=instrument,
            name=name,
            starts_on=starts.date(),
            ends_on=ends.date(),
            mode=mode,
            items_per_dimension=items_per_dimension,
            per_staff=per_staff,
            ask_importance=not no_importance,
            status=CampaignStatus.draft,
            site_ids=site or (),
        )
    typer.echo(f"campaign {campaign.id}: {campaign.name} (draft)")


def _move(campaign: int, to: CampaignStatus) -> None:
    with writing() as session:
        try:
            moved = move_campaign(session, campaign_id=campaign, to=to)
        except CampaignStateConflict as error:
            fail(f"status: {error}")
    typer.echo(f"campaign {moved.id}: {moved.status.value}")


@campaign_app.command("start")
def campaign_start(campaign: int) -> None:
    """Open a draft or paused campaign to answers."""
    _move(campaign, CampaignStatus.running)


@campaign_app.command("pause")
def campaign_pause(campaign: int) -> None:
    """Stop a running campaign taking answers for a while (``start`` resumes it)."""
    _move(campaign, CampaignStatus.paused)


@campaign_app.command("end")
def campaign_end(campaign: int) -> None:
    """End a campaign for good: its links expire; its answers stay."""
    _move(campaign, CampaignStatus.ended)


@campaign_app.command("list")
def campaign_list(organisation: Annotated[int, typer.Option(help="Organisation id.")]) -> None:
    """An organisation's campaigns: id, status, first and last day, name."""
    with reading() as session:
        get_organisation(session, organisation)
        for campaign in campaigns_of(session, organisation):
            typer.echo(
                f"{campaign.id}\t{campaign.status.value}\t{campaign.starts_on}"
                f"\t{campaign.ends_on}\t{campaign.name}"
            )
