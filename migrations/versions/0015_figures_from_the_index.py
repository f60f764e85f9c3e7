"""case summary: the figures' index covers every column they read; an index for waiting lists

SQLite then counts the supervisors' figures from the index alone, never reading the rows, which
carry the sealed view (kilobytes each).

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-25 08:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, not imported: a migration stays what it was when the models move on.
FIGURE_COLUMNS = [
    "municipality", "gender", "age_group", "track_id", "phase", "outcome", "youth", "kaa", "newly_arrived",
    "social_assistance", "disability", "follow_ups_due", "follow_ups_on_time", "days_in_programme", "opened_at",
    "exited_on", "application_status", "application_track_id",
]


def upgrade() -> None:
    op.drop_index("ix_case_summary_figures", table_name="case_summary")
    op.create_index("ix_case_summary_figures", "case_summary", FIGURE_COLUMNS, unique=False)
    op.create_index("ix_case_summary_waiting", "case_summary", ["application_status", "application_track_id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_case_summary_waiting", table_name="case_summary")
    op.drop_index("ix_case_summary_figures", table_name="case_summary")
    op.create_index("ix_case_summary_figures", "case_summary", ["municipality", "gender", "age_group", "phase"],
                    unique=False)
