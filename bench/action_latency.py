"""p50/p95 of a case action through the HTTP API against a bare Temporal update, on one server
in one run, and their ratio (goal ≤ 1.5×).

    make bench        # or: .venv/bin/python bench/action_latency.py [--n 300]

Starts its own Temporal dev server, a worker and the API (uvicorn) as separate processes, like
`make run`; the bare baseline has its own worker process on the same server.
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx
from temporalio.client import Client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bare import TASK_QUEUE, BareCounter  # noqa: E402
from core.settings import Settings  # noqa: E402
from store.db import session_scope  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from store.seed import DEMO_PASSWORD, seed  # noqa: E402
from tests.stack import case_body  # noqa: E402
from worker.launch import start_temporal, wait_for_port  # noqa: E402


def pct(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(q) - 1]


async def measure(n: int, cases_n: int, settings: Settings) -> None:
    api = f"http://127.0.0.1:{settings.http_port}"
    async with httpx.AsyncClient(base_url=api, timeout=30) as http:
        token = (
            await http.post("/api/v1/auth/token", data={"username": "handlaggare", "password": DEMO_PASSWORD})
        ).json()["access_token"]
        h = {"Authorization": f"Bearer {token}"}
        # Round-robin over a caseload, so each case grows as a real one does (a follow-up a
        # fortnight: a dozen or so over a journey) rather than one case growing without end.
        cases = [(await http.post("/api/v1/cases", json=case_body(), headers=h)).json() for _ in range(cases_n)]
        urls = [f"/api/v1/cases/{c['case_id']}/actions/record-follow-up" for c in cases]
        body = {"held_on": date.today().isoformat(), "attendees": ["AF"], "progress": "bench", "next_steps": "mer"}

        client = await Client.connect(f"127.0.0.1:{settings.temporal_port}")
        bare = await client.start_workflow(BareCounter.run, id=f"bench-bare-{time.time_ns()}", task_queue=TASK_QUEUE)

        api_ms: list[float] = []
        bare_ms: list[float] = []
        for i in range(n + 20):  # alternate, so drift on the machine hits both alike
            t0 = time.perf_counter()
            r = await http.post(urls[i % cases_n], json=body, headers=h)
            t1 = time.perf_counter()
            assert r.status_code == 200, r.text
            await bare.execute_update(BareCounter.bump, "bench")
            t2 = time.perf_counter()
            if i >= 20:  # warm-up
                api_ms.append((t1 - t0) * 1000)
                bare_ms.append((t2 - t1) * 1000)
        await bare.signal(BareCounter.finish)

    p50a, p95a, p50b, p95b = pct(api_ms, 50), pct(api_ms, 95), pct(bare_ms, 50), pct(bare_ms, 95)
    print(f"samples: {n} of each (after 20 warm-up); action record-follow-up over HTTP on {cases_n} cases")
    print(f"API action          p50 {p50a:7.2f} ms   p95 {p95a:7.2f} ms")
    print(f"bare Temporal update p50 {p50b:7.2f} ms   p95 {p95b:7.2f} ms")
    print(f"ratio               p50 {p50a / p50b:7.2f} x   p95 {p95a / p95b:7.2f} x   (goal <= 1.5x)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--cases", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = os.environ | {
            "SAMVERKAN_DATA_DIR": tmp,
            "SAMVERKAN_TEMPORAL_PORT": "7399",
            "SAMVERKAN_TEMPORAL_UI_PORT": "8399",
            "SAMVERKAN_HTTP_PORT": "8399",
            "SAMVERKAN_TEMPORAL_ADDRESS": "127.0.0.1:7399",
            "SAMVERKAN_SEED_DEMO": "true",
            "SAMVERKAN_ADMIN_PASSWORD": "bench-admin-pass",
            "SAMVERKAN_LOG_LEVEL": "warning",
        }
        env.pop("SAMVERKAN_DATABASE_URL", None)
        settings = Settings(
            data_dir=Path(tmp),
            temporal_port=7399,
            temporal_ui_port=8398,
            http_port=8399,
            seed_demo=True,
            admin_password="bench-admin-pass",
            _env_file=None,
        )  # type: ignore[call-arg]
        upgrade(settings.resolved_database_url)
        with session_scope(settings.resolved_database_url) as session:
            seed(session, settings)
        procs = [start_temporal(settings)]
        try:
            procs.append(subprocess.Popen([sys.executable, "-m", "worker"], env=env, cwd=ROOT))
            procs.append(
                subprocess.Popen([sys.executable, str(ROOT / "bench" / "bare.py"), "127.0.0.1:7399"], env=env, cwd=ROOT)
            )
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "api.main:app_from_env",
                        "--factory",
                        "--port",
                        "8399",
                        "--log-level",
                        "warning",
                    ],
                    env=env,
                    cwd=ROOT,
                )
            )
            wait_for_port(8399)
            asyncio.run(measure(args.n, args.cases, settings))
        finally:
            for p in reversed(procs):
                p.terminate()
                p.wait(timeout=20)


if __name__ == "__main__":
    main()
