"""``manyi`` run in-process on the suite's database (SQLite or PostgreSQL, whichever this
pass tests) with the tests' clock, so what a command stores is checked where the app
would read it. ``test_commands.py`` runs it on a file of its own instead."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from api.cli import app
from tests.factories import FixedClock

Manyi = Callable[..., Result]
runner = CliRunner()


@pytest.fixture
def manyi(
    engine: Engine, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Manyi:
    """Run ``manyi`` on the suite's database; its data directory (secret key, posters) is
    a fresh folder, and no secret key or base URL comes from the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MANYI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MANYI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("MANYI_SECRET_KEY", raising=False)
    monkeypatch.delenv("MANYI_BASE_URL", raising=False)

    def invoke(args: list[str], **options: Any) -> Result:
        return runner.invoke(app, args, obj=clock, **options)

    return invoke
