"""``manyi staff import``: an organisation's sites, counters and clerks from a CSV or XLSX
table (the format: :mod:`survey.imports.places_file`).

It prints the preview (per kind how many are new, changed and unchanged, then each change
from old to new value), then stores it all in one transaction unless ``--dry-run``. Every
problem is printed as ``FILE: line N, column C: message`` on standard error, and the command
ends with exit code 2, storing nothing.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from api.cli.places import OrganisationOption, staff_app
from api.cli.root import fail, now, reading, writing
from survey.imports.places_file import (
    PlacesFileError,
    PlacesImportPlan,
    PlacesImportSummary,
    Problem,
    apply_places_import,
    plan_places_import,
    read_places_file,
)


@staff_app.command("import")
def staff_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV (UTF-8) or XLSX with columns site_code, site_name, region_code, "
            "address, opening_hours, counter_code, counter_name, service_type, job_number, "
            "staff_name (site_code required)."
        ),
    ],
    organisation: OrganisationOption,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; store nothing.")
    ] = False,
) -> None:
    """Add or update halls, counters and clerks from a CSV or XLSX table, all or nothing."""
    try:
        data = file.read_bytes()
    except OSError as error:
        fail(f"cannot read {error.filename}: {error.strerror}")
    try:
        rows = read_places_file(data, filename=file.name)
    except PlacesFileError as error:
        _refuse(file, error.found)
    with reading() if dry_run else writing() as session:
        plan = plan_places_import(session, organisation_id=organisation, rows=rows)
        if plan.problems:
            _refuse(file, plan.problems)
        _preview(plan)
        if dry_run:
            typer.echo("dry run: nothing was stored")
            return
        summary = apply_places_import(session, plan, now=now())
    typer.echo(f"stored: {_done(summary)}")


def _refuse(file: Path, problems: Sequence[Problem]) -> NoReturn:
    for problem in problems:
        typer.echo(f"{file}: {problem}", err=True)
    typer.echo("nothing was stored", err=True)
    raise typer.Exit(2)


def _preview(plan: PlacesImportPlan) -> None:
    summary = plan.summary()
    for kind, tally in (
        ("sites", summary.sites),
        ("counters", summary.counters),
        ("clerks", summary.clerks),
    ):
        typer.echo(f"{kind}: {tally.new} new, {tally.changed} changed, {tally.unchanged} unchanged")
    for item in plan.changed():
        changes = "; ".join(f'{c.column} "{c.old}" → "{c.new}"' for c in item.changes)
        typer.echo(f"line {item.line}: {item.label}: {changes}")


def _done(summary: PlacesImportSummary) -> str:
    parts = [
        f"{kind} {tally.new} added, {tally.changed} changed"
        for kind, tally in (
            ("sites", summary.sites),
            ("counters", summary.counters),
            ("clerks", summary.clerks),
        )
    ]
    return "; ".join(parts)
