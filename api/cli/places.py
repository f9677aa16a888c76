"""``manyi org``, ``region``, ``site``, ``counter`` and ``staff``: an organisation's places,
for scripted set-ups. Every command prints the ids it made; bad input ends it with exit
code 2 and a message naming the field (``code: This site already has a counter ...``)."""

from datetime import datetime
from typing import Annotated

import typer

from api.cli.root import app, now, reading, today, writing
from survey.places.organisations import (
    counters_of,
    create_counter,
    create_organisation,
    create_region,
    create_site,
    create_staff_member,
    get_organisation,
    get_site,
    organisations,
    regions_of,
    sites_of,
    staff_member_leaves,
    staff_of,
)

org_app = typer.Typer(help="Organisations (operators, branches).", no_args_is_help=True)
region_app = typer.Typer(help="Regions an organisation groups its sites by.", no_args_is_help=True)
site_app = typer.Typer(help="Sites: business halls, branches.", no_args_is_help=True)
counter_app = typer.Typer(help="Counters: service windows of a site.", no_args_is_help=True)
staff_app = typer.Typer(help="Clerks.", no_args_is_help=True)
app.add_typer(org_app, name="org")
app.add_typer(region_app, name="region")
app.add_typer(site_app, name="site")
app.add_typer(counter_app, name="counter")
app.add_typer(staff_app, name="staff")

OrganisationOption = Annotated[int, typer.Option("--organisation", help="Organisation id.")]
SiteOption = Annotated[int, typer.Option("--site", help="Site id.")]


@org_app.command("add")
def org_add(
    name: str,
    slug: Annotated[str, typer.Option(help="Short name: lower-case letters, digits, '-'.")],
    hotline: Annotated[str, typer.Option(help="Service hotline.")] = "",
) -> None:
    """Add an organisation."""
    with writing() as session:
        organisation = create_organisation(session, name=name, slug=slug, hotline=hotline)
    typer.echo(f"organisation {organisation.id}: {organisation.name}")


@org_app.command("list")
def org_list() -> None:
    """Every organisation: id, short name, name."""
    with reading() as session:
        for organisation in organisations(session):
            typer.echo(f"{organisation.id}\t{organisation.slug}\t{organisation.name}")


@region_app.command("add")
def region_add(organisation: OrganisationOption, code: str, name: str) -> None:
    """Add a region (a city, a district), named by its code."""
    with writing() as session:
        region = create_region(session, organisation_id=organisation, code=code, name=name)
    typer.echo(f"region {region.id}: {region.code} {region.name}")


@region_app.command("list")
def region_list(organisation: OrganisationOption) -> None:
    """An organisation's regions: id, code, name."""
    with reading() as session:
        get_organisation(session, organisation)
        for region in regions_of(session, organisation):
            typer.echo(f"{region.id}\t{region.code}\t{region.name}")


@site_app.command("add")
def site_add(
    organisation: OrganisationOption,
    code: str,
    name: str,
    region: Annotated[str, typer.Option(help="The region's code.")],
    address: Annotated[str, typer.Option(help="Street address.")] = "",
    opening_hours: Annotated[str, typer.Option(help="Like 09:00-12:00,13:00-17:00.")] = "",
) -> None:
    """Add a site (business hall) with the organisation's own code for it."""
    with writing() as session:
        site = create_site(
            session,
            organisation_id=organisation,
            code=code,
            name=name,
            region_code=region,
            address=address,
            opening_hours=opening_hours,
        )
    typer.echo(f"site {site.id}: {site.code} {site.name}")


@site_app.command("list")
def site_list(organisation: OrganisationOption) -> None:
    """An organisation's sites: id, code, region, name."""
    with reading() as session:
        get_organisation(session, organisation)
        for site in sites_of(session, organisation):
            typer.echo(f"{site.id}\t{site.code}\t{site.region_code}\t{site.name}")


@counter_app.command("add")
def counter_add(
    site: SiteOption,
    code: str,
    name: str,
    service_type: Annotated[str, typer.Option(help="What the counter serves.")] = "",
) -> None:
    """Add a counter (service window) to a site."""
    with writing() as session:
        counter = create_counter(
            session, site_id=site, code=code, name=name, service_type=service_type
        )
    typer.echo(f"counter {counter.id}: {counter.code} {counter.name}")


@counter_app.command("list")
def counter_list(site: SiteOption) -> None:
    """A site's counters: id, code, name, service type."""
    with reading() as session:
        get_site(session, site)
        for counter in counters_of(session, site):
            typer.echo(f"{counter.id}\t{counter.code}\t{counter.name}\t{counter.service_type}")


@staff_app.command("add")
def staff_add(
    site: SiteOption,
    job_number: str,
    name: str,
    counter: Annotated[int | None, typer.Option(help="The counter they usually staff.")] = None,
) -> None:
    """Add a clerk to a site, with the job number shown on the counter."""
    with writing() as session:
        get_site(session, site)
        staff = create_staff_member(
            session, site_id=site, job_number=job_number, display_name=name, counter_id=counter
        )
    typer.echo(f"staff {staff.id}: {staff.job_number} {staff.display_name}")


@staff_app.command("list")
def staff_list(organisation: OrganisationOption) -> None:
    """An organisation's clerks: id, job number, site id, name, and the day they left."""
    with reading() as session:
        get_organisation(session, organisation)
        for staff in staff_of(session, organisation):
            left = f"left {staff.left_on.isoformat()}" if staff.left_on else ""
            typer.echo(
                f"{staff.id}\t{staff.job_number}\t{staff.site_id}\t{staff.display_name}\t{left}"
            )


@staff_app.command("leave")
def staff_leave(
    staff: Annotated[int, typer.Argument(help="The clerk's id.")],
    on: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last day; default today.")
    ] = None,
) -> None:
    """Mark a clerk as gone: off every counter, kept with their history."""
    day = on.date() if on else today()
    with writing() as session:
        member = staff_member_leaves(session, staff_id=staff, on=day, now=now())
    typer.echo(f"staff {member.id}: {member.job_number} left on {day.isoformat()}")
