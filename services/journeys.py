"""Calls into the journey workflows, with Temporal's failures turned into domain errors."""

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from temporalio.client import Client, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes, WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from core.words import N_
from services.errors import DomainError, Forbidden, InvalidFields, Refused, Unavailable
from workflows.actions import Action, ActionBody
from workflows.case import CaseView, JourneyInput
from workflows.domain import Actor, CaseOpening, Phase
from workflows.effects import MUNICIPALITY
from workflows.journey import JourneyWorkflow


def workflow_id(case_id: str) -> str:
    return f"journey-{case_id}"


async def start_journey(
    client: Client,
    opening: CaseOpening,
    opened_at: datetime,
    searchable: Sequence[tuple[SearchAttributeKey[Any], Any]],
    task_queue: str,
    timeout: float,
) -> None:
    """Start the case's journey: one round trip, no waiting for its first task (the caller
    answers with the first state, which the workflow builds from the same opening and time).
    The caller has written the first read-model row, and `searchable` is what the journey's
    first outbox pass would set (`outbox.kept_search_attributes`): they go with the start, and
    the journey's first task writes neither again (`JourneyInput.first_written`: no projection
    activity, no second workflow task, no upsert).
    A start repeated after a lost answer finds the journey it started (the case id is new for
    every opening, so an existing one is ours). A server that takes the call and never
    answers fails it after `timeout` seconds, as one that cannot be reached does."""
    pairs: list[SearchAttributePair[Any]] = [SearchAttributePair(MUNICIPALITY, opening.municipality)]
    pairs += [SearchAttributePair(key, value) for key, value in searchable if value is not None]
    await client.start_workflow(
        JourneyWorkflow.run,
        JourneyInput(opening=opening, opened_at=opened_at, first_written=True),
        id=workflow_id(opening.case_id),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        rpc_timeout=timedelta(seconds=timeout),
        search_attributes=TypedSearchAttributes(pairs),
    )


async def journey_exists(client: Client, case_id: str, timeout: float) -> bool:
    """Whether the case's journey was ever started (running or closed); an RPCError when
    Temporal cannot say within `timeout` seconds."""
    try:
        await client.get_workflow_handle(workflow_id(case_id)).describe(rpc_timeout=timedelta(seconds=timeout))
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


async def query_state(client: Client, case_id: str) -> CaseView | None:
    try:
        return await client.get_workflow_handle(workflow_id(case_id)).query(JourneyWorkflow.current_state)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return None  # past the namespace's retention: the read model has the last state
        raise


async def run_action(
    client: Client,
    case_id: str,
    action: Action,
    actor: Actor,
    body: ActionBody,
    idempotency_key: str | None,
    timeout: float,
) -> CaseView:
    handle = client.get_workflow_handle(workflow_id(case_id))
    update_id = f"{action.value}:{idempotency_key}" if idempotency_key else None
    try:
        # The whole update within `timeout`: the SDK bounds each call by `rpc_timeout`, but once
        # the server answers "accepted, no outcome yet" (after its long-poll interval) the SDK
        # polls for the outcome with no deadline at all (tests/services/test_run_action.py).
        async with asyncio.timeout(timeout):
            view: CaseView = await handle.execute_update(
                action.value,
                args=[actor, body],
                id=update_id,
                result_type=CaseView,
                rpc_timeout=timedelta(seconds=timeout),
            )
        return view
    except WorkflowUpdateFailedError as err:
        raise refusal_of(err.cause) from err
    except (WorkflowUpdateRPCTimeoutOrCancelledError, TimeoutError) as err:
        # The action may still happen (it waits in Temporal); the same key makes a retry safe.
        raise Unavailable("the case did not answer in time; retry with the same Idempotency-Key") from err
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            # The workflow has completed: the case is closed and takes no more actions.
            # reason: a page says it with its values (core/i18n.py)
            closed = N_("%(action)s is not allowed: the case is closed") % {"action": action.value}
            raise Refused(closed, Phase.CLOSED.value, []) from err
        raise


def refusal_of(cause: BaseException | None) -> DomainError | RuntimeError:
    """The workflow's refusal as a domain error: a field, a decision right (named by its rule),
    or the phase (with the allowed actions)."""
    if not isinstance(cause, ApplicationError):
        return RuntimeError("the action failed")
    refusal: dict[str, Any] = cause.details[0] if cause.details and isinstance(cause.details[0], dict) else {}
    message = refusal.get("message", cause.message)
    if cause.type == "forbidden":
        return Forbidden(message, refusal.get("rule"))
    if cause.type == "invalid":
        return InvalidFields.one(refusal.get("field") or "body", message)
    return Refused(message, refusal.get("phase"), refusal.get("allowed_actions", []))
