"""On SQLite the supervisors' figures are counted from indexes alone: a case's row carries its
sealed view (kilobytes), and reading 100 000 of them cost the overview 538 ms against 214 ms
(bench/figures.py). Whatever column a figure or a scope comes to read must be in the index.
AF's, over every case, are read in the indexes' order, without sorting."""

import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Select
from sqlalchemy.dialects import sqlite

from bench.figures import FILTERS, MUNICIPALITIES, seed
from services.stats import StatsFilter, conditions, cube_query, days_query, overdue_query, waiting_query
from store.migrate import upgrade

SCOPES = {
    "AF, every municipality": StatsFilter(),
    "a municipal supervisor": StatsFilter(municipalities=[MUNICIPALITIES[2]]),
    "one municipality": StatsFilter(municipality=MUNICIPALITIES[4]),
    "a municipality in a period": StatsFilter(municipality=MUNICIPALITIES[4], period_from=date(2024, 3, 1),
                                              period_to=date(2024, 8, 31)),
}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('figures') / 'figures.db'}"
    upgrade(url)
    seed(url, 3000)  # and ANALYZE, so the planner knows the table as a real one
    return url


def plan(url: str, query: Select[Any]) -> str:
    """SQLite's plan of `query`, asked on a connection of its own."""
    sql = str(query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    with closing(sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)) as connection:
        return " | ".join(row[-1] for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}"))


def reads_every_row(plan: str) -> bool:
    return "SCAN case_summary" in plan and "COVERING INDEX" not in plan


@pytest.mark.parametrize("scope", SCOPES)
def test_the_figures_are_counted_from_the_index_alone(seeded: str, scope: str) -> None:
    where = conditions(SCOPES[scope])
    cube = plan(seeded, cube_query(where))
    if scope == "AF, every municipality":  # every case's cell, from the cube's index in its order
        assert "USING COVERING INDEX ix_case_summary_cube" in cube and "TEMP B-TREE" not in cube
        days = plan(seeded, days_query(where))
        assert "USING COVERING INDEX ix_case_summary_days" in days and "TEMP B-TREE" not in days
    else:  # a scope's, found by the municipality
        assert "USING COVERING INDEX ix_case_summary_figures" in cube
    # The waiting cases are found by their own index (only their rows are read, a few in a hundred).
    assert not reads_every_row(plan(seeded, waiting_query(where)))


@pytest.mark.parametrize("scope", [*SCOPES, "one track", "KAA in a period"])
def test_the_exited_cases_days_are_read_from_an_index_alone(seeded: str, scope: str) -> None:
    days = plan(seeded, days_query(conditions(SCOPES.get(scope) or FILTERS[scope])))
    assert "COVERING INDEX" in days, days  # the figures' or the exited cases' days'


def test_the_late_tasks_cases_are_looked_up_in_an_index_alone(seeded: str) -> None:
    late = plan(seeded, overdue_query(conditions(SCOPES["AF, every municipality"]), datetime.now(UTC)))
    assert "SEARCH case_summary USING COVERING INDEX ix_case_summary_phase_by_case" in late, late


def test_without_the_indexes_every_row_is_read(seeded: str) -> None:
    """The checks above can fail: without the figures' indexes the same query reads the table."""
    path = seeded.removeprefix("sqlite:///")
    dropped = ("ix_case_summary_figures", "ix_case_summary_cube")
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        made = [sql for name, sql in connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
                if name in dropped]
        for name in dropped:
            connection.execute(f"DROP INDEX {name}")
    try:
        assert len(made) == len(dropped)
        assert reads_every_row(plan(seeded, cube_query(conditions(SCOPES["AF, every municipality"]))))
    finally:
        with closing(sqlite3.connect(path, isolation_level=None)) as connection:
            for sql in made:
                connection.execute(sql)
