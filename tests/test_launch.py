"""`make run` as a user meets it: it starts everything, prints the URLs, stops on Ctrl-C,
and a case opened before a restart is still there after it (with the same login token)."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from core.settings import Settings
from tests.stack import case_body, free_port
from worker.launch import child_environment

ROOT = Path(__file__).resolve().parent.parent


def launch(env: dict[str, str], command: list[str] | None = None) -> tuple[subprocess.Popen[str], list[str]]:
    proc = subprocess.Popen(
        command or [sys.executable, "-m", "worker.launch"], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    lines: list[str] = []
    deadline = time.monotonic() + 90
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "Ctrl-C stops everything" in line:
            # Keep reading, so that a full pipe never blocks the children's logging.
            threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True).start()
            return proc, lines
    proc.kill()
    raise AssertionError("".join(lines[-40:]))


def stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGINT)
    try:
        return proc.wait(timeout=40)
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.fixture
def run_env(tmp_path: Path) -> dict[str, str]:
    http, grpc, ui = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMVERKAN_")}
    return env | {
        "SAMVERKAN_DATA_DIR": str(tmp_path / "var"),
        "SAMVERKAN_HTTP_PORT": str(http),
        "SAMVERKAN_TEMPORAL_PORT": str(grpc),
        "SAMVERKAN_TEMPORAL_UI_PORT": str(ui),
        "SAMVERKAN_SEED_DEMO": "true",
        "SAMVERKAN_ADMIN_PASSWORD": "admin-launch-test",
        "SAMVERKAN_LOG_LEVEL": "warning",
    }


def test_run_prints_urls_stops_cleanly_and_keeps_state(run_env: dict[str, str]) -> None:
    base = f"http://127.0.0.1:{run_env['SAMVERKAN_HTTP_PORT']}"
    proc, lines = launch(run_env)
    try:
        text = "".join(lines)
        assert f"Samverkan:   {base}" in text
        assert f"Temporal UI: http://127.0.0.1:{run_env['SAMVERKAN_TEMPORAL_UI_PORT']}" in text
        with httpx.Client(base_url=base, timeout=30) as http:
            assert http.get("/readyz").json()["status"] == "ready"
            ui = http.get(f"http://127.0.0.1:{run_env['SAMVERKAN_TEMPORAL_UI_PORT']}/api/v1/settings").json()
            assert ui["Codec"]["Endpoint"] == f"{base}/codec"  # the UI decodes through our codec
            login = {"username": "handlaggare", "password": "samverkan-demo"}
            token = http.post("/api/v1/auth/token", data=login).json()
            h = {"Authorization": f"Bearer {token['access_token']}"}
            case = http.post("/api/v1/cases", json=case_body(), headers=h)
            assert case.status_code == 201, case.text
            case_id = case.json()["case_id"]
            assert http.post(f"/api/v1/cases/{case_id}/actions/complete-introduction", headers=h).status_code == 200
    finally:
        assert stop(proc) == 0

    proc, _ = launch(run_env)  # the seed runs again: it must be idempotent
    try:
        with httpx.Client(base_url=base, timeout=30) as http:
            state = http.get(f"/api/v1/cases/{case_id}", headers=h)  # the token from before the restart
            assert state.status_code == 200, state.text
            assert state.json()["phase"] == "preparatory"
            after = http.post(f"/api/v1/cases/{case_id}/actions/record-exit", json={"reason": "work"}, headers=h)
            assert after.status_code == 200 and after.json()["phase"] == "exited"
    finally:
        assert stop(proc) == 0


def test_a_child_runs_on_the_settings_it_is_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker and the web app a test or the bench starts meet the database, the queue and the
    keys they were given, not a `SAMVERKAN_*` variable of the shell around them, but for the
    tuning passed through on purpose."""
    monkeypatch.setenv("SAMVERKAN_TASK_QUEUE", "the-shells-queue")
    monkeypatch.setenv("SAMVERKAN_HTTP_PORT", "9999")
    monkeypatch.setenv("SAMVERKAN_WORKER_MAX_CACHED_WORKFLOWS", "7")
    given = Settings(  # type: ignore[call-arg]
        data_dir=tmp_path, task_queue="the-tests-queue", admin_password="pw", payload_key="a2V5", _env_file=None
    )
    env = child_environment(given, {"ACCESS_LOG_FSYNC": "false"}, keep=("SAMVERKAN_WORKER_",))
    monkeypatch.setattr(os, "environ", env)
    child = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (child.task_queue, child.resolved_database_url) == ("the-tests-queue", given.resolved_database_url)
    assert (child.admin_password, child.payload_key, child.access_log_fsync) == ("pw", "a2V5", False)
    assert child.http_port == 8000
    assert child.worker_max_cached_workflows == 7
