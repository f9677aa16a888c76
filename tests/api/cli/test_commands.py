"""The ``manyi`` command line: migrate, demo, user add, qr."""

from collections.abc import Callable
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, text
from sqlmodel import Session, col, select
from typer.testing import CliRunner, Result

from api.cli import app
from survey.db import make_engine
from survey.models import (
    Counter,
    DutyShift,
    QrLink,
    Site,
    StaffMember,
    SurveyResponse,
    User,
    UserSite,
)
from tests.factories import FixedClock

runner = CliRunner()


@pytest.fixture
def manyi(clock: FixedClock) -> Callable[..., Result]:
    """Run a ``manyi`` command in-process with the tests' clock as its "now"."""

    def invoke(args: list[str], **options: Any) -> Result:
        return runner.invoke(app, args, obj=clock, **options)

    return invoke


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the command line at a fresh SQLite data directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MANYI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("MANYI_DATABASE_URL", raising=False)
    return tmp_path / "data"


def test_demo_seeds_once_writes_posters_that_scan_to_working_urls(
    sqlite_env: Path, manyi: Callable[..., Result], clock: FixedClock
) -> None:
    result = manyi(["demo", "--no-serve", "--responses", "300", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "password 'demo'" in result.output
    assert "http://127.0.0.1:8123/s/" in result.output

    engine = make_engine(f"sqlite:///{sqlite_env / 'manyi.sqlite3'}")
    own = select(func.count()).select_from(SurveyResponse).where(SurveyResponse.campaign_id == 1)
    with Session(engine) as session:
        assert session.exec(own).one() == 300  # and the regulator's evaluation has its own
        # The demo's six months of answers end at the command's clock, not the system's.
        newest = session.exec(select(func.max(SurveyResponse.submitted_at))).one()
        assert newest is not None
        assert clock.now - timedelta(days=7) < newest.replace(tzinfo=UTC) <= clock.now
        tokens = set(session.exec(select(QrLink.token)).all())
        assert len(session.exec(select(User)).all()) == 4

    pngs = sorted((sqlite_env / "posters").glob("*.png"))
    assert len(pngs) == 6  # one per counter
    assert len(list((sqlite_env / "posters").glob("*.pdf"))) == 2  # one sheet per site
    decoded = zxingcpp.read_barcodes(Image.open(pngs[0]))
    assert len(decoded) == 1
    url = decoded[0].text
    assert url.startswith("http://127.0.0.1:8123/s/")
    assert url.rsplit("/", 1)[1] in tokens

    again = manyi(["demo", "--no-serve", "--responses", "300"])
    assert again.exit_code == 0
    with Session(engine) as session:
        assert session.exec(own).one() == 300
    engine.dispose()


def test_qr_writes_svg_for_one_site(sqlite_env: Path, manyi: Callable[..., Result]) -> None:
    manyi(["demo", "--no-serve", "--responses", "0"])
    out = sqlite_env.parent / "svg"
    result = manyi(["qr", "--out", str(out), "--site", "2", "--format", "svg"])
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.svg"))
    # Three counters, each with a poster of the demo's campaign and one of the
    # regulator's evaluation the hall takes part in.
    assert len(files) == 6
    assert all(f.name.startswith("site-2-") for f in files)
    one = manyi(
        ["qr", "--out", str(out / "one"), "--site", "2", "--campaign", "1", "--format", "svg"]
    )
    assert one.exit_code == 0, one.output
    assert len(list((out / "one").glob("*.svg"))) == 3


def test_qr_refuses_an_unknown_format(sqlite_env: Path, manyi: Callable[..., Result]) -> None:
    result = manyi(["qr", "--out", "x", "--format", "gif"])
    assert result.exit_code == 2
    assert "png, svg or pdf" in result.output


def test_user_add_creates_a_scoped_account(sqlite_env: Path, manyi: Callable[..., Result]) -> None:
    assert manyi(["migrate"]).exit_code == 0
    manyi(["demo", "--no-serve", "--responses", "0"])
    result = runner.invoke(
        app,
        ["user", "add", "li", "--role", "manager", "--organisation", "1"],
        input="orbit-lantern-77\norbit-lantern-77\n",
    )
    assert result.exit_code == 0, result.output
    bad = runner.invoke(
        app,
        ["user", "add", "zhao", "--role", "manager", "--organisation", "99"],
        input="orbit-lantern-77\norbit-lantern-77\n",
    )
    assert bad.exit_code == 2
    assert "Unknown organisation" in bad.output


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("demo", "at least 12 characters"),
        ("abcd", "at least 12 characters"),
        ("password1234", "too easy to guess"),
        ("wang-wang-wang", "too easy to guess"),  # the username, repeated
    ],
)
def test_user_add_refuses_what_signing_in_would_refuse(
    sqlite_env: Path, manyi: Callable[..., Result], password: str, message: str
) -> None:
    """The command line applies the password policy of every other way in: the demo's
    password, a short one, a common one or one made of the username is refused (exit 2,
    the field named) and no account is made."""
    manyi(["demo", "--no-serve", "--responses", "0"])
    refused = runner.invoke(
        app,
        ["user", "add", "wang", "--role", "manager", "--organisation", "1"],
        input=f"{password}\n{password}\n",
    )
    assert refused.exit_code == 2 and "password" in refused.output and message in refused.output
    engine = make_engine(f"sqlite:///{sqlite_env / 'manyi.sqlite3'}")
    with Session(engine) as session:
        assert session.exec(select(User).where(User.username == "wang")).first() is None


