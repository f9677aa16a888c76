"""The migrations build exactly the schema the models describe, and undo cleanly."""

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, SQLModel, select

from api.database import downgrade_database, upgrade_database
from survey.db import make_engine
from survey.models import Authority
from tests.conftest import TEST_DATABASE, _create_postgres_database, _drop_postgres_database

pytestmark = pytest.mark.every_database


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


def test_set_up_migration_keeps_what_sites_and_campaigns_held(empty_engine: Engine) -> None:
    """Sites stored before codes existed get ``S<id>``; their region codes become regions;
    campaigns that took answers stay open (``running``)."""
    upgrade_database(empty_engine, "1cb864881692")
    with empty_engine.begin() as connection:
        connection.execute(
            text("INSERT INTO organisations (id, name, slug, hotline) VALUES (7, 'Org', 'org', '')")
        )
        connection.execute(
            text(
                "INSERT INTO sites (id, organisation_id, name, region_code, address) VALUES "
                "(3, 7, 'Hall A', '440100', ''), (4, 7, 'Hall B', '440100', ''),"
                " (5, 7, 'Hall C', '440300', '')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO instruments (id, key, version, scale_min, scale_max,"
                " overall_min, overall_max, created_at) VALUES"
                " (1, 'servqual', 1, 1, 7, 1, 5, '2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO campaigns (id, organisation_id, instrument_id, name, mode,"
                " starts_on, ends_on, per_staff, ask_importance) VALUES"
                " (9, 7, 1, 'C', 'paired', '2026-01-01', '2026-12-31', false, true)"
            )
        )
    upgrade_database(empty_engine)
    with empty_engine.connect() as connection:
        codes = connection.execute(text("SELECT id, code FROM sites ORDER BY id")).all()
        regions = connection.execute(
            text("SELECT organisation_id, code, name FROM regions ORDER BY code")
        ).all()
        status = connection.execute(text("SELECT status FROM campaigns")).scalar_one()
    assert [tuple(row) for row in codes] == [(3, "S3"), (4, "S4"), (5, "S5")]
    assert [tuple(row) for row in regions] == [(7, "440100", "440100"), (7, "440300", "440300")]
    assert status == "running"


def test_a_regulator_made_before_authorities_keeps_its_organisations(
    empty_engine: Engine,
) -> None:
    """A regulator's account that saw organisations 7 and 8 gets an authority of its own
    over exactly those; a manager's account is left as it was."""
    upgrade_database(empty_engine, "5ebc3e16b017")
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisations (id, name, slug, hotline) VALUES"
                " (7, 'A', 'a', ''), (8, 'B', 'b', ''), (9, 'C', 'c', '')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO users (id, username, display_name, password_hash, role, active,"
                " created_at) VALUES"
                " (1, 'miit', '', 'x', 'regulator', true, '2026-01-01 00:00:00'),"
                " (2, 'wang', '', 'x', 'manager', true, '2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO user_organisations (user_id, organisation_id) VALUES"
                " (1, 7), (1, 8), (2, 9)"
            )
        )
    upgrade_database(empty_engine)
    with empty_engine.connect() as connection:
        users = {
            name: authority
            for name, authority in connection.execute(
                text("SELECT username, authority_id FROM users")
            ).all()
        }
        overseen = connection.execute(
            text(
                "SELECT a.name, o.organisation_id FROM authorities a"
                " JOIN authority_organisations o ON o.authority_id = a.id ORDER BY 2"
            )
        ).all()
        left = connection.execute(
            text("SELECT user_id, organisation_id FROM user_organisations")
        ).all()
    assert users["wang"] is None and users["miit"] is not None
    with Session(empty_engine) as session:
        (authority,) = session.exec(select(Authority)).all()
        assert authority.created_at.tzinfo is not None  # stored as the models store times
    assert [tuple(row) for row in overseen] == [("miit (authority)", 7), ("miit (authority)", 8)]
    assert [tuple(row) for row in left] == [(2, 9)]
