"""The worklist (`GET /api/v1/cases`) on 100 000 cases written straight into the read model,
on SQLite and on PostgreSQL (a database of its own, dropped afterwards), each served by a web
process of its own on the run's Temporal server."""

import random
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from bench.client import Http
from bench.figures import SEALED_VIEW_BYTES, sealed
from bench.measure import pct, timed_ms
from bench.report import Bound, Figure, Goal
from bench.stack import BenchStack, free_port, login, prepare_database, service_env, web_command
from store.db import engine_for
from store.models import CaseSummary
from store.seed import MUNICIPALITIES
from tests.stack import fresh_postgres_database, postgres_answers
from worker.launch import wait_for_port
from workflows.domain import Phase

WORKLIST_GOAL = Goal(Bound.AT_MOST, 100, proposed=True)
OPEN_PHASES = [p.value for p in Phase if p not in (Phase.CLOSED, Phase.WITHDRAWN)]
BATCH = 5000
WARM_UP = 5
# (who, query, what it shows): a municipal case worker's own municipality, AF's every case.
WORKLISTS = [
    ("handlaggare", {}, "a municipality's case worker (0581, 30 % of the cases)"),
    ("handlaggare", {"overdue": "true"}, "the same, overdue only"),
    ("arbetsformedlare", {}, "AF's case worker (every case)"),
]


def summary_rows(n: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    now = datetime.now(UTC)
    others = [code for code in MUNICIPALITIES if code != "0581"]
    for _ in range(n):
        closed = rng.random() < 0.2
        due = None if closed else now + timedelta(hours=rng.uniform(-24 * 30, 24 * 60))
        yield {
            "case_id": secrets.token_hex(8),
            "version": rng.randint(1, 30),
            "phase": Phase.CLOSED.value if closed else rng.choice(OPEN_PHASES),
            "status": "closed" if closed else "active",
            "municipality": "0581" if rng.random() < 0.3 else rng.choice(others),
            "responsible_worker": "handlaggare",
            "given_name": "Amal",
            "family_name": "Hassan",
            "gender": rng.choice(["woman", "man"]),
            "birth_date": date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28)),
            "opened_at": now - timedelta(days=rng.uniform(0, 700)),
            "next_due_at": due,
            "overdue": due is not None and due < now,
            "closed_at": now if closed else None,
            # The whole view is kept only for closed cases (the read after retention).
            "view": {"timeline": [{"action": "record-follow-up", "summary": "x" * 80}] * 12} if closed else {},
            "updated_at": now,
            # A kept live view of a real case's size (random bytes: no database compresses them).
            "sealed_view": sealed(rng, SEALED_VIEW_BYTES),
            "view_version": 1,
        }


def fill(url: str, n: int) -> None:
    rng = random.Random(12)
    rows = summary_rows(n, rng)
    with engine_for(url).begin() as conn:
        while batch := [row for _, row in zip(range(BATCH), rows, strict=False)]:
            conn.execute(insert(CaseSummary), batch)
    if url.startswith("postgresql"):
        with engine_for(url).connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()


@asynccontextmanager
async def web_on(s: BenchStack, url: str, data_dir: Path) -> AsyncIterator[Http]:
    settings = s.settings.model_copy(update={"database_url": url, "data_dir": data_dir})
    prepare_database(settings)
    port = free_port()
    web = s.processes.start(web_command(port), service_env(settings))
    try:
        wait_for_port(port)
        async with Http(f"http://127.0.0.1:{port}") as http:
            yield http
    finally:
        s.processes.stop(web)


async def measure(s: BenchStack, engine: str, url: str, data_dir: Path, cases: int, samples: int) -> list[Figure]:
    figures = []
    async with web_on(s, url, data_dir) as http:
        fill(url, cases)
        for who, params, what in WORKLISTS:
            headers = {"Authorization": f"Bearer {await login(http, who)}"}
            first = await http.get("/api/v1/cases", params=params, headers=headers)
            first.raise_for_status()
            total = first.json()["total"]
            times = []
            for i in range(samples + WARM_UP):
                ms = await timed_ms(lambda p=params, h=headers: http.get("/api/v1/cases", params=p, headers=h))
                if i >= WARM_UP:
                    times.append(ms)
            figures.append(
                Figure(
                    "worklist",
                    f"worklist p50 on {cases:,} cases, {engine}: {what}",
                    "ms",
                    pct(times, 50),
                    None,
                    WORKLIST_GOAL,
                    f"total {total:,} in scope, first page of 50; p95 {pct(times, 95):.0f} ms",
                )
            )
    return figures


async def run(s: BenchStack, cases: int = 100_000, samples: int = 40) -> list[Figure]:
    root = Path(s.settings.data_dir) / "worklist"
    root.mkdir(exist_ok=True)
    figures = await measure(s, "SQLite", f"sqlite:///{root / 'worklist.db'}", root, cases, samples)
    if not postgres_answers():
        return [*figures, Figure("worklist", "worklist on PostgreSQL: skipped, nothing on 127.0.0.1:5432", "ms", 0)]
    with fresh_postgres_database("samverkan_bench") as url:
        figures += await measure(s, "PostgreSQL", url, root, cases, samples)
    return figures
