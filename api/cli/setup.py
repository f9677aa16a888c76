"""``manyi init`` and ``manyi public-url``: the first run of an empty install, and the
address posters carry."""

from typing import Annotated

import typer

from api.cli.root import app, fail, now, reading, writing
from api.cli.server import upgrade_and_fill_aggregates
from api.settings import Settings, public_address
from survey.accounts import create_user
from survey.installation import has_accounts, set_public_base_url
from survey.models import Role
from survey.passwords import password_problem
from survey.places.organisations import create_organisation
from survey.questionnaires.instruments import ensure_default_instrument


@app.command()
def init(
    organisation: Annotated[
        str, typer.Option(prompt="Organisation's name", help="The organisation's name.")
    ],
    slug: Annotated[
        str,
        typer.Option(
            prompt="Its short name (lower-case letters, digits, -)",
            help="Short name in addresses and files, e.g. gz-telecom.",
        ),
    ],
    public_url: Annotated[
        str,
        typer.Option(
            prompt="Public address customers' phones will reach (https://...)",
            help="What posters and links carry, e.g. https://survey.example.cn.",
        ),
    ],
    admin: Annotated[str, typer.Option(prompt="Administrator's user name")],
    password: Annotated[
        str,
        typer.Option(prompt="Administrator's password", hide_input=True, confirmation_prompt=True),
    ],
    hotline: Annotated[str, typer.Option(help="The organisation's service hotline.")] = "",
) -> None:
    """Set up an empty install: the database, the secret key, the first organisation and
    its administrator, and the public address. Refused once anybody has an account."""
    problem = password_problem(password, user_inputs=(admin,))
    if problem is not None:
        fail(f"password: {problem.render()}")
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_and_fill_aggregates(settings)
    with writing() as session:
        if has_accounts(session):
            fail(
                "this install is already set up (it has accounts); add organisations with "
                "`manyi org add` and accounts with `manyi user add`"
            )
        org = create_organisation(session, name=organisation, slug=slug, hotline=hotline)
        assert org.id is not None
        create_user(
            session,
            username=admin,
            password=password,
            role=Role.admin,
            organisation_ids=[org.id],
            display_name=admin,
            now=now(),
        )
        address = set_public_base_url(session, public_url, now=now())
        ensure_default_instrument(session, now=now())
    settings.resolved_secret_key()
    typer.echo(f"organisation {org.id}: {org.name} ({org.slug})")
    typer.echo(f"administrator: {admin}")
    typer.echo(f"public address: {address}")
    if not address.startswith("https://"):
        typer.echo(
            "note: customers' phones should reach the app over https:// in production",
            err=True,
        )
    typer.echo("")
    typer.echo("next:")
    typer.echo(f"  manyi region add --organisation {org.id} CODE NAME")
    typer.echo(f"  manyi site add --organisation {org.id} --region CODE SITE-CODE NAME")
    typer.echo("  manyi counter add --site ID CODE NAME")
    typer.echo("  manyi staff add --site ID JOB-NUMBER NAME   (or: manyi staff import FILE)")
    typer.echo(f"  manyi campaign create --organisation {org.id} NAME --starts ... --ends ...")
    typer.echo("  manyi campaign start ID; manyi links create --campaign ID; manyi qr --out DIR")
    typer.echo("  manyi serve, then sign in at the public address with the administrator")


@app.command("public-url")
def public_url_command(
    url: Annotated[str | None, typer.Argument(help="The new address; omit to show it.")] = None,
) -> None:
    """Show or change the public address posters, counter displays and case links carry.
    After a change, print the posters again (``manyi qr``): displays follow at once."""
    if url is None:
        with reading() as session:
            typer.echo(public_address(session, Settings()))
        return
    with writing() as session:
        address = set_public_base_url(session, url, now=now())
    typer.echo(f"public address: {address}")
    typer.echo("print the posters again: manyi qr --out DIR [--format pdf]")
