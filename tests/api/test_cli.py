"""The ``manyi`` command line: migrate, demo, user add, qr."""

from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.cli import app
from survey.db import make_engine
from survey.models import QrLink, SurveyResponse, User

runner = CliRunner()


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the command line at a fresh SQLite data directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MANYI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("MANYI_DATABASE_URL", raising=False)
    return tmp_path / "data"


def test_demo_seeds_once_writes_posters_that_scan_to_working_urls(sqlite_env: Path) -> None:
    result = runner.invoke(app, ["demo", "--no-serve", "--responses", "300", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "password 'demo'" in result.output
    assert "http://127.0.0.1:8123/s/" in result.output

    engine = make_engine(f"sqlite:///{sqlite_env / 'manyi.sqlite3'}")
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(SurveyResponse)).one() == 300
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

    again = runner.invoke(app, ["demo", "--no-serve", "--responses", "300"])
    assert again.exit_code == 0
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(SurveyResponse)).one() == 300
    engine.dispose()


def test_qr_writes_svg_for_one_site(sqlite_env: Path) -> None:
    runner.invoke(app, ["demo", "--no-serve", "--responses", "0"])
    out = sqlite_env.parent / "svg"
    result = runner.invoke(app, ["qr", "--out", str(out), "--site", "2", "--format", "svg"])
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.svg"))
    assert len(files) == 3
    assert all(f.name.startswith("site-2-") for f in files)


def test_qr_refuses_an_unknown_format(sqlite_env: Path) -> None:
    result = runner.invoke(app, ["qr", "--out", "x", "--format", "gif"])
    assert result.exit_code == 2
    assert "png, svg or pdf" in result.output


def test_user_add_creates_a_scoped_account(sqlite_env: Path) -> None:
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    runner.invoke(app, ["demo", "--no-serve", "--responses", "0"])
    result = runner.invoke(
        app,
        ["user", "add", "li", "--role", "regulator", "--organisation", "1"],
        input="pa55word\npa55word\n",
    )
    assert result.exit_code == 0, result.output
    bad = runner.invoke(
        app,
        ["user", "add", "zhao", "--role", "manager", "--organisation", "99"],
        input="pa55word\npa55word\n",
    )
    assert bad.exit_code == 2
    assert "Unknown organisation" in bad.output


def test_links_create_and_revoke(sqlite_env: Path) -> None:
    runner.invoke(app, ["demo", "--no-serve", "--responses", "0"])
    none_missing = runner.invoke(app, ["links", "create", "--campaign", "1"])
    assert none_missing.exit_code == 0, none_missing.output
    assert "created 0 link(s)" in none_missing.output
    engine = make_engine(f"sqlite:///{sqlite_env / 'manyi.sqlite3'}")
    with Session(engine) as session:
        token = session.exec(select(QrLink.token).where(QrLink.rotating == False)).first()  # noqa: E712
    assert token
    revoked = runner.invoke(app, ["links", "revoke", token])
    assert revoked.exit_code == 0, revoked.output
    recreated = runner.invoke(app, ["links", "create", "--campaign", "1"])
    assert "created 1 link(s)" in recreated.output
    assert "/s/" in recreated.output
    assert runner.invoke(app, ["links", "revoke", "no-such-token"]).exit_code == 2
    assert runner.invoke(app, ["links", "create", "--campaign", "99"]).exit_code == 2
    engine.dispose()
