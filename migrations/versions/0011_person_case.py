"""person_case: every case of a person by its keyed hash, for the register extract

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'person_case',
        sa.Column('case_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('person_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint('case_id'),
    )
    op.create_index(op.f('ix_person_case_person_key'), 'person_case', ['person_key'], unique=False)
    # The open cases are known by their person already; closed ones opened before this
    # revision kept no link to their person and are not found by an extract.
    op.execute('INSERT INTO person_case (case_id, person_key) SELECT case_id, person_key FROM open_person')


def downgrade() -> None:
    op.drop_index(op.f('ix_person_case_person_key'), table_name='person_case')
    op.drop_table('person_case')
