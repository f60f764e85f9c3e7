"""Calls into a track's workflow from outside workflow code (the seat activity, the API).

Every update goes with update-with-start: the first application or decision starts the
track's workflow, every later one reaches the running one.
"""

from datetime import timedelta
from typing import Any, TypeVar

from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDConflictPolicy
from temporalio.service import RPCError, RPCStatusCode

from workflows.effects import TRACK_ID
from workflows.seat_messages import TrackTerms, TrackView, track_workflow_id
from workflows.seating import TrackInput
from workflows.track import TrackWorkflow

T = TypeVar("T")


async def update_track(
    client: Client, task_queue: str, terms: TrackTerms, update: str, arg: Any, result_type: type[T]
) -> T:
    start = WithStartWorkflowOperation(
        TrackWorkflow.run,
        TrackInput(terms),
        id=track_workflow_id(terms.track_id),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        search_attributes=TypedSearchAttributes([SearchAttributePair(TRACK_ID, terms.track_id)]),
    )
    result: T = await client.execute_update_with_start_workflow(
        update, arg, start_workflow_operation=start, result_type=result_type
    )
    return result


async def query_track(client: Client, track_id: str) -> TrackView | None:
    """The track's live seats; None when no case has applied yet (no workflow)."""
    handle = client.get_workflow_handle(track_workflow_id(track_id))
    try:
        view: TrackView = await handle.query(TrackWorkflow.current_state, rpc_timeout=timedelta(seconds=5))
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    return view
