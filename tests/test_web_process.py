"""The web app in a process of its own, as `make run` starts it.

- It keeps an idle connection open longer than the clients that reuse connections keep theirs
  (httpx: 5 s; a proxy's upstream pool: up to 60 s), so a request sent on a connection that was
  idle meets an open one. At uvicorn's default (5 s) the web closed such a connection just as an
  action was sent on it, and the action was lost to a reset (`make bench ARGS="--only load"`: 1
  to 3 of 600).
- An auditor's replay runs in a process the web spawns when the auditor opens a case's history,
  and which ends with the web, even while a replay in it does not end (the SDK's replayer cannot
  be cancelled)."""

import asyncio
from pathlib import Path

import httpx
import pytest

from api.main import create_app
from services.errors import Unavailable
from services.history import replay
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
