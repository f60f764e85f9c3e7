"""Where the time goes, per path: `python -m bench.profile` (or `make profile`).

Each path (opening, read, action) runs one request at a time on a stack of its own processes:
the web app profiled per request with pyinstrument (wall clock, awaits included, so waiting
on Temporal or a 50 ms sleep shows as such) and the worker sampled by py-spy (the thread
holding the GIL). Then the same paths under load (10 openings, 50 actions in flight) with
py-spy on both processes.
Reports go to var/profile/; bench/PROFILE.md reads them."""

import argparse
import asyncio
import os
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench.client import Http
from bench.measure import in_flight
from bench.single import follow_up
from bench.spy import summary
from bench.stack import (
    ROOT,
    Processes,
    database_of_kind,
    free_port,
    login,
    prepare_database,
    service_env,
    service_settings,
    web_command,
)
from core.logging import configure_logging
from core.process_exit import leave
from tests.stack import case_body, dev_server
from worker.launch import wait_for_port

OUT = ROOT / "var" / "profile"
PY_SPY = str(Path(sys.executable).with_name("py-spy"))
CASES = 25  # reads and actions go round-robin over them, as in the bench


def under_py_spy(name: str, args: list[str]) -> list[str]:
    # Only stacks holding the GIL: py-spy counts a thread blocked in C with the GIL released as
    # active, so SQLite's busy wait for its write lock (a sleep inside `cursor.execute`) read as
    # 46% of the worker's CPU under load, where the thread slept.
    raw = str(OUT / f"{name}.raw")
    return [PY_SPY, "record", "--gil", "--rate", "100", "--format", "raw", "--output", raw, "--", *args]


def stop_spied(processes: Processes, spy: "object") -> None:
    """Stop the profiled child (py-spy then writes its file and exits by itself)."""
    pid = spy.pid  # type: ignore[attr-defined]
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for child in children:
        os.kill(int(child), signal.SIGINT)
    processes.stop(spy)  # type: ignore[arg-type]


Drive = Callable[[Http, dict[str, str], list[str]], Awaitable[None]]


async def drive_open(http: Http, h: dict[str, str], cases: list[str]) -> None:
    for _ in range(60):
        (await http.post("/api/v1/cases", json=case_body(), headers=h)).raise_for_status()


async def drive_read(http: Http, h: dict[str, str], cases: list[str]) -> None:
    for i in range(300):
        (await http.get(f"/api/v1/cases/{cases[i % len(cases)]}", headers=h)).raise_for_status()


async def drive_action(http: Http, h: dict[str, str], cases: list[str]) -> None:
    body = follow_up()
    for i in range(300):
        url = f"/api/v1/cases/{cases[i % len(cases)]}/actions/record-follow-up"
        (await http.post(url, json=body, headers=h)).raise_for_status()


async def drive_load(http: Http, h: dict[str, str], cases: list[str]) -> None:
    body = follow_up()

    async def open_one(_: int) -> None:
        (await http.post("/api/v1/cases", json=case_body(), headers=h)).raise_for_status()

    async def act(i: int) -> None:
        url = f"/api/v1/cases/{cases[i % len(cases)]}/actions/record-follow-up"
        (await http.post(url, json=body, headers=h)).raise_for_status()

    for run in (await in_flight(100, 10, open_one), await in_flight(600, 50, act)):
        if run.errors:
            print("errors under load:", run.errors[:3], flush=True)


PATHS: dict[str, tuple[Drive, bool]] = {  # name: (drive, web under pyinstrument)
    "open": (drive_open, True),
    "read": (drive_read, True),
    "action": (drive_action, True),
    "load": (drive_load, False),
}


async def set_up(env: dict[str, str]) -> list[str]:
    """25 cases opened by processes that are then stopped: the profiled ones start afresh."""
    processes = Processes()
    port = free_port()
    try:
        processes.start([sys.executable, "-m", "worker"], env)
        processes.start(web_command(port), env)
        wait_for_port(port)
        async with Http(f"http://127.0.0.1:{port}") as http:
            h = {"Authorization": f"Bearer {await login(http, 'handlaggare')}"}
            cases = []
            for _ in range(CASES):
                r = await http.post("/api/v1/cases", json=case_body(), headers=h)
                r.raise_for_status()
                cases.append(r.json()["case_id"])
            return cases
    finally:
        processes.stop_all()


async def profile_path(address: str, data_dir: Path, name: str, database_url: str | None) -> None:
    drive, per_request = PATHS[name]
    settings = service_settings(address, data_dir, database_url or f"sqlite:///{data_dir / 'samverkan.db'}")
    prepare_database(settings)
    env = service_env(settings, BENCH_PROFILE_DIR=str(OUT), BENCH_PROFILE_REQUESTS="1" if per_request else "0")
    cases = await set_up(env)
    processes = Processes()
    port = free_port()
    try:
        worker = processes.start(under_py_spy(f"worker-{name}", [sys.executable, "-m", "worker"]), env)
        web_args = web_command(port, "bench.profiled_app:app")
        web = processes.start(web_args if per_request else under_py_spy(f"web-{name}", web_args), env)
        wait_for_port(port)
        async with Http(f"http://127.0.0.1:{port}") as http:
            h = {"Authorization": f"Bearer {await login(http, 'handlaggare')}"}
            # The web process's first requests (imports, pools) are not the path.
            for case_id in cases[:3]:
                (await http.get(f"/api/v1/cases/{case_id}", headers=h)).raise_for_status()
            await http.get(f"/__profile__/dump?set-up-of-{name}")
            await drive(http, h, cases)
            await http.get(f"/__profile__/dump?{name}")
        stop_spied(processes, worker)
        if not per_request:
            stop_spied(processes, web)
    finally:
        processes.stop_all()


async def main(paths: list[str], database: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*"):
        old.unlink()
    async with dev_server() as env:
        address = env.client.service_client.config.target_host
        for name in paths:
            print(f"profiling {name}", flush=True)
            # A database of its own for each path, as the SQLite file is.
            url = database_of_kind(database, "samverkan_profile")
            with tempfile.TemporaryDirectory(prefix="samverkan-profile-") as tmp, url as database_url:
                await profile_path(address, Path(tmp), name, database_url)
    for raw in sorted(OUT.glob("*.raw")):
        raw.with_suffix(".txt").write_text(summary(raw))
    print(f"reports in {OUT}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--only", help=f"comma-separated paths: {', '.join(PATHS)}")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite",
                        help="the service's database (PostgreSQL: a database of its own, dropped after)")
    args = parser.parse_args()
    configure_logging("console", "warning")
    asyncio.run(main(args.only.split(",") if args.only else list(PATHS), args.database))
    leave(0)
