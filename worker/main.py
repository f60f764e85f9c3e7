"""Build and run the worker."""

import asyncio
import signal
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import structlog
from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from activities.delivery import Delivery
from activities.digest import Digest
from activities.mail import Letterhead
from activities.notify import Notifier
from activities.projection import Projection
from activities.reports import Reports
from activities.seats import Seats
from activities.smtp import SmtpServer
from core.logging import configure_logging
from core.settings import Settings, get_settings
from services.temporal import case_keys, connect, ensure_search_attributes
from worker.health import health_server
from worker.schedules import ensure_digest_schedule, ensure_report_schedules
from worker.telemetry import ActivityLogContext
from workflows.registry import WORKFLOWS

log = structlog.get_logger()


def activities_for(settings: Settings, client: Client, task_queue: str | None = None) -> list[Callable[..., Any]]:
    url = settings.resolved_database_url
    # Without SMTP, reminders and digests go to the inbox and the log only.
    delivery = Delivery(url, SmtpServer.from_url(settings.smtp_url)) if settings.smtp_url else None
    letterhead = Letterhead(settings.mail_from, settings.public_url)
    return [
        Projection(url, case_keys(settings)).project_case,
        Notifier(url, delivery, letterhead).notify,
        Digest(url, case_keys(settings), delivery, letterhead, settings.retention_years).send_daily_digest,
        Reports(url).make_report,
        # The seat activity calls the track's workflow: it needs the client and the worker's queue.
        Seats(url, client, task_queue or settings.task_queue).request_seat,
    ]


def workflow_runner(settings: Settings) -> WorkflowRunner:
    """Unsandboxed unless `worker_sandbox`. Determinism is kept by what the workflow modules may
    import and call (tests/workflows/test_determinism.py), by replaying every recorded history
    (tests/test_replay.py, in the sandbox) and by the SQLite half of the suite, which runs its
    worker in the sandbox. The sandbox re-executes the journey's module for every journey it
    brings into memory: about 100 ms of CPU against 2 ms, and ten times the memory
    (README, Performance)."""
    return SandboxedWorkflowRunner() if settings.worker_sandbox else UnsandboxedWorkflowRunner()


def build_worker(
    client: Client, settings: Settings, executor: ThreadPoolExecutor, task_queue: str | None = None
) -> Worker:
    tuning: dict[str, Any] = {}  # unset settings keep the SDK's defaults
    if settings.worker_max_concurrent_workflow_tasks is not None:
        tuning["max_concurrent_workflow_tasks"] = settings.worker_max_concurrent_workflow_tasks
    if settings.worker_workflow_task_polls is not None:
        tuning["max_concurrent_workflow_task_polls"] = settings.worker_workflow_task_polls
    return Worker(
        client,
        task_queue=task_queue or settings.task_queue,
        workflows=WORKFLOWS,
        activities=activities_for(settings, client, task_queue),
        activity_executor=executor,
        max_concurrent_activities=settings.worker_max_concurrent_activities,
        max_cached_workflows=settings.worker_max_cached_workflows,
        nonsticky_to_sticky_poll_ratio=settings.worker_nonsticky_to_sticky_poll_ratio,
        sticky_queue_schedule_to_start_timeout=settings.worker_sticky_queue_timeout,
        interceptors=[ActivityLogContext()],
        workflow_runner=workflow_runner(settings),
        **tuning,
    )


async def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    client = await connect(settings)
    await ensure_search_attributes(client)
    await ensure_digest_schedule(client, settings)
    await ensure_report_schedules(client, settings)
    with ThreadPoolExecutor(max_workers=settings.worker_max_concurrent_activities) as executor:
        worker = build_worker(client, settings, executor)
        await run_until_stopped(worker, settings, client)


async def run_until_stopped(worker: Worker, settings: Settings, client: Client) -> None:
    """Run until SIGINT or SIGTERM (Ctrl-C, `docker stop`), then shut down gracefully: the
    tasks in hand are finished or handed back, so another worker takes them at once."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    running = asyncio.create_task(worker.run())
    health = None
    if settings.worker_http_port is not None:
        health = health_server(client, worker, settings.worker_http_host, settings.worker_http_port)
        serving = asyncio.create_task(health.serve())
    log.info("worker_started", task_queue=settings.task_queue, health_port=settings.worker_http_port)
    stopped = asyncio.create_task(stopping.wait())
    await asyncio.wait({running, stopped}, return_when=asyncio.FIRST_COMPLETED)
    if health is not None:
        health.should_exit = True
        await serving
    if not running.done():
        await worker.shutdown()
    stopped.cancel()
    await running  # a worker that failed says why
    log.info("worker_stopped")


if __name__ == "__main__":
    asyncio.run(main())
