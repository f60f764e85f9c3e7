"""case summary: indexes for the figures of the whole country (AF)

An index of the exited cases' days in programme by gender, age group, track and day, then every
column a scope filters on, for the exited cases only: an overview reads the exited cases' days
from it alone, AF's in its order (PostgreSQL 40 → 11 ms over 100 000 cases, where it read the
whole table; SQLite 31 ms, where it read the figures index). Cases still in the programme are not in it, so a change to one of them does not
write it.

On SQLite, an index of the supervisors' cube's keys in its GROUP BY order
(services.stats.cube_query), with every column they are made of: AF's cube of 100 000 cases is
counted from it alone without sorting (143 → 35 ms). Its expressions are the query's to the
letter (store/cube_keys.py); SQLite reads them from the index only then.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-25 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EXITED = sa.text("days_in_programme IS NOT NULL")
# Written out, not imported: a migration stays what it was when the models move on.
DAYS_COLUMNS = (
    "gender", "age_group", "track_id", "days_in_programme", "municipality", "youth", "kaa", "newly_arrived",
    "social_assistance", "disability", "opened_at", "exited_on",
)


CUBE_COLUMNS = [
    "gender", "age_group", "track_id", "phase",
    sa.text("(CASE WHEN outcome IS NULL THEN 'none' WHEN outcome IN ('own_business', 'studies', 'subsidised_work', "
            "'work') THEN 'positive' ELSE 'other' END)"),
    sa.text("(CAST(youth AS INTEGER) * 1 + CAST(kaa AS INTEGER) * 2 + CAST(newly_arrived AS INTEGER) * 4 "
            "+ CAST(social_assistance AS INTEGER) * 8 + CAST(disability AS INTEGER) * 16)"),
    "follow_ups_due", "follow_ups_on_time", "outcome", "youth", "kaa", "newly_arrived", "social_assistance",
    "disability",
]


def upgrade() -> None:
    op.create_index("ix_case_summary_days", "case_summary", list(DAYS_COLUMNS), unique=False,
                    postgresql_where=EXITED, sqlite_where=EXITED)
    if op.get_bind().dialect.name == "sqlite":
        op.create_index("ix_case_summary_cube", "case_summary", CUBE_COLUMNS, unique=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_case_summary_cube", table_name="case_summary")
    op.drop_index("ix_case_summary_days", table_name="case_summary")
