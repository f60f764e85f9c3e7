"""Personal data protected end to end, on a server of its own whose database is a file we read:
no way around the API through Temporal (a forged plain-JSON update and a payload copied from
another case are refused and change nothing), nothing personal in clear in the Temporal
database, the service's database (SQLite files, PostgreSQL tables) or the logs, and erasure that
makes a history undecodable while the figures stay."""

import asyncio
import base64
import json
import logging
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import create_engine, text
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from tests.conftest import database
from tests.stack import DATABASES, Stack, dev_server, eventually, personal_number, running_stack
from worker.launch import temporal_binary

FAMILY = "Qwertyuiopsson"  # a family name no key, id or ciphertext holds by chance
pytestmark = pytest.mark.xdist_group("at_rest")


@pytest_asyncio.fixture(scope="module", params=DATABASES)
async def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Stack, Path]]:
    where = tmp_path_factory.mktemp("at-rest")
    async with dev_server(database_file=where / "temporal.db") as env:
        address = env.client.service_client.config.target_host
        async with running_stack(address, where, database(request, where)) as stack:
            yield stack, where


async def cli(stack: Stack, *args: str) -> tuple[int, str]:
    """The `temporal` CLI's exit code and output. Run without blocking: the worker that must
    answer the CLI's update shares this event loop."""
    target = stack.temporal.service_client.config.target_host
    process = await asyncio.create_subprocess_exec(
        temporal_binary(), *args, "--address", target, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode()


async def history_length(stack: Stack, case_id: str) -> int:
    return len((await stack.temporal.get_workflow_handle(f"journey-{case_id}").fetch_history()).events)


async def event_types(stack: Stack, case_id: str) -> list[str]:
    history = await stack.temporal.get_workflow_handle(f"journey-{case_id}").fetch_history()
    return [EventType.Name(e.event_type) for e in history.events]


async def settled(stack: Stack, case_id: str) -> list[str]:
    """The case's history once its last action's projection has run (nothing more pending)."""
    async def check() -> list[str]:
        first = await event_types(stack, case_id)
        await asyncio.sleep(0.5)
        assert await event_types(stack, case_id) == first
        return first
    return await eventually(check)


async def last_update(stack: Stack, case_id: str) -> tuple[str, list[Payload]]:
    """The case's last accepted update, its id and arguments as Temporal stores them
    (ciphertext), read without the codec."""
    raw = await Client.connect(stack.temporal.service_client.config.target_host, namespace="default")
    history = await raw.get_workflow_handle(f"journey-{case_id}").fetch_history()
    accepted = [e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED]
    request = accepted[-1].workflow_execution_update_accepted_event_attributes.accepted_request
    return request.meta.update_id, list(request.input.args.payloads)


async def send_raw(
    stack: Stack, case_id: str, action: str, payloads: list[Payload], meta: dict[str, bytes], *update_id: str
) -> tuple[int, str]:
    args = ["workflow", "update", "execute", "--workflow-id", f"journey-{case_id}", "--name", action, "--input-base64"]
    for p in payloads:
        args += ["--input", base64.b64encode(p.data).decode()]
    for key, value in meta.items():
        args += ["--input-meta", f"{key}={value.decode()}"]
    return await cli(stack, *args, *(("--update-id", *update_id) if update_id else ()))


async def test_no_way_around_the_api_and_nothing_in_clear(
    world: tuple[Stack, Path], caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    stack, where = world
    caplog.set_level(logging.DEBUG)
    number = personal_number()
    digits = number.replace("-", "")
    a = (await stack.open_case(personal_number=number, family_name=FAMILY))["case_id"]
    b = (await stack.open_case(family_name=FAMILY + "b"))["case_id"]
    await stack.act("handlaggare", a, "complete-introduction", {"note": f"{FAMILY} mår bra"})
    await stack.act("handlaggare", b, "complete-introduction", **{"Idempotency-Key": "intro-b"})

    # A made-up actor in plain JSON, straight to Temporal: refused, nothing written.
    before = await settled(stack, b)
    mallory = json.dumps({"username": "mallory", "role": "admin", "organisation": "af"})
    code, out = await cli(stack, "workflow", "update", "execute", "--workflow-id", f"journey-{b}", "--name", "close",
                          "--input", mallory, "--input", json.dumps({"reason": "forged"}))
    assert code != 0 and "Encoded failure" in out, out  # rejected by the workflow, its reason encrypted
    # A's genuine, encrypted close arguments copied to B: as they are, and re-labelled for B.
    await stack.act("handlaggare", a, "close", {"reason": "work"})
    _, copied = await last_update(stack, a)
    meta = dict(copied[0].metadata)
    as_is = await send_raw(stack, b, "close", copied, meta)
    relabelled = await send_raw(stack, b, "close", copied, meta | {"samverkan-workflow-id": f"journey-{b}".encode()})
    for code, out in (as_is, relabelled):
        assert code != 0 and "Encoded failure" in out, out
    # B's own genuine update replayed under its update id (the API's Idempotency-Key): Temporal
    # answers with the first outcome (encrypted: the CLI cannot print it) and runs nothing again.
    update_id, own = await last_update(stack, b)
    assert update_id == "complete-introduction:intro-b"
    _, out = await send_raw(stack, b, "complete-introduction", own, dict(own[0].metadata), update_id)
    assert "binary/encrypted" in out and "Encoded failure" not in out, out
    # Rejected updates leave no event at all; the case answers and acts as before.
    assert await settled(stack, b) == before
    assert (await stack.get("handlaggare", f"/api/v1/cases/{b}"))["phase"] == "preparatory"
    await stack.act("handlaggare", b, "update-mapping", {"swedish_level": "sfi_d", "obstacles": ["childcare"]})

    # Erasure: the figures before and after are the same; the history no longer decodes.
    await eventually(lambda: _closed(stack, a))
    figures = await stack.get("chef", "/api/v1/stats/overview")
    r = await stack.api.post(f"/api/v1/cases/{b}/erase", headers=await stack.headers("admin"))
    assert r.status_code == 409, r.text  # open cases are not erased
    r = await stack.api.post(f"/api/v1/cases/{a}/erase", headers=await stack.headers("admin"))
    assert r.status_code == 200, r.text
    assert await stack.get("chef", "/api/v1/stats/overview") == figures
    gone = await stack.api.get(f"/api/v1/cases/{a}/history", headers=await stack.headers("granskare"))
    assert gone.status_code == 410 and "erased" in gone.json()["detail"], gone.text
    listed = await stack.get("handlaggare", "/api/v1/cases", limit=500)
    assert any(i["case_id"] == a and i["family_name"] == "" for i in listed["items"])

    # Nowhere in clear: Temporal's database file, the service's database, the logs.
    secrets = (digits, digits[2:], FAMILY)
    held = files(where, "temporal.db", "temporal.db-wal")
    held |= service_database(stack.settings.resolved_database_url, where)
    assert "temporal.db" in held and ("samverkan.db" in held or "case_summary" in held), sorted(held)
    assert any(a.encode() in blob for name, blob in held.items() if name != "temporal.db")  # rows were read
    for name, blob in held.items():
        for secret in secrets:
            assert secret.encode() not in blob, (name, secret)
    logged = caplog.text + "".join(capfd.readouterr())
    assert f"journey-{b}" in logged  # the worker's and the SDK's logs were captured
    for secret in secrets:
        assert secret not in logged


def files(where: Path, *names: str) -> dict[str, bytes]:
    return {name: (where / name).read_bytes() for name in names if (where / name).exists()}


def service_database(url: str, where: Path) -> dict[str, bytes]:
    """The service's database as stored: SQLite's files, or every PostgreSQL table dumped as
    text (PostgreSQL's own files are not ours to read)."""
    if url.startswith("sqlite"):
        return files(where, "samverkan.db", "samverkan.db-wal")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
            dumped = {t: "\n".join(conn.execute(text(f'SELECT t::text FROM "{t}" t')).scalars()) for t in tables}
    finally:
        engine.dispose()
    return {t: d.encode() for t, d in dumped.items()}


async def _closed(stack: Stack, case_id: str) -> None:
    listed = await stack.get("handlaggare", "/api/v1/cases", limit=500)
    assert any(i["case_id"] == case_id and i["status"] == "closed" for i in listed["items"])
