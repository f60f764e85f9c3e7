"""PostgreSQL restarted while journeys advance: no read-model write is lost (the projection
activities retry until the database is back) and the API answers 503 meanwhile, never an
error. A private cluster of its own (initdb, pg_ctl), never the machine's shared server."""

import asyncio
import glob
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.journeys import STEPS, assert_exactly_their_steps, drive_all, open_cases
from tests.stack import Stack, eventually, free_port, running_stack
from workflows.effects import PROJECT_CASE

JOURNEYS = 20
BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


def pg(tool: str, *args: str, log: Path | None = None) -> None:
    """One of the cluster's tools, as the postgres user when we are root (PostgreSQL refuses to
    run as root); a failure says what the tool and the server's log said."""
    command = [f"{BINARIES[-1]}/{tool}", *args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    done = subprocess.run(command, capture_output=True, timeout=60, check=False)
    if done.returncode != 0:
        said = (done.stdout + done.stderr).decode(errors="replace").strip()
        if log is not None and log.exists():
            said += "\n" + "\n".join(log.read_text(errors="replace").splitlines()[-10:])
        raise AssertionError(f"{tool} {' '.join(args)} failed ({done.returncode}):\n{said}")


@pytest.fixture
def private_postgres() -> Iterator[tuple[Path, str, int]]:
    if not BINARIES:
        pytest.skip("PostgreSQL's server binaries (/usr/lib/postgresql/*/bin) are not installed")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: cannot start PostgreSQL as another user")
    # Not under pytest's tmp dir: as root that is closed to the postgres user.
    home = Path(tempfile.mkdtemp(prefix="samverkan-pg-"))
    data = home / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
        shutil.chown(data, "postgres")
    port = free_port()
    # TCP on loopback only, the socket in the cluster's own directory: nothing shared is touched.
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    try:
        # With the binaries here, a cluster that cannot be made is a broken machine: it fails.
        pg("initdb", "-D", str(data), "-A", "trust", "-U", "postgres")
        pg("pg_ctl", "-D", str(data), "-o", options, "-l", str(home / "log"), "-w", "start", log=home / "log")
        yield data, options, port
    finally:
        # Also when the test failed with the server stopped: then there is nothing to stop.
        if (data / "postmaster.pid").exists():
            pg("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(home, ignore_errors=True)


async def failed_writes(s: Stack, case_ids: list[str]) -> int:
    """Read-model writes that failed at least once, going by the journeys' records: those still
    retrying, and those done after more than one attempt."""
    count = 0
    for case_id in case_ids:
        handle = s.temporal.get_workflow_handle(f"journey-{case_id}")
        pending = (await handle.describe()).raw_description.pending_activities
        count += sum(1 for a in pending if a.activity_type.name == PROJECT_CASE and a.attempt > 1)
        events = [e async for e in handle.fetch_history_events()]
        projections = {
            e.event_id
            for e in events
            if e.HasField("activity_task_scheduled_event_attributes")
            and e.activity_task_scheduled_event_attributes.activity_type.name == PROJECT_CASE
        }
        count += sum(
            1
            for e in events
            if e.HasField("activity_task_started_event_attributes")
            and e.activity_task_started_event_attributes.scheduled_event_id in projections
            and e.activity_task_started_event_attributes.attempt > 1
        )
    return count


async def failed_at_least_once(s: Stack, case_ids: list[str]) -> None:
    assert await failed_writes(s, case_ids) > 0, "no read-model write has failed yet"


async def test_no_read_model_write_is_lost_when_postgres_restarts(
    temporal_address: str, tmp_path: Path, private_postgres: tuple[Path, str, int]
) -> None:
    data, options, port = private_postgres
    log = data.parent / "log"
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    queue = f"samverkan-pg-{secrets.token_hex(4)}"
    async with running_stack(temporal_address, tmp_path / "app", url, task_queue=queue, action_timeout=10) as s:
        cases = await open_cases(s, JOURNEYS)
        steps_done = 0
        halfway = asyncio.Event()

        def done() -> None:
            nonlocal steps_done
            steps_done += 1
            if steps_done == JOURNEYS * len(STEPS) // 2:
                halfway.set()

        async def restart() -> None:
            await halfway.wait()
            await asyncio.to_thread(pg, "pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
            # Down until a read-model write has failed on it (those in flight at the stop), so
            # the test cannot pass without the restart having cost a write.
            await eventually(lambda: failed_at_least_once(s, cases), timeout=30, interval=0.5)
            await asyncio.to_thread(
                pg, "pg_ctl", "-D", str(data), "-o", options, "-l", str(log), "-w", "start", log=log
            )

        # While the database is away the API answers 503 (drive retries with the same key); any
        # other answer, or an error escaping the app, fails the test.
        await asyncio.gather(drive_all(s, cases, done), restart())
        await assert_exactly_their_steps(s, cases)


async def test_the_first_reads_after_a_restart_answer(
    temporal_address: str, tmp_path: Path, private_postgres: tuple[Path, str, int]
) -> None:
    """The pool's connections, used a moment before PostgreSQL restarted (too recently to be
    pinged), are ended by the restart: the pool sees it on their sockets and makes new ones, so
    the case workers' next requests answer as before, not 503 (store/db.py)."""
    data, options, port = private_postgres
    log = data.parent / "log"
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    async with running_stack(temporal_address, tmp_path / "app", url, worker=False) as s:
        cases = await open_cases(s, 3)
        # Several connections in the pool, each just used.
        await asyncio.gather(*(s.get("handlaggare", f"/api/v1/cases/{case_id}") for case_id in cases * 3))
        await asyncio.to_thread(pg, "pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
        await asyncio.to_thread(pg, "pg_ctl", "-D", str(data), "-o", options, "-l", str(log), "-w", "start", log=log)
        for case_id in cases * 3:
            assert (await s.get("handlaggare", f"/api/v1/cases/{case_id}"))["case_id"] == case_id
        assert len(await s.get("handlaggare", "/api/v1/cases")) > 0
