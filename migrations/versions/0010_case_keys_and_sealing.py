"""per-case data keys; the case summary's personal fields sealed (names, birth date, view)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'case_key',
        sa.Column('case_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('master_key_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('wrapped', sa.LargeBinary(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('case_id'),
    )
    # The clear columns stay (emptied): the rows from before are sealed by store/prestart.py,
    # which holds the keys a migration does not.
    with op.batch_alter_table('case_summary', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personal', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('sealed_view', sa.Text(), nullable=True))
        batch_op.alter_column('given_name', existing_type=sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        batch_op.alter_column('family_name', existing_type=sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        batch_op.alter_column('birth_date', existing_type=sa.Date(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('case_summary', schema=None) as batch_op:
        batch_op.alter_column('birth_date', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('family_name', existing_type=sqlmodel.sql.sqltypes.AutoString(), nullable=False)
        batch_op.alter_column('given_name', existing_type=sqlmodel.sql.sqltypes.AutoString(), nullable=False)
        batch_op.drop_column('sealed_view')
        batch_op.drop_column('personal')
    op.drop_table('case_key')
