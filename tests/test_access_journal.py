"""The access log's write-ahead journal: a read is answered before its entry reaches the
database, yet a web process killed outright (SIGKILL) loses no entry. A real uvicorn process on
the stack's database, on SQLite and PostgreSQL."""

import asyncio
import secrets
import signal
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlmodel import col, func, select

from services.access_journal import AccessJournal
from store.access_log import Entry
from store.db import session_scope
from store.models import AccessLog
from tests.stack import Stack, free_port, web_process

ROOT = Path(__file__).resolve().parent.parent


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
    with web_process(stack, port, ACCESS_LOG_FLUSH_SECONDS="3600") as web:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            for _ in range(5):
                r = await http.get(f"/api/v1/cases/{case_id}", headers=headers | {"X-Purpose": purpose})
                assert r.status_code == 200, r.text
        web.send_signal(signal.SIGKILL)
        web.wait()
    assert logged(stack, purpose) == 0  # answered before the database had them

    # The next web process (of `make run`, or a sibling worker) moves the dead one's journal.
    with web_process(stack, free_port(), ACCESS_LOG_FLUSH_SECONDS="0.2"):
        for _ in range(100):
            if logged(stack, purpose) == 5:
                break
            await asyncio.sleep(0.1)
    assert logged(stack, purpose) == 5
    # A second recovery finds nothing to write again: no entry twice.
    with web_process(stack, free_port(), ACCESS_LOG_FLUSH_SECONDS="0.2"):
        await asyncio.sleep(0.5)
    assert logged(stack, purpose) == 5


def test_a_batch_written_before_a_crash_is_not_written_again(stack: Stack, tmp_path: Path) -> None:
    purpose = f"batch test {secrets.token_hex(4)}"
    url = stack.settings.resolved_database_url
    journal = AccessJournal(tmp_path, url, fsync=False)
    journal.append([Entry(at=datetime.now(UTC), username="handlaggare", case_id="x", via="test", purpose=purpose)])
    journal.append([Entry(at=datetime.now(UTC), username="handlaggare", case_id="y", via="test", purpose=purpose)])
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
