"""`make run` killed outright (SIGKILL, as the OOM killer does): nothing it started keeps
running or holds a port, and the next start finds every case as it was, version included."""

import os
import signal
import socket
import time
from pathlib import Path

import httpx

from tests.stack import case_body
from tests.test_launch import ROOT, launch, run_env, stop

__all__ = ["run_env"]  # the fixture


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def processes_using(data_dir: str) -> list[str]:
    """Command lines of live processes that name the run's data dir or ports (its children do)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            environ = (proc / "environ").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if data_dir in cmdline or data_dir in environ:
            found.append(f"{proc.name}: {cmdline[:120]}")
    return found


def test_sigkill_of_make_run_leaves_nothing_running_and_loses_nothing(run_env: dict[str, str]) -> None:
    base = f"http://127.0.0.1:{run_env['SAMVERKAN_HTTP_PORT']}"
    ports = [int(run_env[k]) for k in ("SAMVERKAN_HTTP_PORT", "SAMVERKAN_TEMPORAL_PORT", "SAMVERKAN_TEMPORAL_UI_PORT")]
    # `-o` keeps make from re-installing: the suite runs in the environment `make test` made.
    make, _ = launch(run_env, ["make", "-s", "-o", f"{ROOT}/.venv/.installed", "run"])
    try:
        with httpx.Client(base_url=base, timeout=30) as http:
            login = {"username": "handlaggare", "password": "samverkan-demo"}
            h = {"Authorization": f"Bearer {http.post('/api/v1/auth/token', data=login).json()['access_token']}"}
            case_id = http.post("/api/v1/cases", json=case_body(), headers=h).json()["case_id"]
            effort = {"kind": "sfi", "provider": "Komvux", "starts_on": "2026-01-12"}
            http.post(f"/api/v1/cases/{case_id}/actions/complete-introduction", headers=h).raise_for_status()
            before = http.post(f"/api/v1/cases/{case_id}/actions/plan-effort", json=effort, headers=h).json()
    finally:
        os.kill(make.pid, signal.SIGKILL)
        make.wait()

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (processes_using(run_env["SAMVERKAN_DATA_DIR"]) or
                                           not all(port_is_free(p) for p in ports)):
        time.sleep(0.2)
    assert processes_using(run_env["SAMVERKAN_DATA_DIR"]) == [], "a child of make run outlived it"
    assert all(port_is_free(p) for p in ports), "a port is still held"

    proc, _ = launch(run_env)
    try:
        with httpx.Client(base_url=base, timeout=30) as http:
            after = http.get(f"/api/v1/cases/{case_id}", headers=h).json()
            assert (after["phase"], after["version"], after["efforts"]) == (
                before["phase"], before["version"], before["efforts"]
            )
            record = http.post(f"/api/v1/cases/{case_id}/actions/record-exit", json={"reason": "work"}, headers=h)
            assert record.status_code == 200 and record.json()["version"] > before["version"]
    finally:
        assert stop(proc) == 0
