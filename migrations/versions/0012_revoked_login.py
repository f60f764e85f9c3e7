"""revoked logins: a logout refuses its token or page session until it would have expired

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('revoked_login',
    sa.Column('jti', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('jti')
    )
    with op.batch_alter_table('revoked_login', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revoked_login_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('revoked_login', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revoked_login_expires_at'))
    op.drop_table('revoked_login')
