"""The replay time of a 1,000-event history: what a worker pays to bring back a case that left
its cache, and what the auditor's verify waits for. A journey grown with follow-ups, replayed
as the service replays (sandboxed, encrypted payloads), against a bare history of the same
length replayed unsandboxed."""

import statistics
import time
from collections.abc import AsyncIterator
from typing import Any

from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner

from bench.floor import BareCounter
from bench.report import Bound, Figure, Goal
from bench.single import bare_workflows, follow_up
from bench.stack import BenchStack
from bench.worker_variant import RUNNERS
from services.temporal import data_converter
from worker.main import WORKFLOWS

REPLAY_GOAL = Goal(Bound.AT_MOST, 500, proposed=True)
EVENTS = 1000
RUNS = 5


async def history_length(handle: WorkflowHandle[Any, Any]) -> int:
    return int((await handle.describe()).raw_description.workflow_execution_info.history_length)


async def grow(handle: WorkflowHandle[Any, Any], step: Any, events: int) -> WorkflowHistory:
    while await history_length(handle) < events:
        for _ in range(10):
            await step()
    return await handle.fetch_history()


def first_task(history: WorkflowHistory) -> WorkflowHistory:
    """The history up to the end of its first workflow task: replaying it costs what a worker
    pays to make a workflow instance (a new case, or one that left the cache)."""
    done = next(i for i, e in enumerate(history.events) if e.HasField("workflow_task_completed_event_attributes"))
    return WorkflowHistory(history.workflow_id, history.events[: done + 1])


async def replay_ms(replayer: Replayer, history: WorkflowHistory, runs: int = RUNS) -> tuple[float, float]:
    """The first replay (with the replayer's own start: a worker, the sandbox's checks) and the
    median of the next ones in the same replayer: what a running worker pays per history."""

    async def copies() -> AsyncIterator[WorkflowHistory]:
        for _ in range(runs + 1):
            yield history

    times = []
    t0 = time.perf_counter()
    async with replayer.workflow_replay_iterator(copies()) as results:
        async for result in results:
            if result.replay_failure is not None:
                raise RuntimeError(f"replay failed: {result.replay_failure}")
            t1 = time.perf_counter()
            times.append((t1 - t0) * 1000)
            t0 = t1
    return times[0], statistics.median(times[1:])


async def run(s: BenchStack) -> list[Figure]:
    case_id = (await s.open_case())["case_id"]
    body = follow_up()
    journey = await grow(
        s.service.get_workflow_handle(f"journey-{case_id}"),
        lambda: s.act(case_id, "record-follow-up", body),
        EVENTS,
    )
    (bare,) = await bare_workflows(s, 1)
    bare_history = await grow(bare, lambda: bare.execute_update(BareCounter.bump, "bench"), EVENTS)
    await bare.signal(BareCounter.finish)

    converter = data_converter(s.settings)
    sandbox = Replayer(workflows=WORKFLOWS, data_converter=converter)
    no_sandbox = Replayer(workflows=WORKFLOWS, data_converter=converter, workflow_runner=UnsandboxedWorkflowRunner())
    floor_replayer = Replayer(workflows=[BareCounter], workflow_runner=UnsandboxedWorkflowRunner())
    cold, sandboxed = await replay_ms(sandbox, journey)
    _, unsandboxed = await replay_ms(no_sandbox, journey)
    _, floor = await replay_ms(floor_replayer, bare_history)
    _, sandboxed_first = await replay_ms(sandbox, first_task(journey), 20)
    _, unsandboxed_first = await replay_ms(no_sandbox, first_task(journey), 20)
    passthrough = Replayer(workflows=WORKFLOWS, data_converter=converter, workflow_runner=RUNNERS["passthrough"])
    _, passthrough_first = await replay_ms(passthrough, first_task(journey), 20)
    _, floor_first = await replay_ms(floor_replayer, first_task(bare_history), 20)
    n, m = len(journey.events), len(bare_history.events)
    return [
        Figure(
            "replay",
            f"replay of a {EVENTS:,}-event history (unsandboxed, as the service's worker)",
            "ms",
            unsandboxed,
            floor,
            REPLAY_GOAL,
            f"journey {n} events, bare {m}; median of {RUNS} in one replayer; "
            f"a sandboxed replayer's first {cold:.0f} ms",
        ),
        Figure(
            "replay",
            "  the same journey in the sandbox (SAMVERKAN_WORKER_SANDBOX=true)",
            "ms",
            sandboxed,
            floor,
            None,
            "not a goal: what the sandbox costs on replay",
        ),
        Figure(
            "replay",
            "  a journey's first task replayed (unsandboxed): the cost of one workflow instance",
            "ms",
            unsandboxed_first,
            floor_first,
            None,
            f"not a goal: in the sandbox {sandboxed_first:.1f} ms (with workflows/ and core/ passed through "
            f"{passthrough_first:.1f} ms); paid by every new case and every cache miss",
        ),
    ]
