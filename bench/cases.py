"""Benchmark of the complaint-case reads: the managers' case list, the sweep that runs
before it, one case's page data, and the on-time rates of a year.

Run it from the repository root::

    .venv/bin/python bench/cases.py                     # 1,000 open + 5,000 finished, SQLite
    .venv/bin/python bench/cases.py --open 300 --finished 1000
    .venv/bin/python bench/cases.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

What it does: a scratch database (a SQLite file in a temporary folder, or a PostgreSQL
database ``manyi_bench_<hex>`` dropped at the end) brought to head by the real migrations;
one organisation with 20 halls; ``--finished`` cases received over the year, each answered
and closed, and ``--open`` cases received over the last ten working days, a third
acknowledged, a tenth paused. Every case was filed through ``survey.cases.handling`` (so every
event is real), then swept once. None of this is timed.

Then, in rounds (``--rounds``, after one unmeasured round), each read is timed in-process
on its own session: ``open_cases`` (the list: every open case's clock rebuilt from its
history, most urgent first), ``sweep_all`` (what reading the list runs first; idempotent,
so it records nothing here and measures the check alone), ``finished_cases`` (one page of
50), ``case_detail`` of one case, and ``on_time_rates`` for the year. The baseline,
measured in the same rounds, is ``SELECT 1`` on a fresh session: the ratio says how many
trivial database round trips a read costs, which stays comparable on a noisy machine.
"""

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, Python puts bench/ first on the path, where bench/analytics.py would hide
# the analytics package: look for packages from the repository root instead.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from api.database import upgrade_database  # noqa: E402
from bench.submit import scratch_database  # noqa: E402
from survey.accounts import create_user  # noqa: E402
from survey.cases.handling import (  # noqa: E402
    answer_case,
    change_state,
    confirm_answer,
    file_feedback,
    pause_clock,
    sweep_all,
)
from survey.cases.queries import (  # noqa: E402
    case_detail,
    finished_cases,
    on_time_rates,
    open_cases,
)
from survey.cases.rules import CaseState, Severity  # noqa: E402
from survey.cases.worktime import SHANGHAI, WorkCalendar  # noqa: E402
from survey.db import make_engine  # noqa: E402
from survey.models import FeedbackKind, FeedbackSource, Role  # noqa: E402
from survey.places.organisations import (  # noqa: E402
    create_organisation,
    create_region,
    create_site,
)

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


@contextmanager
def scratch_engine(url: str | None) -> Iterator[Engine]:
    """An engine on an empty scratch database (``bench.submit.scratch_database``)."""
    with tempfile.TemporaryDirectory() as folder, scratch_database(url, Path(folder)) as scratch:
        engine = make_engine(scratch)
        try:
            yield engine
        finally:
            engine.dispose()


def working_moments(calendar: WorkCalendar, days: int, count: int) -> list[datetime]:
    """``count`` moments spread over the working hours of the last ``days`` working days."""
    moments: list[datetime] = []
    day = NOW.date()
    found: list[datetime] = []
    while len(found) < days:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            found.append(datetime(day.year, day.month, day.day, 9, 30, tzinfo=SHANGHAI))
    for index in range(count):
        start = found[index % len(found)]
        moments.append(start + timedelta(minutes=(index * 7) % 360))
    return sorted(moments)


