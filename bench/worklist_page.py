"""p50/p95 server time of the worklist page ("Mina ärenden") over 500 cases (goal: under 100 ms).

    make bench-web    # or: .venv/bin/python bench/worklist.py [--cases 500] [--n 200] [--database-url …]

Writes the cases straight into the read model (as the projection would) with an open task for
every third, signs in through the login form, and reads the page as a browser does. Server time
is the app's own `Server-Timing` (routing, queries, rendering); the whole in-process round trip
is shown beside it. No Temporal is needed: the worklist reads the read model only.
"""

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from temporalio.client import Client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.main import create_app  # noqa: E402
from bench.page_login import sign_in  # noqa: E402
from core.settings import Settings  # noqa: E402
from services.temporal import data_converter  # noqa: E402
from store.db import session_scope  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from store.models import CaseSummary, Task  # noqa: E402
from store.seed import seed  # noqa: E402
from workflows.domain import Phase  # noqa: E402

PAGES = {
    "mine, first page": "/",
    "all in the municipality": "/?who=all",
    "overdue only": "/?who=all&overdue=true",
    "one phase, page 3": "/?who=all&phase=preparatory&page=3",
}


def pct(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def seed_cases(url: str, count: int) -> None:
    now = datetime.now(UTC)
    phases = [p.value for p in Phase if p is not Phase.CLOSED]
    with session_scope(url) as db:
        for n in range(count):
            case_id = f"bench{n:06d}"
            due = now + timedelta(hours=n - count // 10)  # a tenth of them overdue
            db.add(
                CaseSummary(
                    case_id=case_id,
                    version=1,
                    phase=phases[n % len(phases)],
                    status="active",
                    municipality="0581",
                    responsible_worker="handlaggare" if n % 2 == 0 else "samordnare",
                    given_name="Amal",
                    family_name="Hassan",
                    gender="woman",
                    birth_date=date(1990, 1, 1),
                    opened_at=now - timedelta(days=30),
                    next_due_at=due,
                    overdue=due < now,
                )
            )
            if n % 3 == 0:
                db.add(
                    Task(
                        key=f"{case_id}:follow_up_due:1",
                        case_id=case_id,
                        municipality="0581",
                        kind="follow_up_due",
                        about="follow_up_due",
                        audience="responsible",
                        assignee="handlaggare",
                        due_at=due,
                        overdue=due < now,
                        created_at=now,
                    )
                )
        db.commit()


async def measure(settings: Settings, n: int) -> None:
    # The lifespan (Temporal) does not run in-process; the pages open the rows' sealed names with
    # the case keys a client's data converter carries, and the worklist asks Temporal nothing.
    offline = await Client.connect("127.0.0.1:1", lazy=True, data_converter=data_converter(settings))
    app = create_app(settings, temporal=offline)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as browser:
        await sign_in(browser)
        print(f"{'page':<28}{'server p50':>12}{'server p95':>12}{'total p50':>12}{'total p95':>12}  rows")
        for name, path in PAGES.items():
            server_ms: list[float] = []
            total_ms: list[float] = []
            for i in range(n + 10):
                t0 = time.perf_counter()
                r = await browser.get(path)
                elapsed = (time.perf_counter() - t0) * 1000
                assert r.status_code == 200, r.text
                if i >= 10:  # warm-up: templates compiled, connections pooled
                    server_ms.append(float(r.headers["server-timing"].split("dur=")[1]))
                    total_ms.append(elapsed)
            rows = r.text.count('class="case-ref"')
            print(
                f"{name:<28}{pct(server_ms, 50):>10.1f}ms{pct(server_ms, 95):>10.1f}ms"
                f"{pct(total_ms, 50):>10.1f}ms{pct(total_ms, 95):>10.1f}ms  {rows}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--n", type=int, default=200, help="requests per page")
    parser.add_argument("--database-url", help="default: SQLite in a temporary directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        url = args.database_url or f"sqlite:///{data_dir}/bench.db"
        settings = Settings(
            data_dir=Path(data_dir), database_url=url, seed_demo=True, admin_password="bench", log_level="warning",
            _env_file=None,  # type: ignore[call-arg]
        )
        upgrade(url)
        data_converter(settings)  # the service's keys, made while no case exists, as at a first start
        with session_scope(url) as db:
            seed(db, settings)
        seed_cases(url, args.cases)
        load = os.getloadavg()[0]
        print(f"worklist over {args.cases} cases in the read model ({url.split(':')[0]}), {args.n} requests per page")
        print(f"machine load {load:.1f} on {os.cpu_count()} cores (a busy machine stretches the p95)")
        asyncio.run(measure(settings, args.n))


if __name__ == "__main__":
    main()
