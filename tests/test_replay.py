"""Every history ever recorded (tests/histories/, append-only: tests/recordings.py) still replays
against the current workflow code: a change that would break a running case fails here, and
re-recording cannot hide it, since the old recordings stay. Guard such a change with
`workflow.patched(...)`; then `make histories` adds recordings of the new code."""

import subprocess
from collections import defaultdict

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from tests.recordings import (
    HISTORIES,
    MANIFEST,
    PATCHES,
    Recording,
    changed_in_git,
    is_recording,
    manifest,
    patches_in_code,
    recordings,
    sha256,
)
from tests.stack import recordings_converter
from worker.main import WORKFLOWS
from workflows.journey import BEFORE_ONE_MARKER, EVERY_PATCH_BEFORE

RECORDED = recordings()


def test_histories_are_recorded() -> None:
    scenarios = {r.scenario for r in RECORDED}
    assert {"journey-straight-through", "journey-withdraw-reactivate", "journey-clock-escalation",
            "track-fifty-at-once", "track-offer-expiry"} <= scenarios


def test_the_manifest_lists_every_recording_unchanged() -> None:
    listed, on_disk = manifest(), {r.name: r for r in RECORDED}
    gone = sorted(set(listed) - set(on_disk))
    unlisted = sorted(set(on_disk) - set(listed))
    changed = sorted(name for name in set(listed) & set(on_disk) if sha256(on_disk[name].path) != listed[name])
    assert not gone, f"recordings deleted: {gone}"
    assert not changed, f"recordings overwritten or edited: {changed}"
    assert not unlisted, f"recordings not made by `make histories` (not in {MANIFEST.name}): {unlisted}"


def test_nothing_else_lies_among_the_recordings() -> None:
    stray = [p.relative_to(HISTORIES).as_posix() for p in HISTORIES.rglob("*")
             if p.is_file() and p != MANIFEST and not is_recording(p)]
    assert not stray, f"not in the layout <scenario>/<UTC stamp>-<commit>.json: {stray}"


def test_no_commit_ever_changed_or_deleted_a_recording() -> None:
    try:
        violations = list(changed_in_git())
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("no git here: the manifest alone guards the recordings")
    assert not violations, f"recordings are append-only: {violations}"


@pytest.mark.parametrize("recording", RECORDED, ids=[r.name.removesuffix(".json") for r in RECORDED])
async def test_history_replays(recording: Recording) -> None:
    replayer = Replayer(workflows=WORKFLOWS, data_converter=recordings_converter())
    history = WorkflowHistory.from_json(recording.name, recording.text)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure


def test_every_patch_is_registered_with_its_date() -> None:
    in_code = patches_in_code()
    assert set(in_code) <= set(PATCHES), (
        f"add to tests/recordings.py PATCHES, with the time it came in: {set(in_code) - set(PATCHES)}")
    crossed = {patch for r in RECORDED for patch in r.patches}
    assert crossed <= set(PATCHES), f"recordings cross patches not in PATCHES: {crossed - set(PATCHES)}"


def test_no_recording_crosses_a_patch_older_than_itself() -> None:
    """A recording made before a patch came in cannot have crossed it: else its date is wrong."""
    wrong = [(r.name, p) for r in RECORDED for p in r.patches if p in PATCHES and r.made_at < PATCHES[p]]
    assert not wrong, wrong


def test_each_scenario_keeps_a_recording_from_before_each_patch_it_crosses() -> None:
    """Every patch a scenario's recordings crossed, where the scenario was recorded before the
    patch came in, keeps a recording from before it: both sides of `workflow.patched` replay.
    (Not only the newest recording's patches: since EVERY_PATCH_BEFORE a new run records that
    one marker for all of them.)"""
    by_scenario: dict[str, list[Recording]] = defaultdict(list)
    for r in RECORDED:
        by_scenario[r.scenario].append(r)
    missing, checked = [], 0
    for scenario, kept in by_scenario.items():
        first = min(r.made_at for r in kept)
        for patch in sorted(frozenset().union(*(r.patches for r in kept))):
            if first >= PATCHES[patch]:
                continue  # the scenario was first recorded after the patch: there is no before
            checked += 1
            if all(patch in r.patches for r in kept):
                missing.append(f"{scenario} has no recording from before {patch}")
    assert not missing, missing
    assert checked >= 22  # the pairs there are today: it may only grow


def test_the_one_marker_stands_for_the_patches_before_it_and_none_after() -> None:
    """A run whose start recorded EVERY_PATCH_BEFORE takes the path of every patch in
    BEFORE_ONE_MARKER without its marker: a patch that came in later is not among them, or a
    case begun before it would change course on replay."""
    before = {patch for patch, came_in in PATCHES.items() if came_in < PATCHES[EVERY_PATCH_BEFORE]}
    assert before == BEFORE_ONE_MARKER
