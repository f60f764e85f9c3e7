"""An auditor's replay answers, whatever moment of the case's record it meets: a run continued as
new an instant ago (its start event alone) is no reason to wait for ever, and a replay that does
not end is answered with 503 at its deadline. Pure: recorded histories, no server."""

import asyncio
from datetime import UTC, datetime

import pytest
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory

from services.errors import Unavailable
from services.history import replay
from services.history.payloads import decoded
from services.history.runs import Run
from tests.recordings import recordings
from tests.stack import recordings_converter

WORKFLOW_ID = "journey-recorded"


async def recorded_run(scenario: str) -> Run:
    """The scenario's latest recording as a run, payloads decoded as the history service holds them."""
    recording = [r for r in recordings() if r.scenario == scenario][-1]
    events = WorkflowHistory.from_json(WORKFLOW_ID, recording.text).events
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


async def test_a_run_with_its_start_event_alone_reproduces() -> None:
    first = await recorded_run("journey-reassign")
    second = continued_an_instant_ago(first)
    assert not replay.ran_code(second) and replay.ran_code(first)
    assert await replay.divergences(WORKFLOW_ID, [first, second], recordings_converter()) == []
    assert await replay.divergences(WORKFLOW_ID, [second], recordings_converter()) == []


async def test_the_state_before_a_new_runs_first_task_is_where_the_run_before_ended() -> None:
    first = await recorded_run("journey-reassign")
    second = continued_an_instant_ago(first)
    then = await replay.state_at(WORKFLOW_ID, [first], datetime.now(UTC), recordings_converter())
    now = await replay.state_at(WORKFLOW_ID, [first, second], datetime.now(UTC), recordings_converter())
    assert then is not None and now is not None
    assert now.run_id == "first-run" and now.state.responsible_worker == then.state.responsible_worker
    assert now.last_event_id == first.events[-1].event_id


async def test_a_replay_that_does_not_end_is_unavailable_at_its_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replay, "REPLAY_DEADLINE", 0.2)
    never = asyncio.Event()
    with pytest.raises(Unavailable, match="did not end within"):
        await replay._within_deadline(never.wait())
    assert len(replay._abandoned) == 1
    never.set()  # the abandoned wait ends, and is let go
    await asyncio.wait(list(replay._abandoned))
    await asyncio.sleep(0)
    assert not replay._abandoned
