"""``manyi import`` and ``manyi analyze``: survey data from files."""

import json
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from sqlmodel import Session

from analytics.intervals import DEFAULT_MIN_N
from api.cli.root import app, fail, now
from api.exports.report_files import report_table, write_xlsx
from api.exports.report_json import analysis_json
from api.settings import Settings
from survey.db import make_engine
from survey.errors import NotFound
from survey.imports.file_analysis import analyze_table
from survey.imports.paper_answers import import_wide_csv
from survey.imports.wide_csv import WideCsvError, default_layout, layout_from_json, read_wide_csv


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="Wide CSV: one row per respondent.")],
    campaign: Annotated[int, typer.Option(help="The campaign the answers belong to.")],
    language: Annotated[
        str, typer.Option(help="Language of rows without a language column.")
    ] = "zh_Hans",
) -> None:
    """Load answers collected on paper into a campaign: all rows, or none."""
    settings = Settings()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        fail(f"cannot read {error.filename}: {error.strerror}")
    except UnicodeDecodeError:
        fail("the file is not UTF-8 text; save it as 'CSV UTF-8' and try again")
    engine = make_engine(settings.resolved_database_url())
    with Session(engine) as session:
        try:
            summary = import_wide_csv(
                session,
                campaign_id=campaign,
                text=text,
                timezone=ZoneInfo(settings.timezone),
                default_language=language,
                now=now(),
            )
        except NotFound:
            fail(f"no campaign {campaign}")
        except WideCsvError as error:
            for line, column, message in error.problems:
                where = f"line {line}" + (f", column {column}" if column else "")
                typer.echo(f"{file}: {where}: {message}", err=True)
            typer.echo("nothing was imported", err=True)
            raise typer.Exit(2) from error
    typer.echo(
        f"imported {summary.responses} responses "
        f"({summary.first_day} to {summary.last_day}) into campaign {campaign}"
    )


ANALYZE_FORMATS = ("json", "table", "xlsx")


@app.command()
def analyze(
    file: Annotated[Path, typer.Argument(help="Wide CSV: one row per respondent.")],
    instrument: Annotated[
        Path | None,
        typer.Option(help="JSON map of items to dimensions (default: the 22-item SERVQUAL)."),
    ] = None,
    by: Annotated[str, typer.Option(help="Break down by columns, e.g. site,period.")] = "",
    fmt: Annotated[str, typer.Option("--format", help="json, table or xlsx.")] = "json",
    out: Annotated[
        Path | None, typer.Option(help="Write here instead of standard output (xlsx needs it).")
    ] = None,
    min_n: Annotated[
        int, typer.Option(help="Cells with fewer respondents are marked insufficient.")
    ] = DEFAULT_MIN_N,
    missing: Annotated[
        str, typer.Option(help="Cronbach's alpha: listwise or pairwise deletion.")
    ] = "listwise",
    overall_column: Annotated[
        str, typer.Option(help="The column of the overall rating.")
    ] = "overall",
) -> None:
    """SERVQUAL report of survey data collected elsewhere (paper forms in a spreadsheet)."""
    if fmt not in ANALYZE_FORMATS:
        fail(f"--format must be one of {', '.join(ANALYZE_FORMATS)}")
    if fmt == "xlsx" and out is None:
        fail("--format xlsx needs --out FILE.xlsx")
    if missing not in ("listwise", "pairwise"):
        fail("--missing must be listwise or pairwise")
    try:
        layout = (
            layout_from_json(instrument.read_text(encoding="utf-8"))
            if instrument
            else default_layout()
        )
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        fail(f"cannot read {error.filename}: {error.strerror}")
    except UnicodeDecodeError:
        fail("the file is not UTF-8 text; save it as 'CSV UTF-8' and try again")
    except ValueError as error:
        fail(str(error))
    try:
        table = read_wide_csv(text, layout, overall_column=overall_column)
        groups = tuple(column.strip() for column in by.split(",") if column.strip())
        analysis = analyze_table(table, by=groups, min_n=min_n, missing=missing)
    except WideCsvError as error:
        for line, column, message in error.problems:
            where = f"line {line}" + (f", column {column}" if column else "")
            typer.echo(f"{file}: {where}: {message}", err=True)
        raise typer.Exit(2) from error
    except ValueError as error:
        fail(str(error))
    output = ""
    if fmt != "xlsx":
        output = (
            json.dumps(analysis_json(analysis), ensure_ascii=False, indent=2)
            if fmt == "json"
            else report_table(analysis)
        )
    if out is None:
        typer.echo(output)
        return
    try:
        if fmt == "xlsx":
            write_xlsx(analysis, out)
        else:
            out.write_text(output + "\n", encoding="utf-8")
    except OSError as error:  # e.g. a folder that does not exist: a message, not a traceback
        fail(f"cannot write {out}: {error.strerror or error}")
    typer.echo(f"wrote {out}")
