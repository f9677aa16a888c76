"""``manyi duty``: the duty roster from the command line (who is on duty at a counter, so
answers are credited to them; see :mod:`survey.places.duty`)."""

from datetime import datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from api.cli.root import app, fail, now, reading, writing
from api.settings import Settings
from survey.models import Counter
from survey.places.duty import end_duty, site_roster, start_duty
from survey.places.organisations import get_site

duty_app = typer.Typer(help="The duty roster: which clerk is on duty at which counter.")
app.add_typer(duty_app, name="duty")


@duty_app.command("start")
def duty_start(
    counter: Annotated[int, typer.Option(help="Counter id.")],
    staff: Annotated[int, typer.Option(help="The clerk's id (see manyi staff list).")],
    until: Annotated[
        str | None, typer.Option(help="HH:MM today (local time); default: until ended.")
    ] = None,
) -> None:
    """Put a clerk on duty at a counter from now; whoever was on duty there goes off."""
    moment = now()
    end = None
    if until is not None:
        try:
            clock_time = time.fromisoformat(until)
        except ValueError:
            fail("until: Give a time as HH:MM.")
        local = moment.astimezone(ZoneInfo(Settings().timezone))
        end = datetime.combine(local.date(), clock_time, local.tzinfo)
    with writing() as session:
        if session.get(Counter, counter) is None:
            fail(f"counter: There is no counter {counter}.")
        shift = start_duty(
            session, counter_id=counter, staff_member_id=staff, now=moment, until=end
        )
    typer.echo(f"shift {shift.id}: clerk {staff} on duty at counter {counter}")


@duty_app.command("end")
def duty_end(counter: Annotated[int, typer.Option(help="Counter id.")]) -> None:
    """End the running shift at a counter: nobody is on duty there until the next one."""
    moment = now()
    with writing() as session:
        found = session.get(Counter, counter)
        if found is None:
            fail(f"counter: There is no counter {counter}.")
        ended = end_duty(session, counter_id=counter, now=moment)
    typer.echo(f"ended {ended} shift(s) at counter {counter}")


@duty_app.command("list")
def duty_list(site: Annotated[int, typer.Option(help="Site id.")]) -> None:
    """The shifts of a site from now to a week ahead; ``*`` marks those running now."""
    moment = now()
    with reading() as session:
        hall = get_site(session, site)
        rows = site_roster(session, site_id=site, since=moment, until=moment + timedelta(days=7))
        for row in rows:
            until = row.shift.ends_at.isoformat() if row.shift.ends_at else "until ended"
            mark = "*" if row.running(moment) else " "
            typer.echo(
                f"{mark} {row.shift.id}\t{row.counter.code}\t{row.clerk.job_number}\t"
                f"{row.clerk.display_name}\t{row.shift.starts_at.isoformat()}\t{until}"
            )
        if not rows:
            typer.echo(f"no shifts at {hall.name}")
