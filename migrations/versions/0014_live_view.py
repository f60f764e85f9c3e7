"""live view: the state version of a case's sealed view (a read answers from it while current)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-24 07:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_summary", schema=None) as batch_op:
        batch_op.add_column(sa.Column("view_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_summary", schema=None) as batch_op:
        batch_op.drop_column("view_version")
