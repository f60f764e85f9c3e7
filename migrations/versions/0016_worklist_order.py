"""case summary: indexes in the worklist's order, AF's and per municipality

The worklist's first page is read from the front of an index instead of sorting every case in
scope (with a sealed view per row, SQLite's sort read kilobytes per case).

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-25 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNDATED_LAST = sa.text("(next_due_at IS NULL)")


def upgrade() -> None:
    op.create_index("ix_case_summary_due_order", "case_summary", [UNDATED_LAST, "next_due_at", "case_id"], unique=False)
    op.create_index("ix_case_summary_worklist", "case_summary",
                    ["municipality", UNDATED_LAST, "next_due_at", "case_id", "overdue"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_case_summary_worklist", table_name="case_summary")
    op.drop_index("ix_case_summary_due_order", table_name="case_summary")
