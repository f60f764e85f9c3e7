"""Many journeys driven to their end through the API, as case workers retrying after an outage
would (the same Idempotency-Key), and the check that each did exactly its steps."""

import asyncio
from collections.abc import Callable

from sqlmodel import select
from temporalio.client import WorkflowExecutionStatus

from store.db import session_scope
from store.models import CaseSummary
from tests.stack import Stack, eventually, today

W = "handlaggare"
# Open → an effort planned → closed: two steps, the first one that a double would show.
STEPS: list[tuple[str, dict[str, object]]] = [
    ("plan-effort", {"kind": "sfi", "provider": "Komvux", "starts_on": today().isoformat()}),
    ("close", {"reason": "moved"}),
]


async def drive(stack: Stack, case_id: str, done: Callable[[], None] = lambda: None) -> None:
    headers = await stack.headers(W)
    for number, (action, body) in enumerate(STEPS):
        key = {"Idempotency-Key": f"{case_id}-{number}"}
        while True:
            r = await stack.api.post(f"/api/v1/cases/{case_id}/actions/{action}", json=body, headers=headers | key)
            if r.status_code == 200:
                break
            if r.status_code == 503:  # no worker answered in time, or the database is away: the same key is safe
                await asyncio.sleep(0.2)
                continue
            if r.status_code == 409 and action == STEPS[-1][0] and r.json()["detail"]["phase"] == "closed":
                break  # the last step closed the case before its answer was lost; checked below
            raise AssertionError(f"{action}: {r.status_code} {r.text}")
        done()


async def drive_all(stack: Stack, case_ids: list[str], done: Callable[[], None], in_flight: int = 20) -> None:
    gate = asyncio.Semaphore(in_flight)

    async def one(case_id: str) -> None:
        async with gate:
            await drive(stack, case_id, done)

    await asyncio.gather(*(one(c) for c in case_ids))


async def open_cases(stack: Stack, count: int, in_flight: int = 10) -> list[str]:
    gate = asyncio.Semaphore(in_flight)

    async def one() -> str:
        async with gate:
            return str((await stack.open_case())["case_id"])

    return list(await asyncio.gather(*(one() for _ in range(count))))


async def assert_exactly_their_steps(stack: Stack, case_ids: list[str], in_flight: int = 20) -> set[str]:
    """Each journey completed with exactly STEPS (no step lost, none doubled) and the read
    model has its last version. Returns the identities of the workers that did the work."""
    gate = asyncio.Semaphore(in_flight)

    async def one(case_id: str) -> set[str]:
        async with gate:
            handle = stack.temporal.get_workflow_handle(f"journey-{case_id}")
            # A closed case's journey ends once its last read-model write is done, which may
            # still be retrying (a database coming back): wait for the end, bounded.
            await asyncio.wait_for(handle.result(), timeout=60)
            assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED, case_id
            events = [e async for e in handle.fetch_history_events()]
        accepted = [e for e in events if e.HasField("workflow_execution_update_accepted_event_attributes")]
        completed = [e for e in events if e.HasField("workflow_execution_update_completed_event_attributes")]
        names = [e.workflow_execution_update_accepted_event_attributes.accepted_request.input.name for e in accepted]
        assert names == [action for action, _ in STEPS], f"{case_id}: {names}"
        assert len(completed) == len(STEPS), case_id
        return {
            e.workflow_task_completed_event_attributes.identity
            for e in events
            if e.HasField("workflow_task_completed_event_attributes")
        } | {
            e.activity_task_started_event_attributes.identity
            for e in events
            if e.HasField("activity_task_started_event_attributes")
        }

    identities: set[str] = set().union(*await asyncio.gather(*(one(c) for c in case_ids)))

    async def projected() -> None:
        with session_scope(stack.settings.resolved_database_url) as session:
            rows = session.exec(select(CaseSummary).where(CaseSummary.case_id.in_(case_ids))).all()  # type: ignore[attr-defined]
        assert {r.case_id for r in rows if r.status == "closed"} == set(case_ids)

    await eventually(projected, timeout=60)
    return identities
