"""The Temporal dev server restarted on its file (as `make run` runs it): the worker and the API
reconnect by themselves, a case keeps its state, and a timer set before the restart rings after."""

import os
import signal
import subprocess
from pathlib import Path

from core.settings import Settings
from tests.mail import FAST
from tests.stack import eventually, free_port, running_stack
from worker.launch import start_temporal

W = "handlaggare"


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


async def test_cases_continue_after_the_temporal_server_restarts(tmp_path: Path) -> None:
    server = Settings(data_dir=tmp_path, temporal_port=free_port(), temporal_ui_port=free_port(), _env_file=None)  # type: ignore[call-arg]
    proc = start_temporal(server)
    address = f"127.0.0.1:{server.temporal_port}"
    try:
        async with running_stack(address, tmp_path, f"sqlite:///{tmp_path / 'db.sqlite'}", action_timeout=10) as s:
            await s.set_policy("0581", **(FAST | {"introduction": "PT8S", "reminder_ahead": "PT4S"}))
            case = await s.open_case()
            cid = case["case_id"]
            effort = {"kind": "sfi", "provider": "Komvux", "starts_on": "2026-01-12"}
            before = await s.act(W, cid, "plan-effort", effort)

            stop_server(proc)  # the reminder (due in ~4 s) has not rung yet
            proc = start_temporal(server)

            async def reminded() -> None:
                tasks = await s.get(W, "/api/v1/tasks", kind="introduction_due")
                assert [t for t in tasks if t["case_id"] == cid]

            await eventually(reminded, timeout=45)
            state = await s.get(W, f"/api/v1/cases/{cid}")
            assert state["efforts"] == before["efforts"] and state["version"] >= before["version"]
            after = await s.act(W, cid, "complete-introduction")
            assert after["phase"] == "preparatory" and [e["provider"] for e in after["efforts"]] == ["Komvux"]
    finally:
        if proc.poll() is None:
            stop_server(proc)
