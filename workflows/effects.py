"""What the workflows ask of the outside world, as data: the activities' inputs and outputs.

Activity names are strings here so that workflow code never imports the database or mail code.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from temporalio.common import SearchAttributeKey

from workflows.case import CaseView

PROJECT_CASE = "project_case"
NOTIFY = "notify"
REQUEST_SEAT = "request_seat"

PHASE = SearchAttributeKey.for_keyword("Phase")
MUNICIPALITY = SearchAttributeKey.for_keyword("Municipality")
TRACK_ID = SearchAttributeKey.for_keyword("TrackId")
RESPONSIBLE_WORKER = SearchAttributeKey.for_keyword("ResponsibleWorker")
NEXT_DUE_AT = SearchAttributeKey.for_datetime("NextDueAt")
OVERDUE = SearchAttributeKey.for_bool("Overdue")
SEARCH_ATTRIBUTES = (PHASE, MUNICIPALITY, TRACK_ID, RESPONSIBLE_WORKER, NEXT_DUE_AT, OVERDUE)


@dataclass
class TaskSpec:
    """An open task as the case sees it; the read model closes tasks no longer listed."""

    key: str
    kind: str  # introduction_due, follow_up_due, …, escalation
    about: str  # the clock the task is about
    due_at: datetime
    audience: str  # "responsible", "coordinator" or "supervisor"
    overdue: bool


@dataclass
class CaseSnapshot:
    """The read model's row of a case, with its open tasks; written by case and version.

    The whole view travels only with the closing: it answers for the case once Temporal's
    retention has removed the workflow. Every other write carries just the row, so an action
    on a long case costs no more to project than one on a new case."""

    case_id: str
    version: int
    municipality: str
    responsible_worker: str
    phase: str
    status: str
    given_name: str
    family_name: str
    gender: str
    birth_date: date
    opened_at: datetime
    track_id: str | None
    application_track_id: str | None
    application_status: str | None
    next_due_at: datetime | None
    overdue: bool
    exited_on: date | None
    exit_reason: str | None
    outcome: str | None
    closed_at: datetime | None
    tasks: list[TaskSpec] = field(default_factory=list)
    final_view: CaseView | None = None


@dataclass
class Notice:
    """One reminder to one audience; `key` makes delivery happen at most once."""

    key: str
    case_id: str
    municipality: str
    responsible_worker: str
    audience: str
    task_kind: str
    stage: str
    due_at: datetime
    # The participant as a mail may name them ("A. H."); never the name or personal number.
    # A default, so notices in histories recorded before the field existed still decode.
    initials: str = ""


@dataclass
class SeatRequest:
    track_id: str
    case_id: str
    municipality: str
    experience: list[str]
    applied_at: datetime
    # The case's application number: messages about an earlier application are ignored.
    # A default, so requests in histories recorded before the field existed still decode.
    application: int = 0


@dataclass
class SeatAnswer:
    status: str  # offered, waiting, admitted
    reason: str | None = None
