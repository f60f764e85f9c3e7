"""p50/p95 of the supervisors' overview (`services.stats.overview`, the work behind
`GET /api/v1/stats/overview`, `/dashboard` and the reports) over 100 000 cases, on SQLite and on
PostgreSQL (goal: p95 ≤ 100 ms).

    make bench-figures    # or: .venv/bin/python bench/figures.py [--cases 100000] [--n 30]

Seeds the read model directly with bulk inserts (as the projection would write it: ten
municipalities, forty job tracks, every phase, gender, age group and target group, outcomes and
days in programme for the exited, an open task for every tenth case, half of them overdue; each
row carries sealed personal fields and a sealed view of a real case's size, random bytes that
neither database can compress, for the figures must not pay for reading them), in a
fresh SQLite file and a fresh PostgreSQL database on 127.0.0.1:5432 that it drops afterwards.
Then times the overview for AF (every municipality), one municipality, one track and one target
group in a period. With `--explain`, prints PostgreSQL's plan of the cube query.
"""

import argparse
import base64
import os
import random
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402

from services.stats import StatsFilter, overview  # noqa: E402
from store.db import engine_for, session_scope  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from store.models import CaseSummary, Task  # noqa: E402
from tests.stack import fresh_postgres_database  # noqa: E402
from workflows.domain import POSITIVE_OUTCOMES, Phase, TargetGroup  # noqa: E402

MUNICIPALITIES = [f"{n:04d}" for n in range(801, 811)]
TRACKS = [f"bench-track-{n:02d}" for n in range(40)]
OUTCOMES = [o.value for o in POSITIVE_OUTCOMES] + ["seeking_work", "sick", "moved", "other"]
FILTERS = {
    "AF, every municipality": StatsFilter(),
    "one municipality": StatsFilter(municipalities=[MUNICIPALITIES[3]]),
    "one track": StatsFilter(track=TRACKS[7]),
    "KAA in a period": StatsFilter(period_from=date(2025, 1, 1), period_to=date(2025, 12, 31),
                                   target_group=TargetGroup.KAA),
}
CHUNK = 5000
# A sealed view as the read model keeps it: a case's view, about 2 KB of JSON after a few
# actions (recorded journeys answer 1.3-2.6 KB), sealed and in base64.
SEALED_VIEW_BYTES = 2400
SEALED_PERSONAL_BYTES = 200


