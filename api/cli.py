"""The ``manyi`` command line: demo, serve, migrate, user add, links, qr, analyze."""

import json
import time
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, NoReturn
from zoneinfo import ZoneInfo

import typer
from sqlmodel import Session, col, select

from analytics.intervals import DEFAULT_MIN_N
from api.background import scheduled_case_sweep
from api.database import upgrade_database
from api.printing.posters import PosterInfo, find_cjk_font, poster_png, poster_svg, site_sheet_pdf
from api.report_formats import report_table, write_xlsx
from api.report_json import analysis_json
from api.settings import Settings
from survey.accounts import DEMO_PASSWORD, create_user
from survey.cases.handling import purge_expired_evidence, sweep_all
from survey.db import begin_write, make_engine
from survey.demo.seed import DEMO_USERS, demo_exists, seed_demo
from survey.errors import FontMissing, InvalidAnswer, LinkNotFound, NotFound
from survey.imports.file_analysis import analyze_table
from survey.imports.paper_answers import import_wide_csv
from survey.imports.wide_csv import WideCsvError, default_layout, layout_from_json, read_wide_csv
from survey.models import Campaign, CaseEventKind, QrLink, Role
from survey.places.links import PosterPlace, ensure_campaign_links, poster_places, revoke_link
from survey.stats.aggregation import RebuildProgress, rebuild_stat_sums
from survey.stats.sums import aggregates_missing
from survey.supervision.checklists import install_default_checklist
from survey.supervision.supervisors import create_supervisor

app = typer.Typer(help="manyi: customer satisfaction for service counters.", no_args_is_help=True)
user_app = typer.Typer(help="Manage accounts.", no_args_is_help=True)
app.add_typer(user_app, name="user")
links_app = typer.Typer(help="Survey links (what the QR codes carry).", no_args_is_help=True)
app.add_typer(links_app, name="links")
stats_app = typer.Typer(help="The daily and monthly aggregates reports read.", no_args_is_help=True)
app.add_typer(stats_app, name="stats")
cases_app = typer.Typer(help="Complaint cases: their clocks and retention.", no_args_is_help=True)
app.add_typer(cases_app, name="cases")


def _system_now() -> datetime:
    return datetime.now(UTC)


_clock: ContextVar[Callable[[], datetime]] = ContextVar("manyi_cli_clock", default=_system_now)


@app.callback()
def _take_the_clock(context: typer.Context) -> None:
    """Every command reads "now" from the system clock, or from the clock a caller passed as
    the command's ``obj`` (``CliRunner().invoke(app, args, obj=clock)``): how tests fix it."""
    _clock.set(context.obj if callable(context.obj) else _system_now)


def _now() -> datetime:
    return _clock.get()()