def test_user_add_limits_a_manager_to_halls(sqlite_env: Path, manyi: Callable[..., Result]) -> None:
    """``--site`` limits a manager to halls of their organisation; a hall that is not
    theirs, or a limit on another role, is refused with exit code 2, the field named, and
    no account made."""
    manyi(["demo", "--no-serve", "--responses", "0"])
    engine = make_engine(f"sqlite:///{sqlite_env / 'manyi.sqlite3'}")
    with Session(engine) as session:
        site_id = session.exec(select(Site.id).order_by(col(Site.id))).first()
    password = "orbit-lantern-77\norbit-lantern-77\n"
    base = ["user", "add", "--organisation", "1"]
    good = runner.invoke(
        app, [*base, "hall", "--role", "manager", "--site", str(site_id)], input=password
    )
    assert good.exit_code == 0, good.output
    assert f"limited to halls {site_id}" in good.output
    for name, role, site in (("x1", "manager", "99999"), ("x2", "admin", str(site_id))):
        bad = runner.invoke(app, [*base, name, "--role", role, "--site", site], input=password)
        assert bad.exit_code == 2 and "halls" in bad.output, bad.output
    with Session(engine) as session:
        assert session.exec(select(UserSite.site_id)).all() == [site_id]
        assert session.exec(select(User).where(col(User.username).in_(["x1", "x2"]))).all() == []


def test_links_create_and_revoke(sqlite_env: Path, manyi: Callable[..., Result]) -> None:
    manyi(["demo", "--no-serve", "--responses", "0"])
    none_missing = manyi(["links", "create", "--campaign", "1"])
    assert none_missing.exit_code == 0, none_missing.output
    assert "created 0 link(s)" in none_missing.output
    engine = make_engine(f"sqlite:///{sqlite_env / 'manyi.sqlite3'}")
    with Session(engine) as session:
        token = session.exec(select(QrLink.token).where(QrLink.rotating == False)).first()  # noqa: E712
    assert token
    revoked = manyi(["links", "revoke", token])
    assert revoked.exit_code == 0, revoked.output
    recreated = manyi(["links", "create", "--campaign", "1"])
    assert "created 1 link(s)" in recreated.output
    assert "/s/" in recreated.output
    assert manyi(["links", "revoke", "no-such-token"]).exit_code == 2
    assert manyi(["links", "create", "--campaign", "99"]).exit_code == 2
    engine.dispose()


