"""The web app in a process of its own, as `make run` starts it.

- It keeps an idle connection open longer than the clients that reuse connections keep theirs
  (httpx: 5 s; a proxy's upstream pool: up to 60 s), so a request sent on a connection that was
  idle meets an open one. At uvicorn's default (5 s) the web closed such a connection just as an
  action was sent on it, and the action was lost to a reset (`make bench ARGS="--only load"`: 1
  to 3 of 600).
- A case page asked of another web process than the one that did an action shows the action,
  even before that process has kept the action's view.
- An auditor's replay runs in a process the web spawns when the auditor opens a case's history,
  and which ends with the web, even while a replay in it does not end (the SDK's replayer cannot
  be cancelled)."""

import asyncio
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from api.main import create_app
from services.errors import Unavailable
from services.history import replay
from store.db import engine_for
from store.models import CaseSummary
from tests.api.web.town import sign_in
from tests.replays import WORKFLOW_ID, continued_an_instant_ago, ended, recorded_run
from tests.stack import DEMO_PASSWORD, Stack, free_port, recordings_converter, web_process
from worker.launch import KEEP_ALIVE_SECONDS

REQUEST = b"GET /healthz HTTP/1.1\r\nHost: samverkan\r\n\r\n"


async def status_line(reader: asyncio.StreamReader) -> bytes:
    """The answer's status line, the rest of the answer read; empty when the web closed the connection."""
    line = await asyncio.wait_for(reader.readline(), 10)
    if not line:
        return line
    headers = b"\r\n"
    while not headers.endswith(b"\r\n\r\n"):
        headers += await asyncio.wait_for(reader.readuntil(b"\r\n"), 10)
    length = int(next(h for h in headers.split(b"\r\n") if h.lower().startswith(b"content-length")).split(b":")[1])
    await reader.readexactly(length)
    return line


async def test_a_connection_idle_longer_than_a_clients_pool_keeps_it_is_still_served(stack: Stack) -> None:
    assert KEEP_ALIVE_SECONDS > 60
    port = free_port()
    with web_process(stack, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(REQUEST)
            assert (await status_line(reader)).startswith(b"HTTP/1.1 200")
            await asyncio.sleep(6)  # longer than uvicorn's default keep-alive, and httpx's
            writer.write(REQUEST)
            assert (await status_line(reader)).startswith(b"HTTP/1.1 200"), "the idle connection was closed"
        finally:
            writer.close()


def children_of(pid: int) -> set[int]:
    return {int(c) for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()}


async def test_the_replay_process_starts_with_the_auditors_page_and_ends_with_the_web(stack: Stack) -> None:
    case_id = (await stack.open_case())["case_id"]
    port = free_port()
    with web_process(stack, port) as web:
        before = children_of(web.pid)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            await sign_in(http, "granskare", DEMO_PASSWORD)
            assert (await http.get(f"/cases/{case_id}/history")).status_code == 200
            replaying = children_of(web.pid) - before
            assert replaying, "opening the history page started the replay's process"
            login = await http.post("/api/v1/auth/token", data={"username": "granskare", "password": DEMO_PASSWORD})
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            verified = await http.post(f"/api/v1/cases/{case_id}/history/verify", headers=headers)
        assert verified.status_code == 200 and verified.json()["reproduces"] is True
        assert children_of(web.pid) - before == replaying, "the replay ran in the process the page started"
    assert all([await ended(pid) for pid in replaying]), "the replay process outlived the web"


async def test_the_web_stopping_ends_a_replay_that_does_not_end(stack: Stack, tmp_path: Path) -> None:
    """A run with its start event alone makes the SDK's replayer wait for ever (the routes never
    give it one): without the web's lifespan ending the replay process, the web could not exit."""
    stuck = continued_an_instant_ago(await recorded_run("journey-reassign"))
    recipe = replay.ConverterRecipe.of(recordings_converter())
    app = create_app(stack.settings.model_copy(update={"data_dir": tmp_path}), stack.temporal)
    async with app.router.lifespan_context(app):
        stuck_replay = replay._replays.run(60, replay.failures_in_replay, WORKFLOW_ID, [stuck], recipe)
        replaying = asyncio.create_task(stuck_replay)
        await asyncio.sleep(3)  # spawned, and replaying
        (pid,) = replay._replays.pids()
        assert not replaying.done()
    with pytest.raises(Unavailable):
        await asyncio.wait_for(replaying, 10)
    assert await ended(pid), "the replay process outlived the web's lifespan"


@contextmanager
def writes_held(stack: Stack, case_id: str) -> Iterator[None]:
    """The database's writes to the case held back, as a busy database holds them: on SQLite its
    one write lock, on PostgreSQL the case's row (reads go on)."""
    url = stack.settings.resolved_database_url
    if url.startswith("sqlite"):
        held = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        held.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            held.rollback()
            held.close()
        return
    with engine_for(url).connect() as conn:
        conn.execute(select(CaseSummary.case_id).where(CaseSummary.case_id == case_id).with_for_update())
        try:
            yield
        finally:
            conn.rollback()


def phase_on(page: httpx.Response) -> str:
    """The case's phase, as the page's title names it ("name – phase – Samverkan")."""
    found = re.search(r"<title>([^<]*)</title>", page.text)
    assert page.status_code == 200 and found, page.text[:300]
    return found.group(1).split(" – ")[1]


async def test_a_page_after_an_action_in_another_web_process_shows_the_action(stack: Stack) -> None:
    """Two web processes (SAMVERKAN_WEB_WORKERS, or replicas behind a proxy): an action answered
    by one, and its redirect's page asked of the other before the first has kept the action's
    view. The redirect names the version the action answered; the page shows at least that."""
    case_id = (await stack.open_case())["case_id"]
    headers = await stack.headers("handlaggare")
    one, another = free_port(), free_port()
    with web_process(stack, one), web_process(stack, another):
        async with (
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{one}", timeout=60) as api,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{another}", timeout=60) as pages,
        ):
            await sign_in(pages, "handlaggare", DEMO_PASSWORD)
            assert phase_on(await pages.get(f"/cases/{case_id}")) == "Introduktion"
            with writes_held(stack, case_id):
                done = await api.post(f"/api/v1/cases/{case_id}/actions/complete-introduction", headers=headers)
                assert done.status_code == 200, done.text
                # Without the hint: the view kept before the action.
                assert phase_on(await pages.get(f"/cases/{case_id}")) == "Introduktion"
                seen = {"done": "complete-introduction", "seen": str(done.json()["version"])}
                assert phase_on(await pages.get(f"/cases/{case_id}", params=seen)) == "Förberedande insatser"
