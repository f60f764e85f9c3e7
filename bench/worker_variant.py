"""The service's worker with another workflow runner, to price a change before making it:
`python -m bench.worker_variant sandboxed|passthrough|unsandboxed` (the bench's `--worker` flag).

- passthrough: sandboxed, but the service's own modules (`workflows`, `core`) are passed
  through, so a new workflow instance no longer re-executes them;
- unsandboxed: no sandbox, as the service's worker runs by default;
- sandboxed: Temporal's sandbox, as with `SAMVERKAN_WORKER_SANDBOX=true`.
Everything else is the service's worker as `python -m worker` builds it."""

import asyncio
import contextlib
import sys
from concurrent.futures import ThreadPoolExecutor

from temporalio.worker import UnsandboxedWorkflowRunner, Worker, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from core.logging import configure_logging
from core.settings import get_settings
from services.temporal import connect
from worker.main import WORKFLOWS, activities_for

RUNNERS: dict[str, WorkflowRunner] = {
    "sandboxed": SandboxedWorkflowRunner(),
    "passthrough": SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules("workflows", "core")
    ),
    "unsandboxed": UnsandboxedWorkflowRunner(),
}


async def main(variant: str) -> None:
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    client = await connect(settings)
    with ThreadPoolExecutor(max_workers=16) as executor:
        worker = Worker(
            client,
            task_queue=settings.task_queue,
            workflows=WORKFLOWS,
            activities=activities_for(settings, client),
            activity_executor=executor,
            max_concurrent_activities=16,
            workflow_runner=RUNNERS[variant],
        )
        await worker.run()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(sys.argv[1]))
