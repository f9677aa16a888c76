"""The migrations build exactly the schema the models describe, and undo cleanly."""

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

from api.database import downgrade_database, upgrade_database
from survey.db import make_engine
from tests.conftest import TEST_DATABASE, _create_postgres_database, _drop_postgres_database


@pytest.fixture
def empty_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A brand-new empty database of the kind under test."""
    if TEST_DATABASE == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('migrations') / 'empty.sqlite3'}"
        engine = make_engine(url)
        yield engine
        engine.dispose()
        return
    url = _create_postgres_database(TEST_DATABASE)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    _drop_postgres_database(url)


def test_upgrade_to_head_matches_the_models_and_downgrade_empties(empty_engine: Engine) -> None:
    upgrade_database(empty_engine)
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []
    tables = set(inspect(empty_engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables

    downgrade_database(empty_engine)
    remaining = set(inspect(empty_engine).get_table_names()) - {"alembic_version"}
    assert remaining == set()
