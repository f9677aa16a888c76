"""Hall-limited accounts: the halls a manager's account is limited to (none: every hall).

Revision ID: 97f01fd4d28c
Revises: 8c7d0cc9ab2a
Create Date: 2026-12-03 18:56:31.276842
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "97f01fd4d28c"
down_revision: str | None = "8c7d0cc9ab2a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_sites",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("user_id", "site_id"),
    )
    with op.batch_alter_table("user_sites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sites_site_id"), ["site_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("user_sites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sites_site_id"))

    op.drop_table("user_sites")
