"""Every run of a case's journey workflow, oldest first: a long case continues as new, and
its record is all of its runs together."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from services.errors import Unavailable
from services.history.errors import HistoryNotHeld
from workflows.seat_messages import journey_workflow_id

# How long each call for a case's record (its description, each page of a run's history) may
# wait: a server that takes the call and never answers then gets a 503, not a request that
# waits for ever (the SDK sets no deadline of its own on these calls).
CALL_DEADLINE = 30.0
# What a call that did not get its answer fails with: the server is slow, away or restarting.
_NO_ANSWER = {RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED, RPCStatusCode.UNAVAILABLE}


@dataclass
class Run:
    run_id: str
    events: list[HistoryEvent]

    @property
    def started_at(self) -> datetime:
        return event_time(self.events[0])


def event_time(event: HistoryEvent) -> datetime:
    return event.event_time.ToDatetime(tzinfo=UTC)


@dataclass
class CaseRecord:
    """A case's history as Temporal holds it (payloads as stored: encrypted)."""

    case_id: str
    workflow_id: str
    runs: list[Run]
    # True when the oldest runs are past the namespace's retention: the record starts later.
    earlier_runs_gone: bool = False


async def fetch_record(client: Client, case_id: str) -> CaseRecord:
    """Every run of the case, as Temporal holds them; Unavailable when Temporal does not answer."""
    try:
        return await _fetch_record(client, case_id, timedelta(seconds=CALL_DEADLINE))
    except RPCError as err:
        if err.status in _NO_ANSWER:
            raise Unavailable("Temporal did not answer for the case's history; try again later") from err
        raise


async def _fetch_record(client: Client, case_id: str, deadline: timedelta) -> CaseRecord:
    workflow_id = journey_workflow_id(case_id)
    try:
        latest = (await client.get_workflow_handle(workflow_id).describe(rpc_timeout=deadline)).run_id
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise HistoryNotHeld(case_id) from err
        raise
    runs: list[Run] = []
    run_id: str | None = latest
    gone = False
    while run_id:
        try:
            history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history(rpc_timeout=deadline)
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND or not runs:
                raise
            gone = True
            break
        runs.append(Run(run_id, list(history.events)))
        run_id = history.events[0].workflow_execution_started_event_attributes.continued_execution_run_id or None
    runs.reverse()
    return CaseRecord(case_id, workflow_id, runs, gone)
