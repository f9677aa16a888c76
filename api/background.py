"""Work the server does on a schedule, beside its requests: recording case clocks' stages,
and (hourly) opening and judging the lifecycle's corrective actions.

A complaint case's warnings (50 %, 80 %) and escalations are recorded by the sweep
(:func:`survey.cases.handling.sweep_all`), never by a page that reads the cases. ``manyi
serve`` and ``manyi demo`` run it every few minutes with APScheduler in the serving process
(with several workers, in the parent that supervises them, so it runs once); installations
that serve another way run ``manyi cases sweep`` from cron. The sweep records each stage
once, so a run that overlaps another records nothing twice.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, tzinfo

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine
from sqlmodel import Session

from survey.cases.handling import sweep_all
from survey.lifecycle.actions import sweep_actions

SWEEP_EVERY = timedelta(minutes=5)
"""How often the server records the clocks' stages: well inside the shortest time limit
(one working hour), so a warning is never later than a few minutes."""

LIFECYCLE_EVERY = timedelta(hours=1)
"""How often the server looks for missed targets and signals: the windows are weeks and
months, so an hour is prompt."""

log = logging.getLogger(__name__)


def sweep_case_clocks(engine: Engine, clock: Callable[[], datetime]) -> int:
    """One sweep of every organisation's open cases; returns how many events it recorded."""
    with Session(engine, expire_on_commit=False) as session:
        recorded = sweep_all(session, now=clock())
    if recorded:
        log.info("case sweep recorded %d event(s)", len(recorded))
    return len(recorded)


def sweep_lifecycle(engine: Engine, clock: Callable[[], datetime], timezone: tzinfo) -> int:
    """Open the corrective actions every organisation's data call for and judge those past
    their due date; returns how many were opened."""
    with Session(engine, expire_on_commit=False) as session:
        opened, measured = sweep_actions(session, now=clock(), timezone=timezone)
    if opened or measured:
        log.info("lifecycle sweep opened %d action(s), measured %d", opened, measured)
    return opened


@contextmanager
def scheduled_case_sweep(
    engine: Engine,
    clock: Callable[[], datetime],
    *,
    every: timedelta = SWEEP_EVERY,
    timezone: tzinfo | None = None,
) -> Iterator[BackgroundScheduler]:
    """Sweep the case clocks now and then ``every`` while the block runs (a daemon thread);
    given the installation's ``timezone``, also the lifecycle's actions every hour."""
    scheduler = BackgroundScheduler(daemon=True)
    if timezone is not None:
        scheduler.add_job(
            sweep_lifecycle,
            "interval",
            args=(engine, clock, timezone),
            seconds=LIFECYCLE_EVERY.total_seconds(),
            next_run_time=datetime.now(UTC) + timedelta(seconds=30),
            id="lifecycle-sweep",
            max_instances=1,
            coalesce=True,
        )
    scheduler.add_job(
        sweep_case_clocks,
        "interval",
        args=(engine, clock),
        seconds=every.total_seconds(),
        next_run_time=datetime.now(UTC),  # the scheduler's own time: start at once
        id="case-sweep",
        max_instances=1,
        coalesce=True,
    )
    scheduler.start()
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=True)
