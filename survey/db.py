"""Engines for SQLite (the embedded default) and PostgreSQL (production).

SQLite is opened in WAL mode with foreign keys on and a busy timeout. Readers begin a
plain (deferred) transaction and never wait for writers; a unit of work that writes calls
:func:`begin_write` first, which starts the transaction with ``BEGIN IMMEDIATE`` so that
two writers queue on the lock (within the busy timeout) instead of failing with 'database
is locked' when a read transaction tries to upgrade.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for ``url``, configured for the database it names."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_WRITE_OPTION = "manyi_write"


def begin_write(session: Session) -> None:
    """Start the session's transaction as a write transaction.

    Call it before the first write of a unit of work. On SQLite this takes the write lock
    at once; on PostgreSQL it changes nothing. A transaction the session already has open
    (reads made before the use case) is committed first, so the write transaction really
    begins immediate instead of being upgraded later (which SQLite may refuse as busy).
    """
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={_WRITE_OPTION: True})


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session for one unit of work outside a request (command line, seeding)."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
