"""Does a history reproduce? The replay answers for the record's course; the SHA-256 and the
registry of exports answer for what a replay cannot see.

A replay compares the commands today's code makes with the recorded ones, so it finds a removed
or reordered event and a change to data the code acts on. It cannot find a change the code does
not act on: another actor's name in an update, a reworded note. An export therefore carries the
SHA-256 of its content (any change shows), and this service keeps the SHA-256 of every export
it made (a change with the SHA-256 recomputed shows too). A bare history, without an export's
SHA-256, is checked by replay alone, and the answer says so.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from temporalio.converter import DataConverter

from core.words import N_
from services.history.export import ReceivedHistory
from services.history.replay import divergences
from services.history.runs import Run
from store.models import HistoryExport

BARE_HISTORY = (
    "a bare history carries no sha256: only the replay was checked, which cannot see a change to "
    "data the code does not act on (an actor, a note); verify the export instead"
)


class Check(StrEnum):
    SHA256 = "sha256"  # the content gives the sha256 it carries
    ISSUED = "issued"  # this service made an export with that sha256
    REPLAY = "replay"  # today's workflow code reproduces every run


@dataclass
class Finding:
    check: Check
    message: str
    run_id: str | None = None


@dataclass
class Issued:
    case_id: str
    exported_by: str
    exported_at: datetime


@dataclass
class Verdict:
    reproduces: bool
    divergence: Finding | None  # the first finding, when there is one
    workflow_id: str
    runs: int
    events: int
    checked: list[Check]
    findings: list[Finding] = field(default_factory=list)
    sha256: str | None = None
    issued: Issued | None = None
    not_checked: str | None = None


async def _replayed(workflow_id: str, runs: list[Run], converter: DataConverter) -> list[Finding]:
    return [Finding(Check.REPLAY, d.message, d.run_id) for d in await divergences(workflow_id, runs, converter)]


def _verdict(workflow_id: str, runs: list[Run], checked: list[Check], findings: list[Finding]) -> Verdict:
    return Verdict(
        reproduces=not findings,
        divergence=findings[0] if findings else None,
        workflow_id=workflow_id,
        runs=len(runs),
        events=sum(len(r.events) for r in runs),
        checked=checked,
        findings=findings,
    )


async def judge_record(workflow_id: str, runs: list[Run], converter: DataConverter) -> Verdict:
    """The record as Temporal holds it: the replay is the whole question."""
    return _verdict(workflow_id, runs, [Check.REPLAY], await _replayed(workflow_id, runs, converter))


def _integrity(received: ReceivedHistory, issued: HistoryExport | None) -> list[Finding]:
    if received.carried_sha256 is None:
        return [Finding(Check.SHA256, N_("the export carries no sha256"))]
    if received.carried_sha256 != received.computed_sha256:
        return [Finding(Check.SHA256, N_("the content does not give the sha256 it carries: it was changed"))]
    if issued is None:
        message = N_("this service made no export with this sha256: changed and re-hashed, or not ours")
        return [Finding(Check.ISSUED, message)]
    return []


async def judge_received(received: ReceivedHistory, issued: HistoryExport | None, converter: DataConverter) -> Verdict:
    """A history sent in; `issued` is this service's export with the sha256 it carries, if any."""
    bare = received.computed_sha256 is None
    findings = [] if bare else _integrity(received, issued)
    findings += await _replayed(received.workflow_id, received.runs, converter)
    checked = [Check.REPLAY] if bare else [Check.SHA256, Check.ISSUED, Check.REPLAY]
    verdict = _verdict(received.workflow_id, received.runs, checked, findings)
    verdict.sha256 = received.computed_sha256
    verdict.not_checked = BARE_HISTORY if bare else None
    if issued is not None:
        verdict.issued = Issued(issued.case_id, issued.exported_by, issued.exported_at)
    return verdict