def test_stats_rebuild_recomputes_the_aggregates_and_reports_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, manyi: Callable[..., Result]
) -> None:
    """``manyi stats rebuild`` restores deleted aggregates from the raw answers, saying how
    far it has come; an unknown campaign is a clear error (exit 2)."""
    monkeypatch.setenv("MANYI_DATA_DIR", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("MANYI_DATABASE_URL", url)
    assert manyi(["demo", "--no-serve", "--responses", "120"]).exit_code == 0
    engine = make_engine(url)
    with engine.begin() as connection:
        before = connection.execute(text("SELECT SUM(n) FROM stat_sums")).scalar_one()
        stored = connection.execute(text("SELECT COUNT(*) FROM survey_responses")).scalar_one()
        connection.execute(text("DELETE FROM stat_sums"))
    assert stored > 120  # the demo's 120 and the regulator's evaluation's
    result = manyi(["stats", "rebuild"])
    assert result.exit_code == 0, result.output
    assert f"from {stored} responses" in result.output
    assert "campaign 1: " in result.output
    with engine.begin() as connection:
        assert connection.execute(text("SELECT SUM(n) FROM stat_sums")).scalar_one() == before
    unknown = manyi(["stats", "rebuild", "--campaign", "99"])
    assert unknown.exit_code == 2
    assert "no campaign 99" in unknown.output


def test_migrate_fills_the_aggregates_of_an_older_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, manyi: Callable[..., Result]
) -> None:
    """A database with responses but no aggregates (made before they existed) gets them
    rebuilt by ``manyi migrate``, so reports are not silently empty."""
    monkeypatch.setenv("MANYI_DATA_DIR", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    monkeypatch.setenv("MANYI_DATABASE_URL", url)
    assert manyi(["demo", "--no-serve", "--responses", "50"]).exit_code == 0
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM stat_sums"))
    result = manyi(["migrate"])
    assert result.exit_code == 0, result.output
    assert "rebuilding them once" in result.output
    with engine.begin() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM stat_sums")).scalar_one() > 0


def test_import_command_loads_paper_answers_or_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, manyi: Callable[..., Result]
) -> None:
    """``manyi import`` stores a clean file and says how many rows; a bad line is named and
    nothing is stored (exit 2); an unknown campaign is a clear error."""
    monkeypatch.setenv("MANYI_DATA_DIR", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'import.sqlite3'}"
    monkeypatch.setenv("MANYI_DATABASE_URL", url)
    assert manyi(["demo", "--no-serve", "--responses", "30"]).exit_code == 0
    engine = make_engine(url)
    with engine.begin() as connection:
        site, counter = connection.execute(
            text("SELECT s.name, c.code FROM counters c JOIN sites s ON s.id = c.site_id")
        ).first() or ("", "")
        day = connection.execute(text("SELECT starts_on FROM campaigns WHERE id = 1")).scalar_one()
    answers = ",".join(["5"] * 22 + ["6"] * 22)
    header = ",".join(["site", "counter", "date"] + [f"E{i}" for i in range(1, 23)])
    header += "," + ",".join(f"P{i}" for i in range(1, 23)) + ",overall"
    good = tmp_path / "paper.csv"
    good.write_text(f"{header}\n{site},{counter},{day},{answers},4\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{header}\n{site},{counter},{day},{answers},9\n", encoding="utf-8")

    refused = manyi(["import", str(bad), "--campaign", "1"])
    assert refused.exit_code == 2
    assert "line 2, column overall" in refused.output
    assert "nothing was imported" in refused.output
    assert manyi(["import", str(good), "--campaign", "99"]).exit_code == 2
    done = manyi(["import", str(good), "--campaign", "1"])
    assert done.exit_code == 0, done.output
    assert "imported 1 responses" in done.output
    with engine.begin() as connection:
        own = text("SELECT COUNT(*) FROM survey_responses WHERE campaign_id = 1")
        assert connection.execute(own).scalar() == 31


def test_cases_sweep_escalates_an_overdue_case_once(
    sqlite_env: Path, manyi: Callable[..., Result], clock: FixedClock
) -> None:
    """A simple case received twelve days ago is long past its one working hour (and its
    second limit) on any calendar, holidays included: the first sweep records its
    warnings, both escalations and the escalated state; the second nothing."""
    from survey.cases.handling import file_feedback
    from survey.cases.rules import Severity
    from survey.models import FeedbackKind, FeedbackSource, Site

    assert manyi(["demo", "--no-serve", "--responses", "0"]).exit_code == 0
    engine = make_engine(f"sqlite:///{sqlite_env / 'manyi.sqlite3'}")
    with Session(engine) as session:
        site = session.exec(select(Site)).first()
        assert site is not None
        file_feedback(
            session,
            organisation_id=site.organisation_id,
            kind=FeedbackKind.complaint,
            source=FeedbackSource.hotline,
            text="没人接电话",
            now=clock.now - timedelta(days=12),
            site_id=site.id,
            severity=Severity.simple,
        )
    first = manyi(["cases", "sweep"])
    assert first.exit_code == 0, first.output
    assert "2 escalation(s)" in first.output
    second = manyi(["cases", "sweep"])
    assert "recorded 0 event(s)" in second.output
    purge = manyi(["cases", "purge"])
    assert purge.exit_code == 0 and "redacted 0 complaint(s)" in purge.output


