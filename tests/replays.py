"""What the replay tests share: a recorded journey as a run, the run that follows it an
instant after a continue-as-new (the one the SDK's replayer would wait on for ever), and
whether a replay's process has ended."""

import asyncio
from datetime import UTC, datetime

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory

from services.history.payloads import decoded
from services.history.runs import Run
from tests.recordings import recordings
from tests.stack import recordings_converter

WORKFLOW_ID = "journey-recorded"


async def recorded_run(scenario: str, *, ending_mid_task: bool = False) -> Run:
    """The scenario's latest recording as a run, payloads decoded as the history service holds
    them. `ending_mid_task`: the latest whose last workflow task had not completed when it was
    recorded (where a recording ends depends on when it was taken)."""
    kept = [
        WorkflowHistory.from_json(WORKFLOW_ID, r.text).events for r in recordings() if r.scenario == scenario
    ]
    if ending_mid_task:
        kept = [events for events in kept if events[-1].event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED]
    events = kept[-1]
    codec = recordings_converter().payload_codec
    assert codec is not None
    return Run("first-run", await decoded(events, codec))


def continued_an_instant_ago(before: Run) -> Run:
    """The run that follows `before`, as Temporal holds it before its first workflow task: its
    start event alone."""
    start = HistoryEvent()
    start.CopyFrom(before.events[0])
    start.event_time.FromDatetime(datetime.now(UTC))
    return Run("second-run", [start])


async def ended(pid: int, seconds: float = 5.0) -> bool:
    """Whether the process has ended within `seconds` (a kill, or a let-go, takes a moment)."""
    for _ in range(int(seconds * 10)):
        if not alive(pid):
            return True
        await asyncio.sleep(0.1)
    return False


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie, ended and not yet reaped, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False
