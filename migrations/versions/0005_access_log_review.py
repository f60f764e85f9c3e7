"""access log review and history exports: the reader's role and organisation, the case's
municipality and the review flags on each read; a registry of the history exports made

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-23 21:25:22
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('history_export',
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('case_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('exported_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('exported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('sha256')
    )
    with op.batch_alter_table('history_export', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_history_export_case_id'), ['case_id'], unique=False)

    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('organisation', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('municipality', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        # Reads logged before this revision were not judged: they carry no flag.
        batch_op.add_column(sa.Column('outside_caseload', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('outside_hours', sa.Boolean(), nullable=False, server_default=sa.false()))
        # A decode through the codec may name no case.
        batch_op.alter_column('case_id', existing_type=sa.VARCHAR(), nullable=True)
        batch_op.create_index(batch_op.f('ix_access_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_log_municipality'), ['municipality'], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM access_log WHERE case_id IS NULL")
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_log_municipality'))
        batch_op.drop_index(batch_op.f('ix_access_log_at'))
        batch_op.alter_column('case_id', existing_type=sa.VARCHAR(), nullable=False)
        batch_op.drop_column('outside_hours')
        batch_op.drop_column('outside_caseload')
        batch_op.drop_column('municipality')
        batch_op.drop_column('organisation')
        batch_op.drop_column('role')

    with op.batch_alter_table('history_export', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_history_export_case_id'))

    op.drop_table('history_export')
