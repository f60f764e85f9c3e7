"""A crash mid-step loses no step and doubles none. The worker process that holds a case is
killed (SIGKILL) while the case's step waits on its activity, with the step's update in flight
from the API; a new worker takes the case over from its history, the caller's request is
answered, and a retry with the same Idempotency-Key answers the same without doing it again."""

import asyncio
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.worker import Worker

from activities.seats import Seats
from tests.stack import TEST_PAYLOAD_KEY, Stack, running_stack
from worker.main import WORKFLOWS, activities_for
from workflows.effects import REQUEST_SEAT, SeatAnswer, SeatRequest

ROOT = Path(__file__).resolve().parent.parent
AF = "arbetsformedlare"


class HeldSeatRequest:
    """The real seat request (the track takes the application), then held until released:
    the window in which the test kills the worker that holds the case."""

    def __init__(self, seats: Seats) -> None:
        self.seats = seats
        self.taken = asyncio.Event()
        self.release = asyncio.Event()

    @activity.defn(name=REQUEST_SEAT)
    async def request_seat(self, request: SeatRequest) -> SeatAnswer:
        answer = await self.seats.request_seat(request)
        self.taken.set()
        await self.release.wait()
        return answer


@contextmanager
def workflow_worker_process(
    temporal_address: str, task_queue: str, data_dir: Path, database_url: str
) -> Iterator[subprocess.Popen[str]]:
    """Started at once; it prints `polling` when it is ready (see `ready`). It reads the
    database too: its codec takes each case's data key from there."""
    env = os.environ | {
        "SAMVERKAN_DATABASE_URL": database_url,
        "SAMVERKAN_TEMPORAL_ADDRESS": temporal_address,
        "SAMVERKAN_TASK_QUEUE": task_queue,
        "SAMVERKAN_PAYLOAD_KEY": TEST_PAYLOAD_KEY,
        "SAMVERKAN_DATA_DIR": str(data_dir),
    }
    proc = subprocess.Popen([sys.executable, "-m", "tests.crash_worker"], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE)
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


async def ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    assert (await asyncio.to_thread(proc.stdout.readline)).strip() == "polling"


@asynccontextmanager
async def activity_worker(s: Stack, held: HeldSeatRequest) -> AsyncIterator[None]:
    """The stack's activities in this process, with the seat request held."""
    activities = [held.request_seat if getattr(a, "__temporal_activity_definition").name == REQUEST_SEAT else a
                  for a in activities_for(s.settings, s.temporal)]
    with ThreadPoolExecutor(max_workers=8) as executor:
        async with Worker(s.temporal, task_queue=s.settings.task_queue, activities=activities,
                          activity_executor=executor):
            yield


async def test_a_worker_killed_mid_step_loses_no_step_and_doubles_none(
    temporal_address: str, database_url: str, tmp_path: Path
) -> None:
    queue = f"samverkan-crash-{secrets.token_hex(4)}"
    # The process to be killed starts while the stack is set up, which takes about as long.
    with workflow_worker_process(temporal_address, queue, tmp_path, database_url) as doomed:
        async with running_stack(temporal_address, tmp_path, database_url, worker=False, task_queue=queue) as s:
            await ready(doomed)
            await killed_mid_step(s, doomed)


async def killed_mid_step(s: Stack, doomed: subprocess.Popen[str]) -> None:
    held = HeldSeatRequest(Seats(s.settings.resolved_database_url, s.temporal, s.settings.task_queue))
    track_id = f"krasch-{secrets.token_hex(4)}"
    r = await s.api.post("/api/v1/tracks", json={"track_id": track_id, "name": "Kraschspår", "industry": "care",
                                                 "municipalities": ["0581"], "seats": 3},
                         headers=await s.headers("admin"))
    assert r.status_code == 201, r.text
    async with activity_worker(s, held):
        cid = (await s.open_case(AF))["case_id"]
        await s.act(AF, cid, "complete-introduction")
        await s.act(AF, cid, "joint-standpoint", {"decision": "track"})
        path = f"/api/v1/cases/{cid}/actions/apply-to-track"
        headers = await s.headers(AF) | {"Idempotency-Key": "ansokan-1"}
        in_flight = asyncio.create_task(s.api.post(path, json={"track_id": track_id}, headers=headers))
        await asyncio.wait_for(held.taken.wait(), timeout=30)  # the track has the application
        doomed.send_signal(signal.SIGKILL)
        assert doomed.wait(timeout=10) == -signal.SIGKILL
        held.release.set()  # the activity ends; the case's worker is gone
        async with Worker(s.temporal, task_queue=s.settings.task_queue, workflows=WORKFLOWS):
            answered = await in_flight  # a new worker takes the case over from its history
            assert answered.status_code == 200, answered.text
            retried = await s.api.post(path, json={"track_id": track_id}, headers=headers)
            assert retried.status_code == 200, retried.text
            assert retried.json()["version"] == answered.json()["version"]
            view = await s.get(AF, f"/api/v1/tracks/{track_id}")

    state = answered.json()
    assert state["application"]["status"] == "offered"
    assert [e["action"] for e in state["timeline"]].count("apply-to-track") == 1
    assert view["offered"] == [cid] and view["waiting_list"] == [] and view["seats_taken"] == 1
    events = [e async for e in s.temporal.get_workflow_handle(f"journey-{cid}").fetch_history_events()]
    kinds = [e.event_type for e in events]
    assert kinds.count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) == 3  # intro, standpoint, apply
    assert kinds.count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED) == 3
    seat_requests = [e for e in events if e.HasField("activity_task_scheduled_event_attributes")
                     and e.activity_task_scheduled_event_attributes.activity_type.name == REQUEST_SEAT]
    assert len(seat_requests) == 1
