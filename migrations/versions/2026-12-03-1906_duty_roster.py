"""The duty roster: which clerk is on duty at which counter, when (answers are credited to them).

Revision ID: 4aaa2bd690b2
Revises: 97f01fd4d28c
Create Date: 2026-12-03 19:06:11.790143
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import survey.models

revision: str = "4aaa2bd690b2"
down_revision: str | None = "97f01fd4d28c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "duty_shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("staff_member_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", survey.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", survey.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("set_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", survey.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["counter_id"],
            ["counters.id"],
        ),
        sa.ForeignKeyConstraint(
            ["set_by_user_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["staff_member_id"],
            ["staff_members.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("duty_shifts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_duty_shifts_counter_start", ["counter_id", "starts_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_duty_shifts_staff_member_id"), ["staff_member_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("duty_shifts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duty_shifts_staff_member_id"))
        batch_op.drop_index("ix_duty_shifts_counter_start")

    op.drop_table("duty_shifts")
