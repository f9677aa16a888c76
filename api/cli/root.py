"""The ``manyi`` command and its groups, and what every command shares: the clock it
reads, the database it opens, and how it ends on an error."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import NoReturn

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


def open_database() -> tuple[Settings, Engine]:
    """The settings from the environment and an engine on the database they name."""
    settings = Settings()
    return settings, make_engine(settings.resolved_database_url())


@contextmanager
def writing() -> Iterator[Session]:
    """One write transaction on the configured database, committed when the block ends.

    A refused input (:class:`InvalidAnswer`) rolls it back and ends the command with its
    message and exit code 2; a command maps its other refusals itself (with :func:`fail`).
    """
    _, engine = open_database()
    with Session(engine) as session:
        begin_write(session)
        try:
            yield session
        except InvalidAnswer as error:
            session.rollback()
            fail(str(error))
        session.commit()
