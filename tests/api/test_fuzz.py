"""Fuzzing the JSON API from its own schema (tests/fuzz.py), as every role, on each database:
no 5xx and no answer outside the schema. A fixed seed and 1 000 requests here; `make fuzz` runs
long (SAMVERKAN_FUZZ_EXAMPLES, SAMVERKAN_FUZZ_SEED).

The run has a Temporal server of its own, a namespace per database and a fresh database: what
an administrator's generated requests change (policies, users, tracks and their workflows)
stays there."""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from services.temporal import ensure_search_attributes
from tests.fuzz import fuzz
from tests.stack import DATABASES, running_stack
from worker.launch import temporal_binary

EXAMPLES = int(os.environ.get("SAMVERKAN_FUZZ_EXAMPLES", "1000"))
SEED = int(os.environ.get("SAMVERKAN_FUZZ_SEED", "20261124"))


def namespace(database_url: str) -> str:
    return f"fuzz-{next(d for d in DATABASES if database_url.startswith(d))}"


@pytest_asyncio.fixture(scope="module")
async def fuzz_server() -> AsyncIterator[str]:
    namespaces = [f"fuzz-{d}" for d in DATABASES]
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(),
        dev_server_log_level="error",
        dev_server_extra_args=["--headless", *(arg for ns in namespaces for arg in ("--namespace", ns))],
    )
    async with env:
        address = env.client.service_client.config.target_host
        for ns in namespaces:
            await ensure_search_attributes(await Client.connect(address, namespace=ns))
        yield address


async def test_no_server_error_and_no_answer_outside_the_schema(
    fuzz_server: str, database_url: str, tmp_path: Path
) -> None:
    async with running_stack(fuzz_server, tmp_path, database_url, temporal_namespace=namespace(database_url)) as stack:
        run = await fuzz(stack, EXAMPLES, SEED)
    print(run.report())
    assert run.requests >= EXAMPLES
    assert not run.findings, f"seed {SEED}: {run.report()}"
