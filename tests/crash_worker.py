"""A worker of the workflows only, in a process of its own, for tests/test_crash.py to kill
with SIGKILL. Configured like the service, from `SAMVERKAN_*` variables."""

import asyncio
from datetime import timedelta

from temporalio.worker import Worker

from core.settings import Settings
from services.temporal import connect
from worker.main import WORKFLOWS


async def main() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    client = await connect(settings)
    # The server hands a dead worker's next task of a case to any worker after this long.
    worker = Worker(client, task_queue=settings.task_queue, workflows=WORKFLOWS,
                    sticky_queue_schedule_to_start_timeout=timedelta(seconds=2))
    async with worker:
        print("polling", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
