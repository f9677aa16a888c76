"""index campaign comments

The managers' comments page lists a campaign's comments newest first; a partial index on
the responses that have a comment keeps that a short index walk at a million responses.

Revision ID: 7c1e4a9b2d10
Revises: c2e3be266353
Create Date: 2026-11-25 10:45:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '7c1e4a9b2d10'
down_revision: str | None = 'c2e3be266353'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HAS_COMMENT = sa.text("comment <> ''")


def upgrade() -> None:
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.create_index(
            'ix_survey_responses_campaign_comments',
            ['campaign_id', 'submitted_at', 'id'],
            unique=False,
            sqlite_where=HAS_COMMENT,
            postgresql_where=HAS_COMMENT,
        )


def downgrade() -> None:
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_responses_campaign_comments')
