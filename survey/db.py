"""Engines for SQLite (the embedded default) and PostgreSQL (production).

SQLite is opened in WAL mode with foreign keys on and a busy timeout. Readers begin a
plain (deferred) transaction and never wait for writers; a unit of work that writes calls
:func:`begin_write` first, which starts the transaction with ``BEGIN IMMEDIATE`` so that
two writers queue on the lock instead of failing with 'database is locked' when a read
transaction tries to upgrade.

Writers also queue in a :class:`WriterQueue` before ``BEGIN IMMEDIATE``. SQLite's own busy
handler polls with growing sleeps (up to 100 ms), which under load turned a 5 ms write into
waits of hundreds of milliseconds (measured with ``bench/submit.py``); the queue hands over
within a millisecond, across threads and across worker processes.
"""

import fcntl
import os
import secrets
import threading
import time
from contextlib import suppress
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.orm import SessionTransaction
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_MS = 10_000
_HELD = "manyi_write_lock"


class WriterQueue:
    """Lets one writer at a time into a SQLite file, handing over without SQLite's sleeps.

    Within a process a thread lock; across processes an advisory ``flock`` on a file
    beside the database, tried every 0.2-2 ms (a stuck holder makes :meth:`acquire`
    give up after ``timeout``; the busy timeout then decides, as without the queue).
    """

    def __init__(self, lock_path: Path | None) -> None:
        self._thread_lock = threading.Lock()
        self._path = lock_path
        self._fd: int | None = None

    def acquire(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        if not self._thread_lock.acquire(timeout=timeout):
            return False
        if self._path is None:
            return True
        if self._fd is None:
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        delay = 0.0002
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self._thread_lock.release()
                    return False
                time.sleep(delay)
                delay = min(delay * 2, 0.002)

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._thread_lock.release()


_writer_queues: "WeakKeyDictionary[Engine, WriterQueue]" = WeakKeyDictionary()


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for ``url``, configured for the database it names."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            # As many kept connections as the web server has worker threads (40): an
            # overflow connection is closed on return and the next one pays for opening.
            pool_size=40,
            max_overflow=10,
        )
        database = make_url(url).database
        in_memory = not database or database == ":memory:" or database.startswith("file:")
        _configure_sqlite(engine, None if in_memory else Path(str(database)))
        _writer_queues[engine] = WriterQueue(None if in_memory else Path(f"{database}-writers"))
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _configure_sqlite(engine: Engine, database: Path | None) -> None:
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
        if database is not None:
            owner_only(database)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def owner_only(database: Path) -> None:
    """Make the SQLite file and its WAL and shared-memory files readable by their owner
    alone (0600): they hold complainants' contacts and password hashes, and SQLite
    creates them with the process's umask (often 0644, readable by every local user)."""
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        with suppress(FileNotFoundError, PermissionError):
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)


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
    bind = session.get_bind()
    lock = _writer_queues.get(bind) if isinstance(bind, Engine) else None
    if lock is not None and session.info.get(_HELD) is None:
        if not session.info.get("manyi_release_listener"):
            event.listen(session, "after_transaction_end", _release_write_lock)
            session.info["manyi_release_listener"] = True
        if lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            session.info[_HELD] = lock
    try:
        session.connection(execution_options={_WRITE_OPTION: True})
    except BaseException:
        _release(session)
        raise


def _release(session: Session) -> None:
    lock = session.info.pop(_HELD, None)
    if lock is not None:
        lock.release()


def _release_write_lock(session: Session, transaction: SessionTransaction) -> None:
    """Hand the write lock on when the session's outermost transaction ends."""
    if transaction.parent is None:
        _release(session)


def create_postgres_database(server_url: str, *, prefix: str) -> str:
    """Create an empty database ``<prefix>_<random>`` on the server of ``server_url``.

    Returns the new database's URL. For test runs and benchmarks, which must not share
    or leave behind a database.
    """
    base = make_url(server_url)
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    """Drop the database ``url`` names, closing its other connections (PostgreSQL 13+)."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


_ADVISORY_NAMESPACE = 0x6D616E79  # "many": keeps manyi's advisory locks apart from others'


def lock_key(session: Session, key: int) -> None:
    """Serialise write transactions that pass the same ``key`` until the transaction ends.

    On PostgreSQL a transaction-level advisory lock, so that check-then-insert (is this a
    repeat? then store) cannot interleave under READ COMMITTED. On SQLite nothing is needed:
    :func:`begin_write` already lets one writer in at a time.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(
                "SELECT pg_advisory_xact_lock(CAST(:namespace AS integer), CAST(:key AS integer))"
            ),
            {"namespace": _ADVISORY_NAMESPACE, "key": key},
        )
