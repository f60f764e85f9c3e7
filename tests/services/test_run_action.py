"""An action's update is bounded as a whole by the action timeout: the SDK polls an accepted
update's outcome with no deadline, so an update that is accepted and never completes would
hold the case worker's request for ever. Against a real Temporal server."""

import asyncio
import secrets
from datetime import date
from typing import Any

from temporalio import workflow
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from services.errors import Unavailable
from services.journeys import run_action, workflow_id
from tests.stack import dev_server
from workflows.actions import Action, RecordFollowUp
from workflows.domain import Actor, Role


@workflow.defn(name="StuckJourney")
class StuckJourney:
    """Accepts `record-follow-up` and never completes it."""

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: False)

    @workflow.update(name=Action.RECORD_FOLLOW_UP.value)
    async def record_follow_up(self, actor: dict[str, Any], body: dict[str, Any]) -> None:
        await workflow.wait_condition(lambda: False)


async def test_an_update_accepted_and_never_completed_is_unavailable_after_the_timeout() -> None:
    # The server answers a wait for an update's outcome after its long-poll interval (20 s by
    # default) with "accepted, no outcome yet"; the SDK then polls with no deadline. A server
    # of its own with a one-second interval reaches that within the action timeout here.
    async with dev_server("--dynamic-config-value", 'history.longPollExpirationInterval="1s"') as env:
        await stuck_update_is_bounded(Client(env.client.service_client, data_converter=pydantic_data_converter))


async def stuck_update_is_bounded(client: Client) -> None:
    queue = f"stuck-{secrets.token_hex(4)}"
    case_id = secrets.token_hex(8)
    async with Worker(client, task_queue=queue, workflows=[StuckJourney], workflow_runner=UnsandboxedWorkflowRunner()):
        await client.start_workflow(StuckJourney.run, id=workflow_id(case_id), task_queue=queue)
        actor = Actor("handlaggare", Role.CASE_WORKER, "0581")
        body = RecordFollowUp(held_on=date(2026, 11, 24), attendees=["AF"], progress="p", next_steps="n")
        started = asyncio.get_running_loop().time()
        try:
            async with asyncio.timeout(30):  # the bound under test is 4 s; without it, for ever
                await run_action(client, case_id, Action.RECORD_FOLLOW_UP, actor, body, "key-1", timeout=4.0)
        except Unavailable as refused:
            assert "Idempotency-Key" in str(refused)
        else:
            raise AssertionError("the stuck update answered")
        assert asyncio.get_running_loop().time() - started < 10
        await client.get_workflow_handle(workflow_id(case_id)).terminate()
