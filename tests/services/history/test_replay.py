"""An auditor's replay answers, whatever moment of the case's record it meets: a run continued as
new an instant ago (its start event alone) is no reason to wait for ever, and a replay that does
not end is answered with 503 at its deadline, and ended with its process. Pure: recorded
histories, no server."""

import asyncio
import os
import signal
from datetime import UTC, datetime

import pytest
from structlog.testing import capture_logs
from temporalio.api.enums.v1 import EventType

from services.errors import Unavailable
from services.history import replay
from services.history.replay_process import ReplayProcesses
from services.history.runs import event_time
from tests.replays import WORKFLOW_ID, continued_an_instant_ago, ended, recorded_run
from tests.stack import recordings_converter


async def test_a_run_with_its_start_event_alone_reproduces() -> None:
    first = await recorded_run("journey-reassign")
    second = continued_an_instant_ago(first)
    assert not replay.ran_code(second) and replay.ran_code(first)
    assert await replay.divergences(WORKFLOW_ID, [first, second], recordings_converter()) == []
    assert await replay.divergences(WORKFLOW_ID, [second], recordings_converter()) == []


async def test_the_state_before_a_new_runs_first_task_is_where_the_run_before_ended() -> None:
    first = await recorded_run("journey-reassign", ending_mid_task=True)
    second = continued_an_instant_ago(first)
    then = await replay.state_at(WORKFLOW_ID, [first], datetime.now(UTC), recordings_converter())
    now = await replay.state_at(WORKFLOW_ID, [first, second], datetime.now(UTC), recordings_converter())
    assert then is not None and now is not None
    assert now.run_id == "first-run" and now.state.responsible_worker == then.state.responsible_worker
    # Where the run before ended: its last completed task (its recording ends in one not completed).
    assert now.last_event_id == then.last_event_id < first.events[-1].event_id


async def test_a_replay_that_does_not_end_is_ended_with_its_process_at_its_deadline() -> None:
    """The SDK's replayer, given a run with its start event alone, waits for ever (the public
    functions never give it one): the replay answers Unavailable at its deadline, its process is
    ended, and the next replay gets a process of its own."""
    first = await recorded_run("journey-reassign")
    stuck = continued_an_instant_ago(first)
    recipe = replay.ConverterRecipe.of(recordings_converter())
    processes = ReplayProcesses(processes=1)
    try:
        assert await processes.run(60, replay.failures_in_replay, WORKFLOW_ID, [first], recipe) == {}
        (pid,) = processes.pids()
        with pytest.raises(Unavailable, match="did not end within 2 s"):
            await processes.run(2, replay.failures_in_replay, WORKFLOW_ID, [stuck], recipe)
        assert processes.pids() == [] and await ended(pid)
        assert await processes.run(60, replay.failures_in_replay, WORKFLOW_ID, [first], recipe) == {}
        assert processes.pids() not in ([], [pid])
    finally:
        processes.shutdown()


async def test_the_replay_process_is_let_go_after_a_quiet_spell() -> None:
    first = await recorded_run("journey-reassign")
    recipe = replay.ConverterRecipe.of(recordings_converter())
    processes = ReplayProcesses(processes=1, idle=1.0)
    try:
        await processes.run(60, replay.failures_in_replay, WORKFLOW_ID, [first], recipe)
        (pid,) = processes.pids()
        await asyncio.sleep(0.5)
        await processes.run(60, replay.failures_in_replay, WORKFLOW_ID, [first], recipe)
        await asyncio.sleep(0.7)  # a second after the first replay, not after the second
        assert processes.pids() == [pid]
        assert await ended(pid) and processes.pids() == []
    finally:
        processes.shutdown()


async def test_a_warmed_process_serves_the_next_replay_and_one_ended_since_is_replaced() -> None:
    """An auditor's page starts the process before the first replay asks (spawning it takes
    1–3 s): the replay then runs in it. A process that ended between two replays (killed, out of
    memory) is replaced at the next replay, which answers, not 503."""
    first = await recorded_run("journey-reassign")
    recipe = replay.ConverterRecipe.of(recordings_converter())
    processes = ReplayProcesses(processes=1)
    try:
        processes.warm(os.getpid)
        (pid,) = processes.pids()
        processes.warm(os.getpid)  # warm already: no second process
        assert await processes.run(60, replay.failures_in_replay, WORKFLOW_ID, [first], recipe) == {}
        assert processes.pids() == [pid]
        os.kill(pid, signal.SIGKILL)
        assert await ended(pid)
        await asyncio.sleep(1)  # the pool's own thread notices
        assert await processes.run(60, replay.failures_in_replay, WORKFLOW_ID, [first], recipe) == {}
        assert processes.pids() not in ([], [pid])
    finally:
        processes.shutdown()


async def test_a_replay_process_that_cannot_start_does_not_fail_the_page() -> None:
    """Warming is a courtesy: when the process cannot be made (here: a pool of no process), the
    auditor's page is served all the same, and the failure is logged."""
    processes = ReplayProcesses(processes=0)
    with capture_logs() as logs:
        processes.warm(os.getpid)
    assert processes.pids() == []
    assert [e["error"] for e in logs if e["event"] == "replay_warm_failed"] == ["ValueError"]


async def test_the_state_at_a_moment_leaves_out_a_task_that_completed_after_it() -> None:
    """A workflow task scheduled before the moment (by the last action's projection, say) can be
    handed an action that came after it: its change counts from its completion."""
    run = await recorded_run("journey-straight-through")
    events = run.events
    update = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    updates = [i for i, e in enumerate(events) if e.event_type == update]
    accepted = updates[1]  # an action after the first
    completed = max(i for i in range(accepted) if events[i].event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
    scheduled = events[completed].workflow_task_completed_event_attributes.scheduled_event_id
    task_scheduled_at = event_time(next(e for e in events if e.event_id == scheduled))
    assert event_time(events[completed]) > task_scheduled_at  # the recording has the two apart

    converter = recordings_converter()
    before = await replay.state_at(WORKFLOW_ID, [run], task_scheduled_at, converter)
    after = await replay.state_at(WORKFLOW_ID, [run], event_time(events[completed]), converter)
    assert before is not None and after is not None
    assert before.last_event_id < scheduled <= after.last_event_id
    assert before.state.version < after.state.version  # the action's change, then and not before
