"""``manyi user add`` and ``manyi supervisor``: accounts and supervisors' credentials."""

from datetime import datetime
from typing import Annotated

import typer

from api.cli.root import app, now, user_app, writing
from survey.accounts import create_user
from survey.invitations import assign_halls
from survey.models import Role
from survey.supervision.supervisors import create_supervisor


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[Role, typer.Option(help="admin, manager, supervisor or regulator")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    organisation: Annotated[
        list[int] | None, typer.Option(help="Organisation id (repeat for more).")
    ] = None,
    authority: Annotated[
        int | None, typer.Option(help="A regulator's authority (see manyi authority list).")
    ] = None,
    site: Annotated[
        list[int] | None,
        typer.Option(help="Limit a manager to this hall (repeat for more; default: every hall)."),
    ] = None,
) -> None:
    """Add an account scoped to one or more organisations (a manager optionally limited to
    some of their halls), or a regulator's account of an authority."""
    with writing() as session:
        user = create_user(
            session,
            username=username,
            password=password,
            role=role,
            organisation_ids=organisation or [],
            authority_id=authority,
            now=now(),
        )
        if site:
            assign_halls(session, user=user, site_ids=site, by_user_id=None, now=now())
    limited = f", limited to halls {', '.join(map(str, sorted(set(site))))}" if site else ""
    typer.echo(f"added {role.value} {username}{limited}")


@app.command("supervisor")
def supervisor_add(
    username: str,
    credential: Annotated[str, typer.Option(help="The credential's number, e.g. JD-2026-0017.")],
    valid_from: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="First valid day.")],
    valid_until: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="Last valid day.")],
    organisation: Annotated[list[int], typer.Option(help="Organisation id (repeat for more).")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    name: Annotated[str, typer.Option(help="Name shown on pages.")] = "",
    member_site: Annotated[
        int | None, typer.Option(help="The hall the supervisor belongs to (not inspected).")
    ] = None,
) -> None:
    """Appoint a supervisor: an account with a numbered credential valid between two days."""
    with writing() as session:
        create_supervisor(
            session,
            username=username,
            password=password,
            organisation_ids=organisation,
            number=credential,
            valid_from=valid_from.date(),
            valid_until=valid_until.date(),
            display_name=name,
            member_site_id=member_site,
            now=now(),
        )
    typer.echo(f"appointed supervisor {username}, credential {credential}")
