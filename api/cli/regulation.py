"""``manyi authority`` and ``manyi evaluation``: regulators' authorities, the operators
they oversee and the evaluations they run across them, for scripted set-ups. Regulators'
accounts: ``manyi user add NAME --role regulator --authority ID``."""

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from api.cli.root import app, fail, now, reading, writing
from survey.models import CampaignMode
from survey.questionnaires.instruments import ensure_default_instrument
from survey.regulation.authorities import authorities, create_authority, operators, oversee
from survey.regulation.evaluations import create_evaluation, evaluations_of
from survey.regulation.publications import verify_notice

authority_app = typer.Typer(help="Regulators and the operators they oversee.", no_args_is_help=True)
evaluation_app = typer.Typer(
    help="A regulator's evaluations across its operators.", no_args_is_help=True
)
app.add_typer(authority_app, name="authority")
app.add_typer(evaluation_app, name="evaluation")
publication_app = typer.Typer(help="Regulators' published notices.", no_args_is_help=True)
app.add_typer(publication_app, name="publication")

AuthorityOption = Annotated[int, typer.Option("--authority", help="Authority id.")]


@authority_app.command("add")
def authority_add(
    name: str, region: Annotated[str, typer.Option(help="The region it regulates.")] = ""
) -> None:
    """Add an authority (a regulator)."""
    with writing() as session:
        authority = create_authority(session, name=name, region=region, now=now())
    typer.echo(f"authority {authority.id}: {authority.name}")


@authority_app.command("list")
def authority_list() -> None:
    """Every authority with the organisations it oversees: id, name, operator ids."""
    with reading() as session:
        for authority in authorities(session):
            assert authority.id is not None
            ids = ",".join(str(o.id) for o in operators(session, authority.id))
            typer.echo(f"{authority.id}\t{authority.name}\t{ids}")


@authority_app.command("oversee")
def authority_oversee(
    authority: AuthorityOption,
    organisation: Annotated[int, typer.Option("--organisation", help="Organisation id.")],
) -> None:
    """Put an organisation under the authority: its accounts see its published figures."""
    with writing() as session:
        oversee(
            session,
            authority_id=authority,
            organisation_id=organisation,
            since=now().date(),
        )
    typer.echo(f"authority {authority} oversees organisation {organisation}")


@evaluation_app.command("create")
def evaluation_create(
    authority: AuthorityOption,
    name: str,
    starts: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="First day.")],
    ends: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="Last day.")],
    answers_per_hall: Annotated[int, typer.Option(help="Answers wanted from each hall.")] = 30,
    mode: Annotated[
        CampaignMode, typer.Option(help="paired, perception_only or three_column.")
    ] = CampaignMode.paired,
    instrument: Annotated[
        int | None, typer.Option(help="Built-in questionnaire version id; default 22 items.")
    ] = None,
) -> None:
    """Start an evaluation: a running campaign in every operator of the authority, with a
    printable link per counter of every hall."""
    with writing() as session:
        if instrument is None:
            instrument = ensure_default_instrument(session, now=now()).id
        assert instrument is not None
        evaluation = create_evaluation(
            session,
            authority_id=authority,
            name=name,
            instrument_id=instrument,
            starts_on=starts.date(),
            ends_on=ends.date(),
            answers_per_hall=answers_per_hall,
            mode=mode,
            now=now(),
        )
    typer.echo(f"evaluation {evaluation.id}: {evaluation.name}")


@evaluation_app.command("list")
def evaluation_list(authority: AuthorityOption) -> None:
    """The authority's evaluations: id, days, answers wanted per hall, name."""
    with reading() as session:
        for evaluation in evaluations_of(session, authority):
            typer.echo(
                f"{evaluation.id}\t{evaluation.starts_on}..{evaluation.ends_on}"
                f"\t{evaluation.answers_per_hall}\t{evaluation.name}"
            )


@publication_app.command("verify")
def publication_verify(file: Path) -> None:
    """Recompute the SHA-256 of a downloaded notice (its notice.json): exit 0 when the
    content is what was published, 1 when it was changed."""
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        fail(f"{file}: not a notice file ({error})")
    if not verify_notice(document):
        typer.echo(f"changed: {file} does not match its SHA-256")
        raise typer.Exit(1)
    typer.echo(f"ok: {document['sha256']}")
