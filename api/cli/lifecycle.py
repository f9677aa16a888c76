"""``manyi actions sweep``: open the corrective actions the data call for and measure the
effect of those past their due date."""

from zoneinfo import ZoneInfo

import typer
from sqlmodel import Session

from api.cli.root import app, now, open_database
from survey.lifecycle.actions import sweep_actions

actions_app = typer.Typer(
    help="Corrective actions of the service-quality lifecycle.", no_args_is_help=True
)
app.add_typer(actions_app, name="actions")


@actions_app.command("sweep")
def actions_sweep() -> None:
    """Open an action for each missed target, control-chart signal and widening gap that has
    none yet, and judge the actions past their due date (``manyi serve`` does it every
    hour; run this from cron when serving otherwise)."""
    with open_database() as (settings, engine), Session(engine, expire_on_commit=False) as session:
        opened, measured = sweep_actions(session, now=now(), timezone=ZoneInfo(settings.timezone))
    typer.echo(f"opened {opened} action(s), measured the effect of {measured}")