def pct(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def sealed(rng: random.Random, size: int) -> str:
    """A sealed column's text as the read model holds it (base64): random bytes, which no
    database compresses, as it cannot compress ciphertext."""
    return base64.b64encode(rng.randbytes(size)).decode()


def case_rows(count: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(9)
    opened = datetime(2024, 1, 1, 9, tzinfo=UTC)
    phases = list(Phase)
    for n in range(count):
        phase = phases[rng.randrange(len(phases))]
        exited = phase in (Phase.EXITED, Phase.CLOSED)
        start = opened + timedelta(days=rng.randrange(700))
        days = rng.randrange(20, 800) if exited else None
        youth = rng.random() < 0.3
        yield dict(
            case_id=f"bench-{n:07d}", version=1, phase=phase.value, status="closed" if exited else "active",
            municipality=MUNICIPALITIES[n % len(MUNICIPALITIES)], responsible_worker=f"worker-{n % 300}",
            track_id=TRACKS[rng.randrange(len(TRACKS))] if phase in (Phase.TRACK, Phase.EXITED, Phase.CLOSED)
            and rng.random() < 0.7 else None,
            application_track_id=TRACKS[n % len(TRACKS)] if phase is Phase.TRACK_SELECTION else None,
            application_status="waiting" if phase is Phase.TRACK_SELECTION and n % 3 == 0 else None,
            given_name=None, family_name=None, gender=("woman", "man", "other")[rng.choices((0, 1, 2), (48, 48, 4))[0]],
            birth_date=None, opened_at=start, next_due_at=start + timedelta(days=30), overdue=False,
            exited_on=(start + timedelta(days=days)).date() if days is not None else None,
            exit_reason="work" if exited else None, outcome=rng.choice(OUTCOMES) if exited else None,
            closed_at=None, age_group="16-24" if youth else "25+", youth=youth, kaa=youth and rng.random() < 0.3,
            newly_arrived=rng.random() < 0.25, social_assistance=rng.random() < 0.35, disability=rng.random() < 0.15,
            protected_identity=False, programme_ends_on=None, follow_ups_due=2 if exited else 0,
            follow_ups_on_time=rng.randrange(3) if exited else 0, days_in_programme=days, view={},
            updated_at=start, view_version=1,
            sealed_view=sealed(rng, SEALED_VIEW_BYTES), personal=sealed(rng, SEALED_PERSONAL_BYTES),
        )


def task_rows(count: int) -> Iterator[dict[str, Any]]:
    now = datetime.now(UTC)
    for n in range(0, count, 10):
        yield dict(key=f"bench-task-{n}", case_id=f"bench-{n:07d}", municipality=MUNICIPALITIES[n % 10],
                   kind="reminder", about="introduction", audience="case_worker", assignee=f"worker-{n % 300}",
                   due_at=now + timedelta(days=1 if n % 20 else -1), overdue=False, status="open", created_at=now)


def seed(url: str, count: int) -> float:
    started = time.perf_counter()
    engine = engine_for(url)
    columns = set(CaseSummary.__table__.columns.keys())  # type: ignore[attr-defined]
    with engine.begin() as conn:
        batch: list[dict[str, Any]] = []
        for row in case_rows(count):
            batch.append({k: v for k, v in row.items() if k in columns})
            if len(batch) == CHUNK:
                conn.execute(insert(CaseSummary.__table__), batch)  # type: ignore[attr-defined]
                batch = []
        if batch:
            conn.execute(insert(CaseSummary.__table__), batch)  # type: ignore[attr-defined]
        conn.execute(insert(Task.__table__), list(task_rows(count)))  # type: ignore[attr-defined]
    # As autovacuum leaves a table at rest: its statistics, and on PostgreSQL the visibility map
    # that lets a scan read an index alone.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if url.startswith("postgresql") else "ANALYZE"))
    return time.perf_counter() - started


def measure(url: str, n: int) -> None:
    print(f"{'overview':<26}{'p50':>10}{'p95':>10}  cases counted")
    with session_scope(url) as session:
        for name, f in FILTERS.items():
            overview(session, f)  # warm: the first run pays for the plan and the cache
            samples = []
            for _ in range(n):
                started = time.perf_counter()
                figures = overview(session, f)
                samples.append((time.perf_counter() - started) * 1000)
            print(f"{name:<26}{pct(samples, 50):>8.1f}ms{pct(samples, 95):>8.1f}ms  {figures['cases']}")


def explain(url: str) -> None:
    """PostgreSQL's plan of the cube's GROUP BY, to see where the time goes."""
    from sqlalchemy.dialects import postgresql

    from services.stats import _cube, conditions  # the query as the overview builds it

    with session_scope(url) as session:
        captured: list[Any] = []
        original = session.exec

        def capture(query: Any, *args: Any, **kwargs: Any) -> Any:
            captured.append(query)
            return original(query, *args, **kwargs)

        session.exec = capture  # type: ignore[method-assign]
        _cube(session, conditions(FILTERS["one municipality"]))
        sql = str(captured[0].compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
        for (line,) in session.connection().execute(text(f"EXPLAIN ANALYZE {sql}")):
            print("   ", line)


@contextmanager
def postgres_database() -> Iterator[str | None]:
    """A fresh database on the local PostgreSQL, dropped afterwards; None when none answers."""
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        yield None
        return
    with fresh_postgres_database("samverkan_bench") as url:
        yield url


def run(url: str, label: str, args: argparse.Namespace) -> None:
    upgrade(url)
    seconds = seed(url, args.cases)
    print(f"\n{label}: {args.cases} cases seeded in {seconds:.1f} s; {args.n} runs per filter")
    measure(url, args.n)
    if args.explain and url.startswith("postgresql"):
        explain(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    print(f"machine load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a busy machine stretches the p95)")
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/bench.db", "SQLite", args)
    with postgres_database() as url:
        if url is None:
            print("\nPostgreSQL does not answer on 127.0.0.1:5432: skipped")
        else:
            run(url, "PostgreSQL", args)
    print(f"machine load {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
