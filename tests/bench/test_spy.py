"""py-spy's stacks summed per function: waiting threads and the process's start left out."""

from pathlib import Path

from bench.spy import summary

LOOP = "run (asyncio/runners.py:190);Runner.run (asyncio/runners.py:118)"
POOL = "Thread.run (threading.py:982);_worker (concurrent/futures/thread.py:81)"


def test_shares_are_of_work_done_not_of_waiting(tmp_path: Path) -> None:
    raw = tmp_path / "worker.raw"
    raw.write_text(
        "\n".join(
            [
                f"{LOOP};_WorkflowWorker._create_workflow_instance (temporalio/worker/_workflow.py:300) 30",
                f"{LOOP};Client.call (temporalio/bridge/client.py:137) 10",
                f"{POOL} 500",  # a pool thread waiting on its queue
                f"{POOL};Projection.project_case (activities/projection.py:41) 60",
                "<module> (worker/__main__.py:1);_find_and_load (<frozen importlib._bootstrap>:1) 200",  # start-up
            ]
        )
        + "\n"
    )
    text = summary(raw)
    assert text.startswith("worker.raw: 100 samples")
    assert "making workflow instances (new cases, cache misses): 30.0 %" in text
    assert "60.0  Projection.project_case (activities/projection.py)" in text
    assert "_find_and_load" not in text
