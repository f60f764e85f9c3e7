"""Every run of a case's journey workflow, oldest first: a long case continues as new, and
its record is all of its runs together."""

from dataclasses import dataclass
from datetime import UTC, datetime

from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from services.history.errors import HistoryNotHeld
from workflows.seat_messages import journey_workflow_id


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
    workflow_id = journey_workflow_id(case_id)
    try:
        latest = (await client.get_workflow_handle(workflow_id).describe()).run_id
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise HistoryNotHeld(case_id) from err
        raise
    runs: list[Run] = []
    run_id: str | None = latest
    gone = False
    while run_id:
        try:
            history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND or not runs:
                raise
            gone = True
            break
        runs.append(Run(run_id, list(history.events)))
        run_id = history.events[0].workflow_execution_started_event_attributes.continued_execution_run_id or None
    runs.reverse()
    return CaseRecord(case_id, workflow_id, runs, gone)
