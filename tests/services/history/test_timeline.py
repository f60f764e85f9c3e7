"""The timeline read from recorded histories (no server): clocks that rang, reminders and
escalations delivered, messages from a track, each actor, the phase after. Recordings made
on older code read the same."""

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter

from core.codec import EncryptionCodec
from core.secrets import key_ring
from core.settings import Settings
from services.history.payloads import decoded
from services.history.runs import Run
from services.history.timeline import EntryActor, EntryKind, HistoryEntry, timeline
from tests.recordings import HISTORIES
from tests.stack import TEST_PAYLOAD_KEY

CODEC = EncryptionCodec(key_ring(Settings(payload_key=TEST_PAYLOAD_KEY, _env_file=None)))  # type: ignore[call-arg]


def recordings(scenario: str) -> list[Path]:
    found = sorted((HISTORIES / scenario).glob("*.json"))
    assert found, f"no recording of {scenario}"
    return found


async def read(path: Path) -> list[HistoryEntry]:
    history = WorkflowHistory.from_json(path.parent.name, path.read_text())
    run = Run(history.run_id, await decoded(history.events, CODEC))
    return timeline([run], pydantic_data_converter.payload_converter)


@pytest.mark.parametrize("path", recordings("journey-clock-escalation"), ids=str)
async def test_clocks_reminders_and_escalations(path: Path) -> None:
    entries = await read(path)
    clocks = [(e.details["clock"], e.details["stage"]) for e in entries if e.kind is EntryKind.CLOCK]
    assert clocks[:3] == [("introduction_ends", stage) for stage in ("remind", "due", "escalate")]
    reminders = [e for e in entries if e.kind is EntryKind.REMINDER]
    assert [r.details["stage"] for r in reminders] == ["remind", "due"]
    assert all(r.details["audience"] == "responsible" and r.action == "reminder-sent" for r in reminders)
    (escalation,) = [e for e in entries if e.kind is EntryKind.ESCALATION]
    assert escalation.details["audience"] == "coordinator" and escalation.details["task_kind"] == "introduction_due"
    assert "initials" not in escalation.details  # the participant stays out of the timeline
    # A clock that rang changed no phase; the action after it did.
    assert {e.phase_after for e in entries if e.kind is EntryKind.CLOCK} == {"introduction"}
    done = next(e for e in entries if e.action == "complete-introduction")
    assert done.actor == EntryActor("arbetsformedlare", "case_worker", "af") and done.phase_after == "preparatory"
    assert [e.at for e in entries] == sorted(e.at for e in entries)


@pytest.mark.parametrize("path", recordings("journey-declined-by-lead"), ids=str)
async def test_a_track_leads_decision_names_the_lead(path: Path) -> None:
    entries = await read(path)
    (declined,) = [e for e in entries if e.action == "declined-by-lead"]
    assert declined.kind is EntryKind.TRACK_MESSAGE and declined.details["direction"] == "from_track"
    assert declined.actor.username != "system" and declined.details["reason"]
    assert declined.phase_after == "track_selection"


@pytest.mark.parametrize("path", recordings("journey-withdraw-reactivate"), ids=str)
async def test_each_action_has_the_phase_it_left_the_case_in(path: Path) -> None:
    entries = await read(path)
    phases = [(e.action, e.phase_after) for e in entries if e.kind is EntryKind.ACTION]
    assert ("withdraw", "withdrawn") in phases
    assert next(p for a, p in phases if a == "reactivate") not in ("withdrawn", None)
    assert phases[0] == ("open", "introduction")
