"""What Temporal's server spends on each thing a journey's action does besides the update
itself: the bare update, then the same update with one extra each — a search attribute upserted
(the journey's `NextDueAt` moves with every follow-up), an activity run after it (the
projection), a timer cancelled and started again (the next alarm). 50 in flight, on one dev
server, the workflows' worker in this process; each process's CPU per update from /proc.

    .venv/bin/python -m bench.extras            # three rounds of the four, alternating

Not a part of `make bench`: it prices the journey's history, not the service (bench/PROFILE.md).
"""

import argparse
import asyncio
import contextlib
import os
import secrets
from datetime import timedelta
from enum import StrEnum

from temporalio import activity, workflow
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from bench.cpu import Meter, Spent, child_pid
from bench.measure import metered
from tests.stack import dev_server
from workflows.effects import NEXT_DUE_AT

QUEUE = "bench-extras"
CALLERS = 50
ALARM = timedelta(days=12)


class Extra(StrEnum):
    NONE = "bare update"
    UPSERT = "a search attribute upserted"
    ACTIVITY = "an activity after it"
    TIMER = "a timer cancelled and started"


@activity.defn
async def project(version: int) -> None:
    """Does nothing: what is priced is the activity's round trip through the server."""


@workflow.defn(name="BareWithExtra")
class BareWithExtra:
    def __init__(self) -> None:
        self.value = 0
        self.owed = False
        self.done = False

    @workflow.run
    async def run(self, extra: Extra) -> int:
        while not self.done:
            if extra is Extra.ACTIVITY and self.owed:
                await workflow.execute_activity(project, self.value, start_to_close_timeout=timedelta(seconds=30))
            self.owed = False
            # Woken by an update (as the journey is by an action), or by the alarm's time.
            timeout = ALARM if extra is Extra.TIMER else None
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(lambda: self.done or self.owed, timeout=timeout)
        return self.value

    @workflow.update
    async def bump(self, extra: Extra) -> int:
        self.value += 1
        if extra is Extra.UPSERT:
            workflow.upsert_search_attributes([NEXT_DUE_AT.value_set(workflow.now() + ALARM)])
        self.owed = extra in (Extra.ACTIVITY, Extra.TIMER)
        return self.value

    @workflow.signal
    def finish(self) -> None:
        self.done = True


async def one_round(client: Client, meter: Meter, extra: Extra, updates: int) -> str:
    handles: list[WorkflowHandle[BareWithExtra, int]] = [
        await client.start_workflow(BareWithExtra.run, extra, id=f"extras-{secrets.token_hex(6)}", task_queue=QUEUE)
        for _ in range(CALLERS)
    ]
    await asyncio.sleep(0.5)  # their first tasks done, outside the stretch

    async def bump(i: int) -> int:
        return await handles[i % CALLERS].execute_update(BareWithExtra.bump, extra)

    spent = Spent()
    run = await metered(meter, spent, updates, CALLERS, bump)
    for handle in handles:
        await handle.signal(BareWithExtra.finish)
    errors = f"; {len(run.errors)} errors, first {run.errors[0]}" if run.errors else ""
    return f"{extra.value:30} {run.per_second:5.0f} updates/s; CPU per update: {spent.text()}{errors}"


async def main(rounds: int, updates: int) -> None:
    async with dev_server() as env:
        worker = Worker(
            env.client,
            task_queue=QUEUE,
            workflows=[BareWithExtra],
            activities=[project],
            workflow_runner=UnsandboxedWorkflowRunner(),
        )
        async with worker:
            meter = Meter({"server": (child_pid("start-dev"),), "bench": (os.getpid(),)})
            for n in range(rounds):  # alternating, so drift on the machine hits each alike
                for extra in Extra:
                    print(f"round {n + 1}: {await one_round(env.client, meter, extra, updates)}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--updates", type=int, default=600, help="updates per round and extra")
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.updates))
