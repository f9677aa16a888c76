"""Serving: ``manyi migrate``, ``manyi serve`` and ``manyi demo``."""

import logging
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from sqlmodel import Session, col, select

from api.background import scheduled_case_sweep
from api.cli.links import write_posters
from api.cli.root import app, fail, now, system_now
from api.cli.stats import rebuild_aggregates
from api.database import upgrade_database
from api.settings import Settings
from survey.accounts import DEMO_PASSWORD
from survey.db import begin_write, make_engine
from survey.demo.seed import DEMO_USERS, demo_campaign_id, demo_exists, seed_demo
from survey.errors import FontMissing
from survey.installation import has_accounts, set_public_base_url
from survey.models import QrLink
from survey.places.links import poster_places
from survey.stats.sums import aggregates_missing
from survey.supervision.checklists import install_default_checklist


@app.command()
def migrate() -> None:
    """Bring the database (MANYI_DATABASE_URL, default SQLite in ./data) to the newest schema."""
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_and_fill_aggregates(settings)
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
    upgrade_and_fill_aggregates(settings)
    engine = make_engine(settings.resolved_database_url())
    with Session(engine) as session:
        set_up = has_accounts(session)
    if not set_up:
        engine.dispose()
        fail(
            "this install has no accounts yet, so nobody could sign in: run `manyi init` "
            "to create the organisation and its administrator (or `manyi demo` to try it)"
        )
    with scheduled_case_sweep(engine, system_now, timezone=ZoneInfo(settings.timezone)):
        if workers > 1:
            uvicorn.run(
                "api.app:create_app_from_environment",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_level="warning",
                access_log=False,  # api.access_log: no addresses, no secret paths
            )
            return
        from api.app import create_app

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        uvicorn.run(
            create_app(settings, engine=engine),
            host=host,
            port=port,
            log_level="info",
            access_log=False,  # api.access_log: no addresses, no secret paths
        )


def upgrade_and_fill_aggregates(settings: Settings) -> None:
    """Migrate and add the built-in checklist; a database whose responses predate the
    aggregates gets them rebuilt."""
    engine = make_engine(settings.resolved_database_url())
    try:
        upgrade_database(engine)
        with Session(engine) as session:
            install_default_checklist(session, now=now())
            if aggregates_missing(session):
                typer.echo("responses without aggregates: rebuilding them once ...")
                rebuild_aggregates(session, settings=settings, campaign_ids=None)
    finally:
        engine.dispose()


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
    upgrade_and_fill_aggregates(settings)
    engine = make_engine(settings.resolved_database_url())
    with Session(engine, expire_on_commit=False) as session:
        begin_write(session)
        set_public_base_url(session, base_url, now=now())
        session.commit()
        if not demo_exists(session):
            typer.echo(f"seeding the demo organisation with {responses} responses ...")
            seed_demo(
                session,
                now=now(),
                n_responses=responses,
                salt=settings.resolved_secret_key(),
                timezone=ZoneInfo(settings.timezone),
            )
        poster_dir = settings.data_dir / "posters"
        try:
            own = demo_campaign_id(session)
            written = []
            for fmt in ("png", "pdf"):
                written += write_posters(
                    session,
                    out=poster_dir,
                    settings=settings,
                    site_id=None,
                    fmt=fmt,
                    campaign_id=own,
                )
            typer.echo(f"posters: {len(written)} files in {poster_dir.resolve()}")
        except FontMissing as error:
            typer.echo(f"posters skipped: {error}")
        places = poster_places(session, now=now(), campaign_id=demo_campaign_id(session))
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

    with scheduled_case_sweep(engine, system_now, timezone=ZoneInfo(settings.timezone)):
        uvicorn.run(
            create_app(settings, engine=engine), host="127.0.0.1", port=port, log_level="warning"
        )
