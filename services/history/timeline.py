"""A case's decoded history in business terms: who did what, when, with what, and the phase
after; the clocks that rang, the reminders and escalations sent, the messages with tracks.

Read from the events alone, so it shows what Temporal recorded, not what the code would do now.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.api.failure.v1 import Failure
from temporalio.api.history.v1 import HistoryEvent
from temporalio.converter import PayloadConverter

from services.history.runs import Run, event_time
from workflows.clocks import Stage
from workflows.effects import NOTIFY, PHASE

ESCALATIONS = frozenset({Stage.ESCALATE.value, Stage.ESCALATE_SUPERVISOR.value})
TRACK_PREFIX = "track-"


class EntryKind(StrEnum):
    ACTION = "action"  # a person's action (an Update), the opening included
    CLOCK = "clock"  # a timer of the case rang
    REMINDER = "reminder"  # a reminder was delivered
    ESCALATION = "escalation"  # an escalation was delivered
    TRACK_MESSAGE = "track_message"  # a message from or to a track's workflow
    SYSTEM = "system"  # continued as new, finished


class Direction(StrEnum):
    FROM_TRACK = "from_track"
    TO_TRACK = "to_track"


@dataclass
class EntryActor:
    username: str
    role: str | None = None
    organisation: str | None = None


SYSTEM = EntryActor("system")


@dataclass
class HistoryEntry:
    at: datetime
    actor: EntryActor
    action: str
    kind: EntryKind
    details: dict[str, Any]
    phase_after: str | None
    run_id: str
    event_id: int
    update_id: str | None = None
    # The same Idempotency-Key again: the case answered with its state and did nothing twice.
    repeated: bool = False
    failure: str | None = None  # an accepted action that failed in the workflow


def _plain(value: Any, *drop: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {"value": value}
    return {k: v for k, v in value.items() if v is not None and k not in drop}


def _actor(value: Any) -> EntryActor:
    if not isinstance(value, dict) or "username" not in value:
        return SYSTEM
    return EntryActor(str(value["username"]), value.get("role"), value.get("organisation"))


@dataclass
class _Reader:
    value_of: Callable[[Payload], Any]
    entries: list[HistoryEntry] = field(default_factory=list)
    phase: str | None = None
    # Entries whose phase after is the phase the case shows next (an action's own answer
    # names it; after a clock or a track's message, the next `Phase` the workflow sets).
    waiting: list[HistoryEntry] = field(default_factory=list)
    updates: dict[str, HistoryEntry] = field(default_factory=dict)
    notices: dict[int, Any] = field(default_factory=dict)
    timers: dict[str, str] = field(default_factory=dict)

    def first(self, payloads: Sequence[Payload]) -> Any:
        return self.value_of(payloads[0]) if payloads else None

    def settle(self, phase: str | None) -> None:
        if phase is not None:
            self.phase = phase
        for entry in self.waiting:
            entry.phase_after = self.phase
        self.waiting.clear()

    def add(self, entry: HistoryEntry, *, phase_known: bool = False) -> None:
        self.settle(None)
        self.entries.append(entry)
        if not phase_known:
            self.waiting.append(entry)

    def entry(self, run: Run, event: HistoryEvent, actor: EntryActor, action: str, kind: EntryKind,
              details: dict[str, Any]) -> HistoryEntry:
        return HistoryEntry(event_time(event), actor, action, kind, details, None, run.run_id, event.event_id)

    def failure_message(self, failure: Failure) -> str:
        if failure.HasField("encoded_attributes"):
            attributes = self.value_of(failure.encoded_attributes)
            if isinstance(attributes, dict) and attributes.get("message"):
                return str(attributes["message"])
        return failure.message

    # --- one method per kind of event -----------------------------------------------------

    def started(self, run: Run, event: HistoryEvent) -> None:
        attrs = event.workflow_execution_started_event_attributes
        journey = _plain(self.first(attrs.input.payloads))
        self.phase_attribute(attrs.search_attributes.indexed_fields)
        if journey.get("state"):
            return  # a later run: its entry is the previous run's end
        opening = _plain(journey.get("opening"))
        # The participant (personal number, names) is in the case's state, not in the timeline.
        details = _plain(opening, "participant", "opened_by", "case_id")
        self.add(self.entry(run, event, _actor(opening.get("opened_by")), "open", EntryKind.ACTION, details))

    def update_accepted(self, run: Run, event: HistoryEvent) -> None:
        request = event.workflow_execution_update_accepted_event_attributes.accepted_request
        args = [self.value_of(p) for p in request.input.args.payloads]
        entry = self.entry(
            run, event, _actor(args[0] if args else None), request.input.name, EntryKind.ACTION,
            _plain(args[1]) if len(args) > 1 else {},
        )
        entry.update_id = request.meta.update_id
        entry.repeated = entry.update_id in self.updates
        self.updates[entry.update_id] = entry
        self.add(entry, phase_known=True)

    def update_completed(self, run: Run, event: HistoryEvent) -> None:
        attrs = event.workflow_execution_update_completed_event_attributes
        entry = self.updates.get(attrs.meta.update_id)
        if entry is None:
            return
        if attrs.outcome.HasField("failure"):
            entry.failure = self.failure_message(attrs.outcome.failure)
            entry.phase_after = self.phase
            return
        view = _plain(self.first(attrs.outcome.success.payloads))
        entry.phase_after = view.get("phase", self.phase)
        self.phase = entry.phase_after

    def signaled(self, run: Run, event: HistoryEvent) -> None:
        attrs = event.workflow_execution_signaled_event_attributes
        notice = _plain(self.first(attrs.input.payloads), "case_id", "signal")
        lead = notice.pop("decided_by", None)
        actor = EntryActor(str(lead)) if lead else SYSTEM
        details = {"direction": Direction.FROM_TRACK.value, **notice}
        self.add(self.entry(run, event, actor, attrs.signal_name.replace("_", "-"), EntryKind.TRACK_MESSAGE, details))

    def signal_sent(self, run: Run, event: HistoryEvent) -> None:
        attrs = event.signal_external_workflow_execution_initiated_event_attributes
        target = attrs.workflow_execution.workflow_id
        details = {"direction": Direction.TO_TRACK.value, "track_id": target.removeprefix(TRACK_PREFIX)}
        details |= _plain(self.first(attrs.input.payloads), "case_id")
        self.add(self.entry(run, event, SYSTEM, attrs.signal_name.replace("_", "-"), EntryKind.TRACK_MESSAGE, details))

    def timer_started(self, run: Run, event: HistoryEvent) -> None:
        if event.user_metadata.HasField("summary"):
            self.timers[event.timer_started_event_attributes.timer_id] = str(self.value_of(event.user_metadata.summary))

    def timer_fired(self, run: Run, event: HistoryEvent) -> None:
        timer_id = event.timer_fired_event_attributes.timer_id
        clock, _, stage = self.timers.get(timer_id, "").partition(" ")
        details = {"clock": clock, "stage": stage} if clock else {"timer_id": timer_id}
        self.add(self.entry(run, event, SYSTEM, "clock-rang", EntryKind.CLOCK, details))

    def phase_attribute(self, fields: Mapping[str, Payload]) -> None:
        # The `Phase` search attribute (contract) is set whenever the phase changes.
        if PHASE.name in fields:
            self.settle(self.value_of(fields[PHASE.name]))

    def attributes_upserted(self, run: Run, event: HistoryEvent) -> None:
        self.phase_attribute(event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields)

    def activity_scheduled(self, run: Run, event: HistoryEvent) -> None:
        attrs = event.activity_task_scheduled_event_attributes
        if attrs.activity_type.name == NOTIFY:
            self.notices[event.event_id] = self.first(attrs.input.payloads)

    def activity_completed(self, run: Run, event: HistoryEvent) -> None:
        notice = _plain(self.notices.pop(event.activity_task_completed_event_attributes.scheduled_event_id, None))
        if not notice or "stage" not in notice:
            return
        kind = EntryKind.ESCALATION if notice["stage"] in ESCALATIONS else EntryKind.REMINDER
        details = _plain(notice, "key", "case_id", "initials", "municipality")
        self.add(self.entry(run, event, SYSTEM, f"{kind.value}-sent", kind, details))

    def continued(self, run: Run, event: HistoryEvent) -> None:
        next_run = event.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
        self.add(self.entry(run, event, SYSTEM, "continued-as-new", EntryKind.SYSTEM, {"next_run_id": next_run}))

    def completed(self, run: Run, event: HistoryEvent) -> None:
        result = _plain(self.first(event.workflow_execution_completed_event_attributes.result.payloads), "case_id")
        self.add(self.entry(run, event, SYSTEM, "finished", EntryKind.SYSTEM, result))


_READERS: dict[int, Callable[[_Reader, Run, HistoryEvent], None]] = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: _Reader.started,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: _Reader.update_accepted,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED: _Reader.update_completed,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: _Reader.signaled,
    EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED: _Reader.signal_sent,
    EventType.EVENT_TYPE_TIMER_STARTED: _Reader.timer_started,
    EventType.EVENT_TYPE_TIMER_FIRED: _Reader.timer_fired,
    EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: _Reader.attributes_upserted,
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: _Reader.activity_scheduled,
    EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: _Reader.activity_completed,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: _Reader.continued,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: _Reader.completed,
}


def timeline(runs: Sequence[Run], converter: PayloadConverter) -> list[HistoryEntry]:
    """The entries of every run, oldest first; `runs` hold decoded payloads."""
    reader = _Reader(lambda payload: converter.from_payloads([payload])[0])
    for run in runs:
        for event in run.events:
            read = _READERS.get(event.event_type)
            if read is not None:
                read(reader, run, event)
    reader.settle(None)
    return reader.entries
