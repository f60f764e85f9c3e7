"""PostgreSQL restarted while journeys advance: no read-model write is lost (the projection
activities retry until the database is back). A private cluster of its own (initdb, pg_ctl),
never the machine's shared server."""

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
from tests.stack import running_stack
from tests.workers import free_port

JOURNEYS = 20
BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


def pg(tool: str, *args: str) -> None:
    command = [f"{BINARIES[-1]}/{tool}", *args]
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=60)


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
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    try:
        pg("initdb", "-D", str(data), "-A", "trust", "-U", "postgres")
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(home, ignore_errors=True)
        tail = exc.stderr.decode(errors="replace").strip().splitlines()[-2:]
        pytest.skip(f"cannot initialise a private PostgreSQL cluster here: {' / '.join(tail)}")
    pg("pg_ctl", "-D", str(data), "-o", options, "-l", str(home / "log"), "-w", "start")
    try:
        yield data, options, port
    finally:
        pg("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(home, ignore_errors=True)


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
            await asyncio.to_thread(
                pg, "pg_ctl", "-D", str(data), "-o", options, "-l", str(log), "-m", "fast", "-w", "restart"
            )

        # While the database is away the API answers 500 or 503; a retry with the same key is safe.
        await asyncio.gather(drive_all(s, cases, done, retry=frozenset({500, 503})), restart())
        await assert_exactly_their_steps(s, cases)
