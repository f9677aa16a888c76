"""Shared fixtures: a migrated scratch database (SQLite or PostgreSQL), an app, a clock.

No test reads the wall clock. ``clock`` (and ``now``, its reading) stands at 10:30 in
Shanghai on ``MANYI_TEST_TODAY`` (``YYYY-MM-DD``, default 2026-11-24), so a suite that is
green today is green next month; CI runs it on a second date that stresses the calendar.

``MANYI_TEST_DATABASE`` selects the database: ``sqlite`` (default) or a PostgreSQL URL such
as ``postgresql+psycopg://postgres@127.0.0.1:5432/test``. For PostgreSQL a scratch database
is created for the run and dropped afterwards; with ``MANYI_REQUIRE_POSTGRES=1`` (CI) an
unreachable server fails the run instead of skipping.
"""

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text
from sqlmodel import Session

from api.app import create_app
from api.database import downgrade_database, upgrade_database
from api.settings import Settings
from survey.accounts import use_fast_password_hashing_in_tests
from survey.cases.worktime import SHANGHAI
from survey.db import create_postgres_database, drop_postgres_database, make_engine
from tests.factories import FixedClock

TEST_DATABASE = os.environ.get("MANYI_TEST_DATABASE", "sqlite")
DEFAULT_TEST_TODAY = "2026-11-24"
"""The day the tests run on unless ``MANYI_TEST_TODAY`` moves it."""
TEST_TIME_OF_DAY = time(10, 30)
"""A working hour in Shanghai, so case deadlines count from inside the working day."""


def suite_today() -> date:
    """The tests' today: ``MANYI_TEST_TODAY`` or the default."""
    text_value = os.environ.get("MANYI_TEST_TODAY", "") or DEFAULT_TEST_TODAY
    try:
        return date.fromisoformat(text_value)
    except ValueError:
        raise pytest.UsageError(
            f"MANYI_TEST_TODAY={text_value!r} is not a date like 2027-02-18"
        ) from None


def suite_now() -> datetime:
    """The tests' "now": 10:30 Shanghai time on :func:`suite_today`, in UTC."""
    return datetime.combine(suite_today(), TEST_TIME_OF_DAY, tzinfo=SHANGHAI).astimezone(UTC)


def pytest_configure(config: pytest.Config) -> None:
    suite_today()  # a bad MANYI_TEST_TODAY stops the run before any test
    use_fast_password_hashing_in_tests()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL pass runs the tests that reach a database or read the suite's day:
    those using the scratch database (``database_url`` and every fixture built on it), those
    using the clock (the pass runs on another day, to stress the calendar), and those marked
    ``every_database`` (the migrations, which make their own database). A test that does
    neither (the statistics, the templates' rules) would run a second time to the same
    result, so it runs in the SQLite pass alone.

    The browser tests (marked ``browser``) check what a person sees and does on a page:
    layout, charts drawn, accessibility, scripts. Their pages come from the same routes
    the API tests run on both databases, so they run in the SQLite pass alone too, except
    those marked ``every_database`` (the set-up journey from an empty database, which must
    be proved on both)."""
    if TEST_DATABASE == "sqlite":
        return
    keep: list[pytest.Item] = []
    left_out: list[pytest.Item] = []
    for item in items:
        uses = set(getattr(item, "fixturenames", ()))
        marked = item.get_closest_marker("every_database") is not None
        in_browser = item.get_closest_marker("browser") is not None
        needed = marked or (bool(uses & {"database_url", "clock"}) and not in_browser)
        (keep if needed else left_out).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = keep


def pytest_report_header() -> str:
    return (
        f"manyi test database: {TEST_DATABASE.split('@')[-1]}; today: {suite_today().isoformat()}"
    )


def _create_postgres_database(url: str) -> str:
    try:
        return create_postgres_database(url, prefix="manyi_test")
    except Exception as error:
        if os.environ.get("MANYI_REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip(f"PostgreSQL not reachable: {error}")


_drop_postgres_database = drop_postgres_database


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A URL of an empty scratch database for the whole run."""
    if TEST_DATABASE == "sqlite":
        path = tmp_path_factory.mktemp("db") / "manyi.sqlite3"
        yield f"sqlite:///{path}"
        return
    url = _create_postgres_database(TEST_DATABASE)
    yield url
    _drop_postgres_database(url)


@pytest.fixture(scope="session")
def migrated_engine(database_url: str) -> Iterator[Engine]:
    """The scratch database brought to head by the real migrations."""
    engine = make_engine(database_url)
    upgrade_database(engine)
    yield engine
    engine.dispose()


APPEND_ONLY_TABLES = ("case_events", "publications", "reviews")
"""Tables whose rows the database refuses to delete (triggers): emptied around them
(before the other tables, which they refer to)."""

TABLES_CHILD_FIRST = (
    "service_needs",
    "service_promises",
    "corrective_actions",
    "agreement_metrics",
    "agreement_exemptions",
    "agreements",
    "metric_figures",
    "service_outages",
    "services",
    "inspection_results",
    "evidence_photos",
    "inspections",
    "checklist_items",
    "checklists",
    "supervisor_credentials",
    "case_settings",
    "calendar_overrides",
    "cases",
    "feedback",
    "stat_sums",
    "response_importance",
    "response_answers",
    "survey_responses",
    "duty_shifts",
    "qr_links",
    "campaign_sites",
    "campaigns",
    "evaluations",
    "api_tokens",
    "login_sessions",
    "login_failures",
    "account_links",
    "account_changes",
    "user_sites",
    "user_organisations",
    "users",
    "authority_organisations",
    "authorities",
    "staff_members",
    "counters",
    "sites",
    "regions",
    "instrument_texts",
    "instrument_items",
    "instrument_dimensions",
    "instruments",
    "organisations",
    "installation",
)


@pytest.fixture
def engine(migrated_engine: Engine) -> Iterator[Engine]:
    """The migrated database, emptied after each test."""
    yield migrated_engine
    with migrated_engine.begin() as connection:
        for table in APPEND_ONLY_TABLES:
            _empty_append_only(connection, table)
        for table in TABLES_CHILD_FIRST:
            connection.execute(text(f"DELETE FROM {table}"))


def _empty_append_only(connection: Connection, table: str) -> None:
    """PostgreSQL's TRUNCATE fires no row triggers; SQLite has none, so its triggers are
    lifted for the DELETE and put back exactly as the migration made them. Most tests
    write no row there: an empty table is left alone (a TRUNCATE per test and table costs
    PostgreSQL minutes over the suite)."""
    if connection.execute(text(f"SELECT 1 FROM {table} LIMIT 1")).first() is None:
        return
    if connection.dialect.name != "sqlite":
        connection.execute(text(f"TRUNCATE {table}"))
        return
    triggers = connection.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
        {"t": table},
    ).all()
    for name, _sql in triggers:
        connection.execute(text(f"DROP TRIGGER {name}"))
    connection.execute(text(f"DELETE FROM {table}"))
    for _name, sql in triggers:
        connection.execute(text(sql))


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def clock() -> FixedClock:
    """The one clock of a test: the app, the demo and the live server read it."""
    return FixedClock(suite_now())


@pytest.fixture
def now(clock: FixedClock) -> datetime:
    """The clock's reading at the start of the test (UTC)."""
    return clock.now


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        secret_key="test-secret-key",
        base_url="http://testserver",
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def client(settings: Settings, engine: Engine, clock: FixedClock) -> Iterator[TestClient]:
    app = create_app(settings, engine=engine, clock=clock)
    with TestClient(app, headers={"accept": "text/html"}) as test_client:
        yield test_client


__all__ = ["downgrade_database"]
