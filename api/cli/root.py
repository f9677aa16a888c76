"""The ``manyi`` command and its groups, and what every command shares: the clock it
reads, the database it opens, and how it ends on an error."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from typing import NoReturn
from zoneinfo import ZoneInfo

import typer
from sqlalchemy import Engine
from sqlmodel import Session

from api.settings import Settings
from survey.db import begin_write, make_engine
from survey.errors import InvalidAnswer

app = typer.Typer(help="manyi: customer satisfaction for service counters.", no_args_is_help=True)
user_app = typer.Typer(help="Manage accounts.", no_args_is_help=True)
app.add_typer(user_app, name="user")
links_app = typer.Typer(help="Survey links (what the QR codes carry).", no_args_is_help=True)
app.add_typer(links_app, name="links")
stats_app = typer.Typer(help="The daily and monthly aggregates reports read.", no_args_is_help=True)
app.add_typer(stats_app, name="stats")
cases_app = typer.Typer(help="Complaint cases: their clocks and retention.", no_args_is_help=True)
app.add_typer(cases_app, name="cases")


def system_now() -> datetime:
    return datetime.now(UTC)


_clock: ContextVar[Callable[[], datetime]] = ContextVar("manyi_cli_clock", default=system_now)


@app.callback()
def _take_the_clock(context: typer.Context) -> None:
    """Every command reads "now" from the system clock, or from the clock a caller passed as
    the command's ``obj`` (``CliRunner().invoke(app, args, obj=clock)``): how tests fix it."""
    _clock.set(context.obj if callable(context.obj) else system_now)


def now() -> datetime:
    return _clock.get()()


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


@contextmanager
def open_database() -> Iterator[tuple[Settings, Engine]]:
    """The settings from the environment and an engine on the database they name, its
    connections closed when the block ends."""
    settings = Settings()
    engine = make_engine(settings.resolved_database_url())
    try:
        yield settings, engine
    finally:
        engine.dispose()


@contextmanager
def writing() -> Iterator[Session]:
    """One write transaction on the configured database, committed when the block ends
    (what it made stays readable after, for the command to print).

    A refused input (:class:`InvalidAnswer`) rolls it back and ends the command with its
    message and exit code 2; a command maps its other refusals itself (with :func:`fail`).
    """
    with open_database() as (_, engine), Session(engine, expire_on_commit=False) as session:
        begin_write(session)
        try:
            yield session
        except InvalidAnswer as error:
            session.rollback()
            fail(str(error))
        session.commit()


@contextmanager
def reading() -> Iterator[Session]:
    """A session that only reads; a refused input (an unknown organisation) ends the
    command as :func:`writing` does."""
    with open_database() as (_, engine), Session(engine) as session:
        try:
            yield session
        except InvalidAnswer as error:
            fail(str(error))


def today() -> date:
    """Today in the configured time zone (``MANYI_TIMEZONE``), by the command's clock."""
    return now().astimezone(ZoneInfo(Settings().timezone)).date()
