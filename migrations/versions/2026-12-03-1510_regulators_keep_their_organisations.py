"""regulators keep their organisations

Regulators' accounts made before authorities existed saw the organisations listed for
them (user_organisations). Each such account gets an authority of its own, named after
it, overseeing exactly those organisations, so it keeps seeing them (on its own pages now)
and nothing stored is lost. Downgrading leaves the authorities (the schema step before
removes them).

Revision ID: 3b7d1e5c9a20
Revises: 5ebc3e16b017
Create Date: 2026-12-03 15:10:00
"""
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import survey.models

revision: str = '3b7d1e5c9a20'
down_revision: str | None = '5ebc3e16b017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    connection = op.get_bind()
    regulators = connection.execute(
        sa.text(
            "SELECT id, username FROM users WHERE role = 'regulator' AND authority_id IS NULL"
            " ORDER BY id"
        )
    ).all()
    now = datetime.now(UTC)
    for user_id, username in regulators:
        authority_id = connection.execute(
            sa.text(
                "INSERT INTO authorities (name, region, created_at)"
                " VALUES (:name, '', :now) RETURNING id"
            ).bindparams(sa.bindparam("now", type_=survey.models.UTCDateTime(timezone=True))),
            {"name": f"{username} (authority)"[:200], "now": now},
        ).scalar_one()
        connection.execute(
            sa.text(
                "INSERT INTO authority_organisations (authority_id, organisation_id, since)"
                " SELECT :authority, organisation_id, :today FROM user_organisations"
                " WHERE user_id = :user"
            ),
            {"authority": authority_id, "today": now.date(), "user": user_id},
        )
        connection.execute(
            sa.text("UPDATE users SET authority_id = :authority WHERE id = :user"),
            {"authority": authority_id, "user": user_id},
        )
        connection.execute(
            sa.text("DELETE FROM user_organisations WHERE user_id = :user"), {"user": user_id}
        )


def downgrade() -> None:
    """Nothing to undo: the authorities go with the schema step before."""
