"""Workers scale out: two `python -m worker` processes on one task queue both take journeys'
work, and stopping one in the middle of the journeys loses nothing: the other finishes them."""

import secrets
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.journeys import STEPS, assert_exactly_their_steps, drive_all, open_cases
from tests.stack import running_stack
from tests.workers import WorkerProcess, start_together

JOURNEYS = 20


async def test_two_workers_share_the_work_and_one_stopping_loses_nothing(
    temporal_address: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    queue = f"samverkan-scale-{secrets.token_hex(4)}"
    async with running_stack(temporal_address, tmp_path, url, worker=False, task_queue=queue, action_timeout=5) as s:
        first, second = start_together(WorkerProcess(s.settings), WorkerProcess(s.settings))
        try:
            cases = await open_cases(s, JOURNEYS)
            steps_done = 0

            def done() -> None:
                nonlocal steps_done
                steps_done += 1
                if steps_done == JOURNEYS * len(STEPS) // 2:
                    first.stop()  # halfway: as a scale-down or `docker stop` would

            await drive_all(s, cases, done)
            assert first.proc is not None and first.proc.returncode == 0  # it stopped cleanly
            workers = await assert_exactly_their_steps(s, cases)
            assert any(w.startswith(first.identity_prefix) for w in workers), "the first worker took no work"
            assert any(w.startswith(second.identity_prefix) for w in workers), "the second worker took no work"

            health = httpx.get(second.url("/healthz"), timeout=5)
            assert health.status_code == 200 and health.json()["temporal"] == "ok"
            metrics = {
                sample.name: sample.value
                for family in text_string_to_metric_families(httpx.get(second.url("/metrics"), timeout=5).text)
                for sample in family.samples
            }
            assert metrics["samverkan_projection_lag_seconds_count"] > 0  # the worker's own figures
            assert any(name.startswith("temporal_") for name in metrics)  # and the SDK's
        finally:
            first.stop()
            second.stop()
