"""Personal data protected end to end, on a server of its own whose database is a file we read:
no way around the API through Temporal (a forged plain-JSON update and a payload copied from
another case are refused and change nothing), nothing personal in clear in the Temporal
database, the SQLite file or the logs, and erasure that makes a history undecodable while the
figures stay."""

import asyncio
import base64
import json
import logging
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from services.temporal import ensure_search_attributes
from tests.conftest import temporal_cli
from tests.stack import Stack, eventually, personal_number, running_stack

FAMILY = "Qwertyuiopsson"  # a family name no key, id or ciphertext holds by chance
pytestmark = pytest.mark.xdist_group("at_rest")


@pytest_asyncio.fixture(scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Stack, Path]]:
    where = tmp_path_factory.mktemp("at-rest")
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli(), dev_server_log_level="error",
        dev_server_extra_args=["--headless"], dev_server_database_filename=str(where / "temporal.db"),
    )
    async with env:
        await ensure_search_attributes(env.client)
        address = env.client.service_client.config.target_host
        async with running_stack(address, where, f"sqlite:///{where / 'samverkan.db'}") as stack:
            yield stack, where


def cli(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    target = stack.temporal.service_client.config.target_host
    return subprocess.run([temporal_cli(), *args, "--address", target], capture_output=True, text=True, timeout=60)


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


async def raw_update_args(stack: Stack, case_id: str) -> list[Payload]:
    """An accepted update's arguments as Temporal stores them (ciphertext), read without the codec."""
    raw = await Client.connect(stack.temporal.service_client.config.target_host, namespace="default")
    history = await raw.get_workflow_handle(f"journey-{case_id}").fetch_history()
    accepted = [e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED]
    return list(accepted[-1].workflow_execution_update_accepted_event_attributes.accepted_request.input.args.payloads)


def send_raw(
    stack: Stack, case_id: str, payloads: list[Payload], meta: dict[str, bytes]
) -> subprocess.CompletedProcess[str]:
    args = ["workflow", "update", "execute", "--workflow-id", f"journey-{case_id}", "--name", "close", "--input-base64"]
    for p in payloads:
        args += ["--input", base64.b64encode(p.data).decode()]
    for key, value in meta.items():
        args += ["--input-meta", f"{key}={value.decode()}"]
    return cli(stack, *args)


@pytest.mark.xfail(strict=True, reason="open: after a refused update the case's workflow task fails to report "
                   "('Error reporting WFT to server') and the case stops answering queries")
async def test_no_way_around_the_api_and_nothing_in_clear(world: tuple[Stack, Path], caplog: Any) -> None:
    stack, where = world
    caplog.set_level(logging.DEBUG)
    number = personal_number()
    digits = number.replace("-", "")
    a = (await stack.open_case(personal_number=number, family_name=FAMILY))["case_id"]
    b = (await stack.open_case(family_name=FAMILY + "b"))["case_id"]
    await stack.act("handlaggare", a, "complete-introduction", {"note": f"{FAMILY} mår bra"})
    await stack.act("handlaggare", b, "complete-introduction")

    # A made-up actor in plain JSON, straight to Temporal: refused, nothing written.
    before = await settled(stack, b)
    forged = cli(stack, "workflow", "update", "execute", "--workflow-id", f"journey-{b}", "--name", "close",
                 "--input", json.dumps({"username": "mallory", "role": "admin", "organisation": "af"}),
                 "--input", json.dumps({"reason": "forged"}))
    assert forged.returncode != 0, forged.stdout
    # A's genuine, encrypted close arguments copied to B: as they are, and re-labelled for B.
    await stack.act("handlaggare", a, "close", {"reason": "work"})
    copied = await raw_update_args(stack, a)
    meta = dict(copied[0].metadata)
    as_is = send_raw(stack, b, copied, meta)
    relabelled = send_raw(stack, b, copied, meta | {"samverkan-workflow-id": f"journey-{b}".encode()})
    assert as_is.returncode != 0 and relabelled.returncode != 0, (as_is.stdout, relabelled.stdout)
    after = await event_types(stack, b)
    # Nothing of the case changed: no update accepted, no activity. (The refused updates do
    # leave workflow-task bookkeeping events: see the README's open point.)
    assert after[: len(before)] == before
    assert {e for e in after[len(before):] if "WORKFLOW_TASK" not in e} == set(), after[len(before):]
    assert (await stack.get("handlaggare", f"/api/v1/cases/{b}"))["phase"] == "preparatory"

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
    page = await stack.api.get(f"/audit/cases/{a}", headers=await stack.headers("granskare"))
    assert page.status_code in (200, 401, 303)
    listed = await stack.get("handlaggare", "/api/v1/cases", limit=500)
    assert any(i["case_id"] == a and i["family_name"] == "" for i in listed["items"])

    # Nowhere in clear: Temporal's database file, the SQLite files, the logs.
    await stack.temporal.get_workflow_handle(f"journey-{b}").describe()
    for name in ("temporal.db", "temporal.db-wal", "samverkan.db", "samverkan.db-wal"):
        blob = (where / name).read_bytes() if (where / name).exists() else b""
        for secret in (digits, digits[2:], FAMILY):
            assert secret.encode() not in blob, (name, secret)
    logged = caplog.text
    for secret in (digits, digits[2:], FAMILY):
        assert secret not in logged


async def _closed(stack: Stack, case_id: str) -> None:
    listed = await stack.get("handlaggare", "/api/v1/cases", limit=500)
    assert any(i["case_id"] == case_id and i["status"] == "closed" for i in listed["items"])
