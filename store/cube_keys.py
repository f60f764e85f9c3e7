"""The keys the supervisors' cube groups cases by that are no column of their own: the outcome
class and the target groups, as SQL. `services.stats.cube_query` groups by them and
`store.models` indexes them: SQLite reads an expression from an index only where the query's
is the same, to the letter."""

from workflows.domain import POSITIVE_OUTCOMES, TargetGroup

OUTCOME_CLASS_SQL = (
    "CASE WHEN outcome IS NULL THEN 'none' WHEN outcome IN ("
    + ", ".join(f"'{o.value}'" for o in sorted(POSITIVE_OUTCOMES))
    + ") THEN 'positive' ELSE 'other' END"
)
# The target groups one bit each, in this order; each group's column is named by its value. One
# key where five multiplied PostgreSQL's guess of the cube's cells, which was then a cell per
# case, so it counted every case in one process; with one key it guesses thousands and counts
# them in parallel workers (tests/services/test_figures_plan.py).
TARGET_GROUP_BITS = (
    TargetGroup.YOUTH, TargetGroup.KAA, TargetGroup.NEWLY_ARRIVED, TargetGroup.SOCIAL_ASSISTANCE, TargetGroup.DISABILITY
)
TARGET_GROUPS_SQL = " + ".join(
    f"CAST({group.value} AS INTEGER) * {1 << bit}" for bit, group in enumerate(TARGET_GROUP_BITS)
)