def fill(engine: Engine, n_open: int, n_finished: int) -> tuple[int, int]:
    """The organisation and one open case's id."""
    calendar = WorkCalendar()
    with Session(engine, expire_on_commit=False) as session:
        organisation = create_organisation(session, name="Bench", slug="bench")
        assert organisation.id is not None
        create_region(session, organisation_id=organisation.id, code="1", name="Region 1")
        sites = [
            create_site(
                session,
                organisation_id=organisation.id,
                code=f"H{i}",
                name=f"Hall {i}",
                region_code="1",
            )
            for i in range(20)
        ]
        manager = create_user(
            session,
            username="bench-manager",
            password="bench-pass",  # noqa: S106 - a scratch database's account
            role=Role.manager,
            organisation_ids=[organisation.id],
            now=NOW,
        )
        session.commit()
        assert manager.id is not None

        def complaint(at: datetime, index: int, severity: Severity) -> tuple[int, str]:
            filed = file_feedback(
                session,
                organisation_id=organisation.id or 0,
                kind=FeedbackKind.complaint,
                source=FeedbackSource.hotline,
                text=f"complaint {index}",
                now=at,
                calendar=calendar,
                site_id=sites[index % len(sites)].id,
                severity=severity,
            )
            assert filed.case is not None and filed.case.id is not None
            return filed.case.id, filed.case.public_token

        severities = (Severity.simple, Severity.general, Severity.complex)
        for index, at in enumerate(working_moments(calendar, 240, n_finished)):
            case_id, token = complaint(at, index, severities[index % 3])
            answer_case(
                session,
                case_id,
                text="answered",
                now=at + timedelta(minutes=50),
                user_id=manager.id,
            )
            confirm_answer(session, token, now=at + timedelta(hours=3))
        open_id = 0
        for index, at in enumerate(working_moments(calendar, 10, n_open)):
            open_id, _ = complaint(at, index, severities[index % 3])
            if index % 3 == 0:
                change_state(
                    session,
                    open_id,
                    CaseState.acknowledged,
                    now=at + timedelta(minutes=5),
                    user_id=manager.id,
                )
            if index % 10 == 0:
                pause_clock(
                    session,
                    open_id,
                    now=at + timedelta(minutes=10),
                    reason="waiting",
                    user_id=manager.id,
                )
        sweep_all(session, now=NOW)
        return organisation.id, open_id


def timed(engine: Engine, read: Callable[[Session], object]) -> float:
    with Session(engine, expire_on_commit=False) as session:
        started = time.perf_counter()
        read(session)
        elapsed = time.perf_counter() - started
        session.rollback()
    return elapsed * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--open", type=int, default=1000)
    parser.add_argument("--finished", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with scratch_engine(args.database_url or None) as engine:
        upgrade_database(engine)
        started = time.perf_counter()
        organisation_id, case_id = fill(engine, args.open, args.finished)
        took = time.perf_counter() - started
        print(f"filled {args.open} open and {args.finished} finished cases in {took:.1f} s")
        orgs = frozenset({organisation_id})
        year = (datetime(2026, 1, 1, tzinfo=SHANGHAI), datetime(2027, 1, 1, tzinfo=SHANGHAI))
        reads: dict[str, Callable[[Session], object]] = {
            "baseline SELECT 1": lambda s: s.exec(text("SELECT 1")).all(),  # type: ignore[call-overload]
            "open_cases (list)": lambda s: open_cases(s, organisation_ids=orgs, now=NOW),
            "sweep_all (nothing new)": lambda s: sweep_all(s, now=NOW, organisation_ids=orgs),
            "finished_cases (page)": lambda s: finished_cases(s, organisation_ids=orgs, now=NOW),
            "case_detail": lambda s: case_detail(s, case_id, organisation_ids=orgs, now=NOW),
            "on_time_rates (year)": lambda s: on_time_rates(
                s, organisation_ids=orgs, since=year[0], until=year[1], now=NOW
            ),
        }
        times: dict[str, list[float]] = {name: [] for name in reads}
        for round_ in range(args.rounds + 1):
            for name, read in reads.items():
                elapsed = timed(engine, read)
                if round_:
                    times[name].append(elapsed)
        baseline = statistics.median(times["baseline SELECT 1"])
        print(f"{'read':28} {'median ms':>10} {'p95 ms':>8} {'× baseline':>11}")
        for name, values in times.items():
            ordered = sorted(values)
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            median = statistics.median(values)
            print(f"{name:28} {median:10.1f} {p95:8.1f} {median / baseline:11.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
