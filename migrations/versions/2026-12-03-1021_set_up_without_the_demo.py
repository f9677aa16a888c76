"""set up without the demo

The install's stored public address; regions; a site's own code and opening hours; a
counter's service type; the day a clerk left; a campaign's status. Existing sites get the
code ``S<id>``, existing campaigns are ``running`` (they took answers before), and every
region code a site already names becomes a region named by its code.

Revision ID: 2259ae0358a1
Revises: 1cb864881692
Create Date: 2026-12-03 10:21:27.931426
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import survey.models

revision: str = '2259ae0358a1'
down_revision: str | None = '1cb864881692'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "installation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_base_url", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("changed_at", survey.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "regions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "code"),
    )
    with op.batch_alter_table("regions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_regions_organisation_id"), ["organisation_id"], unique=False
        )
    op.execute(
        "INSERT INTO regions (organisation_id, code, name) "
        "SELECT DISTINCT organisation_id, region_code, region_code FROM sites"
    )

    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                sa.Enum(
                    "draft", "running", "paused", "ended",
                    name="campaignstatus", native_enum=False, length=20,
                ),
                nullable=False,
                server_default="running",
            )
        )

    with op.batch_alter_table("counters", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "service_type",
                sqlmodel.sql.sqltypes.AutoString(length=100),
                nullable=False,
                server_default="",
            )
        )

    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "opening_hours",
                sqlmodel.sql.sqltypes.AutoString(length=100),
                nullable=False,
                server_default="",
            )
        )
    op.execute("UPDATE sites SET code = 'S' || CAST(id AS VARCHAR(20))")
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.alter_column(
            "code", existing_type=sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False
        )
        batch_op.create_unique_constraint("uq_sites_organisation_id_code", ["organisation_id", "code"])

    with op.batch_alter_table("staff_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("left_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_members", schema=None) as batch_op:
        batch_op.drop_column("left_on")
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_constraint("uq_sites_organisation_id_code", type_="unique")
        batch_op.drop_column("opening_hours")
        batch_op.drop_column("code")
    with op.batch_alter_table("counters", schema=None) as batch_op:
        batch_op.drop_column("service_type")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("status")
    with op.batch_alter_table("regions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_regions_organisation_id"))
    op.drop_table("regions")
    op.drop_table("installation")
