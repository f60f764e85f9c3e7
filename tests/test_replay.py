"""Every recorded history in tests/histories/ still replays against the current workflow code:
a change that would break a running case fails here (guard it with workflow.patched).
Re-record with `make histories`."""

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from core.settings import Settings
from core.temporal import data_converter
from tests.stack import HISTORIES, TEST_PAYLOAD_KEY
from worker.main import WORKFLOWS

RECORDED = sorted(HISTORIES.rglob("*.json"))  # before-patches/: cases begun on older code


def test_histories_are_recorded() -> None:
    names = {p.stem for p in RECORDED}
    assert {"journey-straight-through", "journey-withdraw-reactivate", "journey-clock-escalation"} <= names


@pytest.mark.parametrize("path", RECORDED, ids=[str(p.relative_to(HISTORIES).with_suffix("")) for p in RECORDED])
async def test_history_replays(path: Path) -> None:
    settings = Settings(payload_key=TEST_PAYLOAD_KEY, _env_file=None)  # type: ignore[call-arg]
    replayer = Replayer(workflows=WORKFLOWS, data_converter=data_converter(settings))
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure
