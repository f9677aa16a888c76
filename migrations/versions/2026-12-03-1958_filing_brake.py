"""The filing brake: hashes of a customer's device and network on feedback, by counter and time.

Revision ID: 074be60b2e79
Revises: 668b4815d1b3
Create Date: 2026-12-03 19:58:01.850147
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "074be60b2e79"
down_revision: str | None = "668b4815d1b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("device_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("network_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_index(
            "ix_feedback_counter_received", ["counter_id", "received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_counter_received")
        batch_op.drop_column("network_hash")
        batch_op.drop_column("device_hash")
