"""case summary: follow-ups due and held on time, days in programme; steering-group reports

Revision ID: 0009
Revises: 0004
Create Date: 2026-11-26 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0009'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows written before get these with the case's next projection, or by a rebuild.
    with op.batch_alter_table('case_summary', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follow_ups_due', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('follow_ups_on_time', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('days_in_programme', sa.Integer(), nullable=True))
    op.create_table(
        'report',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('period_from', sa.Date(), nullable=False),
        sa.Column('period_to', sa.Date(), nullable=False),
        sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('made_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.Column('html', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('csv', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_kind'), ['kind'], unique=False)
    # The figures group by these: indexes keep the overview fast on 100 000 cases.
    with op.batch_alter_table('case_summary', schema=None) as batch_op:
        batch_op.create_index('ix_case_summary_figures', ['municipality', 'gender', 'age_group', 'phase'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_summary', schema=None) as batch_op:
        batch_op.drop_index('ix_case_summary_figures')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_kind'))
    op.drop_table('report')
    with op.batch_alter_table('case_summary', schema=None) as batch_op:
        batch_op.drop_column('days_in_programme')
        batch_op.drop_column('follow_ups_on_time')
        batch_op.drop_column('follow_ups_due')
