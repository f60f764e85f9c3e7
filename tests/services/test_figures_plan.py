"""On PostgreSQL the planner guesses the supervisors' cube at thousands of cells, not one per
case, so it may count the cases in parallel workers (services.stats.TARGET_GROUPS: the target
groups as one key, not five); and every exited case's days are read from their own index alone
(migration 0017). Over 100 000 cases the cube took 87 ms in one process and 50 in three, the
days 40 ms and 11 (bench/PROFILE.md)."""

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Select, func, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from bench.figures import seed
from services.stats import OUTCOME_CLASS, StatsFilter, conditions, cube_query, days_query
from store.cases import TARGET_GROUP_COLUMNS
from store.db import engine_for
from store.migrate import upgrade
from store.models import CaseSummary

AF = conditions(StatsFilter())
CASES = 20_000  # enough that most cells hold several


@pytest.fixture(scope="module")
def seeded(postgres_databases: Callable[[], str]) -> Iterator[Connection]:
    url = postgres_databases()
    upgrade(url)
    seed(url, CASES)  # and VACUUM ANALYZE, as autovacuum leaves a table at rest
    with engine_for(url).connect() as connection:
        yield connection


def sql(query: Select[Any]) -> str:
    return str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def plan(connection: Connection, query: Select[Any]) -> dict[str, Any]:
    (explained,) = connection.execute(text(f"EXPLAIN (FORMAT JSON) {sql(query)}")).one()
    top: dict[str, Any] = (explained if isinstance(explained, list) else json.loads(explained))[0]["Plan"]
    return top


def cells_guessed_and_counted(connection: Connection, query: Select[Any]) -> tuple[int, int]:
    return plan(connection, query)["Plan Rows"], len(connection.execute(text(sql(query))).all())


def test_the_planner_does_not_guess_a_cell_per_case(seeded: Connection) -> None:
    guessed, counted = cells_guessed_and_counted(seeded, cube_query(AF))
    assert counted / 3 < guessed < CASES / 2, (guessed, counted)


def test_with_the_target_groups_as_five_keys_it_did(seeded: Connection) -> None:
    """The check above can fail: grouped by each target group's column, the guess is the cases."""
    keys = [CaseSummary.gender, CaseSummary.age_group, CaseSummary.track_id, CaseSummary.phase, OUTCOME_CLASS,
            *TARGET_GROUP_COLUMNS.values()]
    five_keys = select(*keys, func.count()).group_by(*keys)
    guessed, _ = cells_guessed_and_counted(seeded, five_keys)
    assert guessed >= CASES / 2, guessed


def test_every_exited_case_s_days_are_read_from_their_own_index(seeded: Connection) -> None:
    def scans(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield node
        for child in node.get("Plans", []):
            yield from scans(child)

    found = [(n["Node Type"], n.get("Index Name")) for n in scans(plan(seeded, days_query(AF)))]
    assert ("Index Only Scan", "ix_case_summary_days") in found, found
