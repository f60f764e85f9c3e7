"""Replaying a case's record with today's workflow code (the SDK's `Replayer`, the same
workflows the worker runs): does the record still reproduce, and what was the case's state at
a given moment.

The runs given here hold decoded payloads, so the replay uses the service's converter without
its codec: an exported history replays exactly as the record it came from.
"""

import asyncio
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter, FailureConverter, PayloadConverter
from temporalio.worker import (
    ExecuteWorkflowInput,
    Interceptor,
    Replayer,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

from services.history.errors import ReplayFailed
from services.history.replay_process import ReplayProcesses
from services.history.runs import Run, event_time
from workflows.case import CaseView
from workflows.registry import WORKFLOWS
from workflows.views import view_of

# A replay of a long record takes seconds (1,000 events: a third of a second, README,
# Performance); one that has not ended after this will not end, and is ended with its process.
REPLAY_DEADLINE = 60.0
_replays = ReplayProcesses()

# The SDK wraps the reason in the Rust core's debug text; the reason is what an auditor reads.
_CORE_MESSAGE = re.compile(r'message: "((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class ConverterRecipe:
    """The service's converter without its codec (the runs given here hold decoded payloads), as
    a replay process makes it: a converter holds what cannot be sent to another process."""

    converter: type[DataConverter]
    payload_converter: type[PayloadConverter]
    failure_converter: type[FailureConverter]

    @classmethod
    def of(cls, converter: DataConverter) -> "ConverterRecipe":
        return cls(type(converter), converter.payload_converter_class, converter.failure_converter_class)

    def make(self) -> DataConverter:
        return self.converter(
            payload_converter_class=self.payload_converter, failure_converter_class=self.failure_converter
        )


def _ready() -> None:
    """Run in a replay process ahead of its first replay: being this module's, it has the
    process import the workflows and the SDK's replayer, all a replay needs."""


def warm_replays() -> None:
    """An auditor's page that offers a replay: its process is started now, not at the click."""
    _replays.warm(_ready)


def shutdown_replays() -> None:
    """Ends the replay processes (and any replay in them): the web process is stopping."""
    _replays.shutdown()


@dataclass
class Divergence:
    run_id: str
    message: str


def _reason(failure: Exception) -> str:
    found = _CORE_MESSAGE.search(str(failure))
    return found.group(1) if found else str(failure)


def ran_code(run: Run) -> bool:
    """Whether any workflow task of the run has begun: a run that has only its start event (a
    case continued as new an instant ago) holds nothing the code did, and the SDK's replayer
    given such a history waits for ever (tests/services/history/test_replay.py)."""
    return any(e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED for e in run.events)


async def _histories(workflow_id: str, runs: Sequence[Run]) -> AsyncIterator[WorkflowHistory]:
    for run in runs:
        yield WorkflowHistory(workflow_id, run.events)


async def divergences(workflow_id: str, runs: Sequence[Run], converter: DataConverter) -> list[Divergence]:
    """Where replaying each run against the current code differs from its record (none: it
    reproduces). A run no workflow task has begun yet reproduces: there is nothing to replay."""
    replayable = [run for run in runs if ran_code(run)]
    if not replayable:
        return []
    recipe = ConverterRecipe.of(converter)
    failures = await _replays.run(REPLAY_DEADLINE, failures_in_replay, workflow_id, replayable, recipe)
    order = [run.run_id for run in runs]
    found = [Divergence(run_id, message) for run_id, message in failures.items()]
    return sorted(found, key=lambda d: order.index(d.run_id) if d.run_id in order else len(order))


def failures_in_replay(workflow_id: str, runs: Sequence[Run], recipe: ConverterRecipe) -> dict[str, str]:
    """In a replay process: each run that does not reproduce, with the reason."""
    replayer = Replayer(workflows=WORKFLOWS, data_converter=recipe.make())
    results = asyncio.run(
        replayer.replay_workflows(_histories(workflow_id, runs), raise_on_replay_failure=False)
    )
    return {run_id: _reason(failure) for run_id, failure in results.replay_failures.items()}


class _CaptureInstance(Interceptor):
    """Keeps the workflow instance the replay builds, to read its state after the replay."""

    def __init__(self) -> None:
        self.instances: list[Any] = []

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor] | None:
        instances = self.instances

        class Capture(WorkflowInboundInterceptor):
            async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
                instances.append(workflow.instance())
                return await super().execute_workflow(input)

        return Capture


@dataclass
class StateAsOf:
    run_id: str
    last_event_id: int
    last_event_at: datetime
    state: CaseView


def _events_until(run: Run, at: datetime) -> list[Any]:
    """The run's events up to the first workflow task not completed by `at`: every task whose
    change the case had recorded by then, each with what it did. The first task is always kept.

    A task's completion, not its scheduling, is when its change happened: a task scheduled
    before `at` (an activity of the last action done, say) may be handed an action that came
    after `at`, and what it decided was recorded only when it completed."""
    completed = {
        e.workflow_task_completed_event_attributes.scheduled_event_id: event_time(e)
        for e in run.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
    }
    tasks = [i for i, e in enumerate(run.events) if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED]
    # A task that failed, timed out or is still running changed nothing: it is not kept either.
    later = [i for i in tasks[1:] if completed.get(run.events[i].event_id, datetime.max.replace(tzinfo=UTC)) > at]
    return run.events[: later[0]] if later else run.events


async def state_at(workflow_id: str, runs: Sequence[Run], at: datetime, converter: DataConverter) -> StateAsOf | None:
    """The case's state at `at`, rebuilt by replaying its record up to then; None before the
    case's first workflow task. A run continued as new holds at first only its start event:
    until its first task, the case's state is where the run before it ended."""
    begun = [run for run in runs if run.started_at <= at and ran_code(run)]
    if not begun:
        return None
    recipe = ConverterRecipe.of(converter)
    return await _replays.run(REPLAY_DEADLINE, state_in_replay, workflow_id, begun[-1], at, recipe)


def state_in_replay(workflow_id: str, run: Run, at: datetime, recipe: ConverterRecipe) -> StateAsOf:
    """In a replay process: the run replayed up to `at`, and the case's state then."""
    events = _events_until(run, at)
    capture = _CaptureInstance()
    replayer = Replayer(workflows=WORKFLOWS, data_converter=recipe.make(), interceptors=[capture])
    result = asyncio.run(
        replayer.replay_workflow(WorkflowHistory(workflow_id, events), raise_on_replay_failure=False)
    )
    if result.replay_failure is not None or not capture.instances:
        raise ReplayFailed(_reason(result.replay_failure) if result.replay_failure else "no workflow task replayed")
    # Age group and target groups as they were then, not as they are today.
    view = view_of(capture.instances[-1].state, event_time(events[-1]))
    return StateAsOf(run.run_id, events[-1].event_id, event_time(events[-1]), view)