def test_appoint_a_supervisor_with_a_credential(
    sqlite_env: Path, manyi: Callable[..., Result]
) -> None:
    from survey.models import SupervisorCredential

    assert manyi(["demo", "--no-serve", "--responses", "0"]).exit_code == 0
    args = ["supervisor", "zhou", "--credential", "JD-2027-0001", "--organisation", "1"]
    ok = manyi(
        [*args, "--valid-from", "2027-01-01", "--valid-until", "2027-12-31", "--name", "周敏"],
        input="orbit-lantern-77\norbit-lantern-77\n",
    )
    assert ok.exit_code == 0, ok.output
    engine = make_engine(f"sqlite:///{sqlite_env / 'manyi.sqlite3'}")
    with Session(engine) as session:
        user = session.exec(select(User).where(User.username == "zhou")).one()
        credential = session.get(SupervisorCredential, user.id)
        assert credential is not None and credential.number == "JD-2027-0001"
        assert str(credential.valid_until) == "2027-12-31"
    backwards = manyi(
        [
            "supervisor",
            "wu",
            "--credential",
            "JD-2027-0002",
            "--organisation",
            "1",
            "--valid-from",
            "2027-12-31",
            "--valid-until",
            "2027-01-01",
        ],
        input="orbit-lantern-77\norbit-lantern-77\n",
    )
    assert backwards.exit_code == 2
    assert "ends before it starts" in backwards.output


def test_duty_start_list_and_end(sqlite_env: Path, manyi: Callable[..., Result]) -> None:
    """``manyi duty start`` puts a clerk of the hall on duty at a counter (the one on duty
    there goes off), ``list`` marks the running shift, ``end`` ends it; a clerk of another
    hall, an unknown counter or an unreadable time is exit code 2 with the field named."""
    manyi(["demo", "--no-serve", "--responses", "0"])
    engine = make_engine(f"sqlite:///{sqlite_env / 'manyi.sqlite3'}")
    with Session(engine) as session:
        site_id, other_site = session.exec(select(Site.id).order_by(col(Site.id))).all()[:2]
        counter = session.exec(select(Counter).where(Counter.site_id == site_id)).first()
        floater = session.exec(
            select(StaffMember).where(
                StaffMember.site_id == site_id, col(StaffMember.counter_id).is_(None)
            )
        ).first()
        stranger = session.exec(
            select(StaffMember).where(StaffMember.site_id == other_site)
        ).first()
    assert counter is not None and floater is not None and stranger is not None
    started = manyi(["duty", "start", "--counter", str(counter.id), "--staff", str(floater.id)])
    assert started.exit_code == 0, started.output
    listed = manyi(["duty", "list", "--site", str(site_id)])
    running = [line for line in listed.output.splitlines() if line.startswith("*")]
    assert [line.split("\t")[2] for line in running if f"\t{counter.code}\t" in line] == [
        floater.job_number
    ]
    for args, field in (
        (["--counter", str(counter.id), "--staff", str(stranger.id)], "staff"),
        (["--counter", "999999", "--staff", str(floater.id)], "counter"),
        (["--counter", str(counter.id), "--staff", str(floater.id), "--until", "9h"], "until"),
    ):
        refused = manyi(["duty", "start", *args])
        assert refused.exit_code == 2 and field in refused.output, refused.output
    ended = manyi(["duty", "end", "--counter", str(counter.id)])
    assert ended.exit_code == 0 and "ended 1 shift(s)" in ended.output
    with Session(engine) as session:
        assert (
            session.exec(
                select(func.count())
                .select_from(DutyShift)
                .where(DutyShift.counter_id == counter.id, col(DutyShift.ends_at).is_(None))
            ).one()
            == 0
        )
