"""A bare Temporal workflow with one update: the baseline the API's actions are measured against."""

import asyncio
import sys
from dataclasses import dataclass

from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import Worker

TASK_QUEUE = "bench-bare"


@dataclass
class Counter:
    value: int = 0


@workflow.defn(name="BareCounter")
class BareCounter:
    def __init__(self) -> None:
        self.counter = Counter()
        self.done = False

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self.done)
        return self.counter.value

    @workflow.update
    async def bump(self, note: str) -> Counter:
        self.counter.value += 1
        return self.counter

    @bump.validator
    def _check_bump(self, note: str) -> None:
        if not note:
            raise ValueError("note")

    @workflow.signal
    def finish(self) -> None:
        self.done = True


async def main(address: str) -> None:
    client = await Client.connect(address)
    await Worker(client, task_queue=TASK_QUEUE, workflows=[BareCounter]).run()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
