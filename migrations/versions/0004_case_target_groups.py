"""case summary: age group, target groups, protected identity and programme end, in clear for
the figures and the case list's filters

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:00:00
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TARGET_GROUPS = ('youth', 'kaa', 'newly_arrived', 'social_assistance', 'disability')


def upgrade() -> None:
    with op.batch_alter_table('case_summary', schema=None) as batch_op:
        batch_op.add_column(sa.Column('age_group', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default=''))
        for name in TARGET_GROUPS:
            batch_op.add_column(sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false()))
            batch_op.create_index(batch_op.f(f'ix_case_summary_{name}'), [name], unique=False)
        batch_op.add_column(sa.Column('protected_identity', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('programme_ends_on', sa.Date(), nullable=True))
    # Rows written before: the age group and youth from the birth date (as of today); the rest
    # comes with the case's next projection.
    summaries = sa.table('case_summary', sa.column('case_id'), sa.column('birth_date', sa.Date()),
                         sa.column('age_group'), sa.column('youth', sa.Boolean()))
    bind = op.get_bind()
    today = date.today()
    for case_id, born in bind.execute(sa.select(summaries.c.case_id, summaries.c.birth_date)).all():
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        bind.execute(
            summaries.update().where(summaries.c.case_id == case_id)
            .values(age_group='16-24' if age < 25 else '25+', youth=16 <= age <= 24)
        )


def downgrade() -> None:
    with op.batch_alter_table('case_summary', schema=None) as batch_op:
        batch_op.drop_column('programme_ends_on')
        batch_op.drop_column('protected_identity')
        for name in reversed(TARGET_GROUPS):
            batch_op.drop_index(batch_op.f(f'ix_case_summary_{name}'))
            batch_op.drop_column(name)
        batch_op.drop_column('age_group')