@app.command()
def migrate() -> None:
    """Bring the database (MANYI_DATABASE_URL, default SQLite in ./data) to the newest schema."""
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _upgrade_and_fill_aggregates(settings)
    typer.echo("database is up to date")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Bring the database to the newest schema, then run the web server."""
    import uvicorn

    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _upgrade_and_fill_aggregates(settings)
    engine = make_engine(settings.resolved_database_url())
    with scheduled_case_sweep(engine, _system_now):
        if workers > 1:
            uvicorn.run(
                "api.app:create_app_from_environment",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_level="warning",
            )
            return
        from api.app import create_app

        uvicorn.run(create_app(settings, engine=engine), host=host, port=port, log_level="info")


def _upgrade_and_fill_aggregates(settings: Settings) -> None:
    """Migrate and add the built-in checklist; a database whose responses predate the
    aggregates gets them rebuilt."""
    engine = make_engine(settings.resolved_database_url())
    upgrade_database(engine)
    with Session(engine) as session:
        install_default_checklist(session, now=_now())
        if aggregates_missing(session):
            typer.echo("responses without aggregates: rebuilding them once ...")
            _rebuild(session, settings=settings, campaign_ids=None)


def _rebuild(session: Session, *, settings: Settings, campaign_ids: list[int] | None) -> None:
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
    settings = Settings()
    engine = make_engine(settings.resolved_database_url())
    with Session(engine) as session:
        if campaign:
            known = set(session.exec(select(Campaign.id).where(col(Campaign.id).in_(campaign))))
            unknown = sorted(set(campaign) - known)
            if unknown:
                _fail(f"no campaign {', '.join(map(str, unknown))}")
        _rebuild(session, settings=settings, campaign_ids=campaign or None)


@cases_app.command("sweep")
def cases_sweep() -> None:
    """Record the warnings (50 %, 80 %) and escalations the open cases' clocks have reached
    (``manyi serve`` does it every five minutes; run this from cron when serving otherwise).
    """
    settings = Settings()
    engine = make_engine(settings.resolved_database_url())
    with Session(engine, expire_on_commit=False) as session:
        recorded = sweep_all(session, now=_now())
    escalations = sum(1 for event in recorded if event.kind == CaseEventKind.escalation)
    typer.echo(f"recorded {len(recorded)} event(s), {escalations} escalation(s)")


@cases_app.command("purge")
def cases_purge() -> None:
    """Remove the text, contact and photos of complaints whose case closed longer ago than
    the organisation's retention (the case and its history stay)."""
    settings = Settings()
    engine = make_engine(settings.resolved_database_url())
    with Session(engine) as session:
        redacted = purge_expired_evidence(session, now=_now(), data_dir=settings.data_dir)
    typer.echo(f"redacted {redacted} complaint(s)")


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[Role, typer.Option(help="admin, manager, supervisor or regulator")],
    organisation: Annotated[list[int], typer.Option(help="Organisation id (repeat for more).")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Add an account scoped to one or more organisations."""
    settings = Settings()
    engine = make_engine(settings.resolved_database_url())
    with Session(engine) as session:
        begin_write(session)
        try:
            create_user(
                session,
                username=username,
                password=password,
                role=role,
                organisation_ids=organisation,
                now=_now(),
            )
        except InvalidAnswer as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from error
        session.commit()
    typer.echo(f"added {role.value} {username}")


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
    settings = Settings()
    engine = make_engine(settings.resolved_database_url())
    with Session(engine) as session:
        begin_write(session)
        try:
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
                now=_now(),
            )
        except InvalidAnswer as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from error
        session.commit()
    typer.echo(f"appointed supervisor {username}, credential {credential}")


@links_app.command("create")
def links_create(
    campaign: Annotated[int, typer.Option(help="Campaign id.")],
    rotating: Annotated[
        bool, typer.Option("--rotating", help="Links for counter displays (rotating codes).")
    ] = False,
) -> None:
    """Create the missing links of a campaign (per counter, or per counter and clerk)."""
    settings = Settings()
    with Session(make_engine(settings.resolved_database_url())) as session:
        begin_write(session)
        try:
            created = ensure_campaign_links(
                session, campaign_id=campaign, rotating=rotating, now=_now()
            )
        except NotFound as error:
            typer.echo(f"error: no campaign {campaign}", err=True)
            raise typer.Exit(2) from error
        session.commit()
        base = settings.base_url.rstrip("/")
        for link in created:
            path = f"/display/{link.display_token}" if rotating else f"/s/{link.token}"
            typer.echo(f"{base}{path}")
    typer.echo(f"created {len(created)} link(s)", err=True)


@links_app.command("revoke")
def links_revoke(token: str) -> None:
    """Withdraw a link: its QR code answers 410 from now on; its responses are kept."""
    settings = Settings()
    with Session(make_engine(settings.resolved_database_url())) as session:
        begin_write(session)
        try:
            revoke_link(session, token=token, now=_now())
        except LinkNotFound as error:
            typer.echo("error: no link with this token", err=True)
            raise typer.Exit(2) from error
        session.commit()
    typer.echo("revoked")


def _poster_info(place: PosterPlace, *, base_url: str, hotline: str) -> PosterInfo:
    return PosterInfo(
        url=f"{base_url.rstrip('/')}/s/{place.token}",
        organisation=place.organisation,
        site=place.site,
        counter=place.counter,
        staff_name=place.staff_name,
        job_number=place.job_number,
        hotline=hotline,
    )


def write_posters(
    session: Session, *, out: Path, settings: Settings, site_id: int | None, fmt: str
) -> list[Path]:
    """Write one poster per printable link (PNG or SVG), or one PDF sheet per site."""
    out.mkdir(parents=True, exist_ok=True)
    places = poster_places(session, now=_now(), site_id=site_id)
    written: list[Path] = []
    infos = [
        (
            place,
            _poster_info(place, base_url=settings.base_url, hotline=settings.supervision_hotline),
        )
        for place in places
    ]
    if fmt == "pdf":
        for current_site in sorted({place.site_id for place in places}):
            path = out / f"site-{current_site}.pdf"
            path.write_bytes(site_sheet_pdf([i for p, i in infos if p.site_id == current_site]))
            written.append(path)
        return written
    for place, info in infos:
        stem = f"site-{place.site_id}-counter-{place.counter_code}-{place.token[:6]}"
        if fmt == "svg":
            path = out / f"{stem}.svg"
            path.write_text(poster_svg(info), encoding="utf-8")
        else:
            path = out / f"{stem}.png"
            path.write_bytes(poster_png(info))
        written.append(path)
    return written


@app.command()
def qr(
    out: Annotated[Path, typer.Option(help="Folder to write the posters to.")],
    site: Annotated[int | None, typer.Option(help="Only this site's counters.")] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="png, svg or pdf (a sheet per site).")
    ] = "png",
) -> None:
    """Write QR posters for the counters' survey links."""
    if fmt not in ("png", "svg", "pdf"):
        typer.echo("error: --format must be png, svg or pdf", err=True)
        raise typer.Exit(2)
    settings = Settings()
    engine = make_engine(settings.resolved_database_url())
    try:
        if fmt != "svg":
            find_cjk_font()
        with Session(engine) as session:
            written = write_posters(session, out=out, settings=settings, site_id=site, fmt=fmt)
    except FontMissing as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(3) from error
    typer.echo(f"wrote {len(written)} file(s) to {out}")


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    responses: Annotated[int, typer.Option(help="Synthetic responses to seed.")] = 2000,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Seed and write posters only.")
    ] = False,
) -> None:
    """Create a demo database with six months of answers, write posters and serve it."""
    base_url = f"http://127.0.0.1:{port}"
    settings = Settings(demo_mode=True, base_url=base_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _upgrade_and_fill_aggregates(settings)
    engine = make_engine(settings.resolved_database_url())
    with Session(engine, expire_on_commit=False) as session:
        if not demo_exists(session):
            typer.echo(f"seeding the demo organisation with {responses} responses ...")
            seed_demo(
                session,
                now=_now(),
                n_responses=responses,
                salt=settings.resolved_secret_key(),
                timezone=ZoneInfo(settings.timezone),
            )
        poster_dir = settings.data_dir / "posters"
        try:
            written = write_posters(
                session, out=poster_dir, settings=settings, site_id=None, fmt="png"
            )
            written += write_posters(
                session, out=poster_dir, settings=settings, site_id=None, fmt="pdf"
            )
            typer.echo(f"posters: {len(written)} files in {poster_dir.resolve()}")
        except FontMissing as error:
            typer.echo(f"posters skipped: {error}")
        places = poster_places(session, now=_now())
        display = session.exec(select(QrLink).where(col(QrLink.rotating).is_(True))).first()
    typer.echo("")
    typer.echo("manyi demo is ready")
    if places:
        typer.echo(
            f"  customer survey (counter {places[0].counter}): {base_url}/s/{places[0].token}"
        )
    if display is not None:
        typer.echo(f"  counter display (rotating QR):   {base_url}/display/{display.display_token}")
    typer.echo(f"  manager, supervisor, regulator:  {base_url}/login")
    typer.echo(f"  managers' dashboard:             {base_url}/manager/dashboard")
    typer.echo(f"  accounts: {', '.join(DEMO_USERS)}; password '{DEMO_PASSWORD}' (demo mode only)")
    typer.echo(f"  health:   {base_url}/healthz")
    if no_serve:
        return
    import uvicorn

    from api.app import create_app

    with scheduled_case_sweep(engine, _system_now):
        uvicorn.run(
            create_app(settings, engine=engine), host="127.0.0.1", port=port, log_level="warning"
        )


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
        _fail(f"cannot read {error.filename}: {error.strerror}")
    except UnicodeDecodeError:
        _fail("the file is not UTF-8 text; save it as 'CSV UTF-8' and try again")
    engine = make_engine(settings.resolved_database_url())
    with Session(engine) as session:
        try:
            summary = import_wide_csv(
                session,
                campaign_id=campaign,
                text=text,
                timezone=ZoneInfo(settings.timezone),
                default_language=language,
                now=_now(),
            )
        except NotFound:
            _fail(f"no campaign {campaign}")
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
        _fail(f"--format must be one of {', '.join(ANALYZE_FORMATS)}")
    if fmt == "xlsx" and out is None:
        _fail("--format xlsx needs --out FILE.xlsx")
    if missing not in ("listwise", "pairwise"):
        _fail("--missing must be listwise or pairwise")
    try:
        layout = (
            layout_from_json(instrument.read_text(encoding="utf-8"))
            if instrument
            else default_layout()
        )
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        _fail(f"cannot read {error.filename}: {error.strerror}")
    except UnicodeDecodeError:
        _fail("the file is not UTF-8 text; save it as 'CSV UTF-8' and try again")
    except ValueError as error:
        _fail(str(error))
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
        _fail(str(error))
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
        _fail(f"cannot write {out}: {error.strerror or error}")
    typer.echo(f"wrote {out}")


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def main() -> None:
    app()
