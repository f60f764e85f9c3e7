"""On SQLite the supervisors' figures are counted from one index alone: a case's row carries its
sealed view (kilobytes), and reading 100 000 of them cost the overview 538 ms against 214 ms
(bench/figures.py). Whatever column a figure or a scope comes to read must be in the index."""

import sqlite3
from contextlib import closing
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Select
from sqlalchemy.dialects import sqlite

from bench.figures import MUNICIPALITIES, seed
from services.stats import StatsFilter, conditions, cube_query, days_query, waiting_query
from store.migrate import upgrade
from store.models import FIGURE_COLUMNS

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
    for query in (cube_query(where), days_query(where)):
        assert "USING COVERING INDEX ix_case_summary_figures" in plan(seeded, query)
    # The waiting cases are found by their own index (only their rows are read, a few in a hundred).
    assert not reads_every_row(plan(seeded, waiting_query(where)))


def test_without_the_index_every_row_is_read(seeded: str) -> None:
    """The check above can fail: without the index the same query reads the table."""
    path = seeded.removeprefix("sqlite:///")
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        connection.execute("DROP INDEX ix_case_summary_figures")
    try:
        assert reads_every_row(plan(seeded, cube_query(conditions(SCOPES["AF, every municipality"]))))
    finally:
        with closing(sqlite3.connect(path, isolation_level=None)) as connection:
            connection.execute(f"CREATE INDEX ix_case_summary_figures ON case_summary ({', '.join(FIGURE_COLUMNS)})")
