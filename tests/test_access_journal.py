"""The access log's write-ahead journal: a read is answered before its entry reaches the
database, yet a web process killed outright (SIGKILL) loses no entry. A real uvicorn process on
the stack's database, on SQLite and PostgreSQL."""

import asyncio
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlmodel import col, func, select

from services.access_journal import AccessJournal
from store.db import session_scope
from store.models import AccessLog
from tests.stack import ADMIN_PASSWORD, Stack, free_port
from worker.launch import stop_child, wait_for_port

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def web_process(stack: Stack, port: int, flush_seconds: float) -> Iterator[subprocess.Popen[bytes]]:
    s = stack.settings
    values = {
        "DATA_DIR": str(s.data_dir),
        "DATABASE_URL": s.resolved_database_url,
        "TEMPORAL_ADDRESS": s.temporal_address or "",
        "TASK_QUEUE": s.task_queue,
        "TEMPORAL_NAMESPACE": s.temporal_namespace,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "PAYLOAD_KEY": s.payload_key or "",
        "LOG_LEVEL": "warning",
        "ACCESS_LOG_FLUSH_SECONDS": str(flush_seconds),
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMVERKAN_")}
    env |= {f"SAMVERKAN_{k}": v for k, v in values.items()}
    args = ["-m", "uvicorn", "api.main:app_from_env", "--factory", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen([sys.executable, *args], env=env, cwd=ROOT)
    try:
        wait_for_port(port, seconds=60)
        yield proc
    finally:
        stop_child(proc)


def logged(stack: Stack, purpose: str) -> int:
    with session_scope(stack.settings.resolved_database_url) as session:
        return session.exec(select(func.count()).select_from(AccessLog).where(col(AccessLog.purpose) == purpose)).one()


async def test_reads_of_a_killed_web_process_are_all_in_the_log(stack: Stack) -> None:
    case_id = (await stack.open_case())["case_id"]
    headers = await stack.headers("handlaggare")
    purpose = f"journal test {secrets.token_hex(4)}"  # only this test's reads carry it
    port = free_port()
    # The journal moves to the database only once an hour: every entry is still in the journal
    # when the process is killed.
    with web_process(stack, port, flush_seconds=3600) as web:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            for _ in range(5):
                r = await http.get(f"/api/v1/cases/{case_id}", headers=headers | {"X-Purpose": purpose})
                assert r.status_code == 200, r.text
        web.send_signal(signal.SIGKILL)
        web.wait()
    assert logged(stack, purpose) == 0  # answered before the database had them

    # The next web process (of `make run`, or a sibling worker) moves the dead one's journal.
    with web_process(stack, free_port(), flush_seconds=0.2):
        for _ in range(100):
            if logged(stack, purpose) == 5:
                break
            await asyncio.sleep(0.1)
    assert logged(stack, purpose) == 5
    # A second recovery finds nothing to write again: no entry twice.
    with web_process(stack, free_port(), flush_seconds=0.2):
        await asyncio.sleep(0.5)
    assert logged(stack, purpose) == 5


def test_a_batch_written_before_a_crash_is_not_written_again(stack: Stack, tmp_path: Path) -> None:
    purpose = f"batch test {secrets.token_hex(4)}"
    url = stack.settings.resolved_database_url
    journal = AccessJournal(tmp_path, url, fsync=False)
    journal.append([AccessLog(at=datetime.now(UTC), username="handlaggare", case_id="x", via="test", purpose=purpose)])
    journal.append([AccessLog(at=datetime.now(UTC), username="handlaggare", case_id="y", via="test", purpose=purpose)])
    active = next(tmp_path.glob("*.journal"))
    kept = active.read_bytes()
    assert journal.move() == 2
    # The crash came after the commit, before the file was deleted: the file is back.
    active.with_suffix(".batch").write_bytes(kept)
    journal.close()
    other = AccessJournal(tmp_path, url, fsync=False)
    other.recover()
    other.close()
    assert logged(stack, purpose) == 2
    assert not list(tmp_path.glob("*.batch"))
