"""Worker processes for the scale and fault tests: `python -m worker` as production runs it,
on the test's Temporal server, database and task queue, with its health endpoint."""

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import httpx

from core.settings import Settings
from tests.stack import free_port
from worker.orphans import stop_with_parent

ROOT = Path(__file__).resolve().parent.parent


class WorkerProcess:
    def __init__(self, settings: Settings, **extra: str) -> None:
        self.health_port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SAMVERKAN_")}
        env |= {
            "SAMVERKAN_DATA_DIR": str(settings.data_dir),
            "SAMVERKAN_DATABASE_URL": settings.resolved_database_url,
            "SAMVERKAN_TEMPORAL_ADDRESS": str(settings.temporal_address),
            "SAMVERKAN_TASK_QUEUE": settings.task_queue,
            "SAMVERKAN_TEMPORAL_NAMESPACE": settings.temporal_namespace,
            "SAMVERKAN_PAYLOAD_KEY": str(settings.payload_key),
            "SAMVERKAN_LOG_LEVEL": "warning",
            # Schedules of its own: the shared test server has other workers' schedules.
            "SAMVERKAN_DIGEST_SCHEDULE_ID": f"digest-{secrets.token_hex(4)}",
            "SAMVERKAN_REPORT_SCHEDULE_PREFIX": f"report-{secrets.token_hex(4)}",
            "SAMVERKAN_WORKER_HTTP_PORT": str(self.health_port),
            **({"SAMVERKAN_SMTP_URL": settings.smtp_url} if settings.smtp_url else {}),
        }
        self.env = env | extra
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> "WorkerProcess":
        return self.spawn().until_healthy()

    def spawn(self) -> "WorkerProcess":
        # It stops with the test process, however that ends.
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "worker"], cwd=ROOT, env=self.env, preexec_fn=stop_with_parent(os.getpid())
        )
        return self

    def until_healthy(self) -> "WorkerProcess":
        assert self.proc is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"the worker exited with {self.proc.returncode}"
            try:
                if httpx.get(self.url("/healthz"), timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError("the worker did not become healthy")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.health_port}{path}"

    @property
    def identity_prefix(self) -> str:
        """The SDK names a worker `pid@host` in every event it completes."""
        assert self.proc is not None
        return f"{self.proc.pid}@"

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> int:
        """SIGTERM, as `docker stop` sends: a graceful stop."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                return self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        return self.proc.wait()


def start_together(*workers: WorkerProcess) -> tuple[WorkerProcess, ...]:
    """Start-up is mostly imports and connecting: the processes do it side by side."""
    return tuple(w.until_healthy() for w in [w.spawn() for w in workers])
