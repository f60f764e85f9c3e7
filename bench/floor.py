"""The engine's floor: a bare workflow (one update, one query, one signal) run by an
unsandboxed worker, so what the service adds on top of Temporal shows as a ratio."""

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from temporalio import workflow
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

FLOOR_QUEUE = "bench-floor"
# A keyword the service registers anyway: a bare workflow marks itself live with it, so the
# memory part can count the ones whose first task is done.
LIVE_MARK = SearchAttributeKey.for_keyword("ResponsibleWorker")


@workflow.defn(name="BareCounter")
class BareCounter:
    def __init__(self) -> None:
        self.value = 0
        self.done = False

    @workflow.run
    async def run(self, mark: str | None = None) -> int:
        if mark:
            workflow.upsert_search_attributes([LIVE_MARK.value_set(mark)])
        await workflow.wait_condition(lambda: self.done)
        return self.value

    @workflow.update
    async def bump(self, note: str) -> int:
        self.value += 1
        return self.value

    @bump.validator
    def _check_bump(self, note: str) -> None:
        if not note:
            raise ValueError("note")

    @workflow.query
    def current(self) -> int:
        return self.value

    @workflow.signal
    def finish(self) -> None:
        self.done = True


def floor_worker(client: Client, task_queue: str = FLOOR_QUEUE) -> Worker:
    return Worker(client, task_queue=task_queue, workflows=[BareCounter], workflow_runner=UnsandboxedWorkflowRunner())


@asynccontextmanager
async def floor_running(client: Client, task_queue: str = FLOOR_QUEUE) -> AsyncIterator[Worker]:
    """The floor worker in this process, on this event loop (the measured floor)."""
    async with floor_worker(client, task_queue) as worker:
        yield worker


async def _serve(address: str, task_queue: str) -> None:
    client = await Client.connect(address)
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=[BareCounter],
        workflow_runner=UnsandboxedWorkflowRunner(),
        max_concurrent_workflow_task_polls=20,
        nonsticky_to_sticky_poll_ratio=1.0,
    )
    await worker.run()


if __name__ == "__main__":
    # A floor worker in a process of its own: only the memory part uses it, to read its RSS. The
    # bench stops it with SIGINT: a stop, not a traceback in the bench's output.
    with suppress(KeyboardInterrupt):
        asyncio.run(_serve(sys.argv[1], sys.argv[2]))
