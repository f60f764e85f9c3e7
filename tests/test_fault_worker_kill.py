"""kill -9 of the worker while 200 journeys advance: after a restart every journey completes
with exactly its steps (none lost, none doubled), and the read model has every last write."""

import asyncio
import secrets
from pathlib import Path

from tests.journeys import STEPS, assert_exactly_their_steps, drive_all, open_cases
from tests.stack import running_stack
from tests.workers import WorkerProcess

JOURNEYS = 200


async def test_worker_killed_mid_load_then_restarted_loses_and_doubles_nothing(
    temporal_address: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    queue = f"samverkan-kill-{secrets.token_hex(4)}"
    async with running_stack(temporal_address, tmp_path, url, worker=False, task_queue=queue, action_timeout=3) as s:
        worker = WorkerProcess(s.settings).start()
        try:
            cases = await open_cases(s, JOURNEYS)
            steps_done = 0
            killed = asyncio.Event()

            def done() -> None:
                nonlocal steps_done
                steps_done += 1
                if steps_done == JOURNEYS * len(STEPS) // 3:
                    killed.set()

            async def kill_and_restart() -> None:
                await killed.wait()
                worker.kill()  # SIGKILL: activities and workflow tasks in hand are lost with it
                await asyncio.to_thread(worker.start)

            # Bounded: a hang fails, it does not stall the suite.
            await asyncio.wait_for(asyncio.gather(drive_all(s, cases, done), kill_and_restart()), timeout=300)
            assert killed.is_set() and steps_done == JOURNEYS * len(STEPS)
            await assert_exactly_their_steps(s, cases)
        finally:
            worker.stop()
