"""access log batches: entries arrive in batches from the web processes' write-ahead journals

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24 02:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'access_log_batch',
        sa.Column('batch_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('batch_id'),
    )


def downgrade() -> None:
    op.drop_table('access_log_batch')
