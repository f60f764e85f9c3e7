"""What the workflows ask of the outside world, as data: the activities' inputs and outputs.

Activity names are strings here so that workflow code never imports the database or mail code.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from temporalio.common import SearchAttributeKey

from workflows.case import CaseView
from workflows.domain import Audience, TaskKind

PROJECT_CASE = "project_case"
NOTIFY = "notify"
REQUEST_SEAT = "request_seat"
SNAPSHOT_QUERY = "read_model_snapshot"  # the journey's query a rebuild of the read model asks

PHASE = SearchAttributeKey.for_keyword("Phase")
MUNICIPALITY = SearchAttributeKey.for_keyword("Municipality")
TRACK_ID = SearchAttributeKey.for_keyword("TrackId")
RESPONSIBLE_WORKER = SearchAttributeKey.for_keyword("ResponsibleWorker")
NEXT_DUE_AT = SearchAttributeKey.for_datetime("NextDueAt")
OVERDUE = SearchAttributeKey.for_bool("Overdue")
# Group words and a gender word only: neither names nor identifies anyone.
TARGET_GROUPS = SearchAttributeKey.for_keyword_list("TargetGroups")
GENDER = SearchAttributeKey.for_keyword("Gender")
SEARCH_ATTRIBUTES = (
    PHASE, MUNICIPALITY, TRACK_ID, RESPONSIBLE_WORKER, NEXT_DUE_AT, OVERDUE, TARGET_GROUPS, GENDER
)


@dataclass
class TaskSpec:
    """An open task as the case sees it; the read model closes tasks no longer listed."""

    key: str
    kind: TaskKind
    about: str  # the clock the task is about; a new applicant's track; a partner notice's action
    due_at: datetime
    audience: Audience
    overdue: bool
    organisation: str | None = None  # whose coordinator, for a partner notice


@dataclass
class CaseRow:
    """The read model's row of a case (store.models.CaseSummary has exactly these columns,
    and the view and the update time). Built by workflows.views.row_of from the case's view."""

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
    # Columns the figures and the filters need, in clear (defaults: snapshots from before).
    age_group: str = ""
    youth: bool = False
    kaa: bool = False
    newly_arrived: bool = False
    social_assistance: bool = False
    disability: bool = False
    protected_identity: bool = False
    programme_ends_on: date | None = None
    # For the supervisors' figures: follow-ups with a due date and those held by it; the days
    # from the opening to the exit (none while in the programme).
    follow_ups_due: int = 0
    follow_ups_on_time: int = 0
    days_in_programme: int | None = None


@dataclass
class CaseSnapshot(CaseRow):
    """The row with the case's open tasks; written by case and version.

    The whole view travels only with the closing: it answers for the case once Temporal's
    retention has removed the workflow. Every other write carries just the row, so an action
    on a long case costs no more to project than one on a new case."""

    tasks: list[TaskSpec] = field(default_factory=list)
    final_view: CaseView | None = None


@dataclass
class Notice:
    """One reminder to one audience; `key` makes delivery happen at most once."""

    key: str
    case_id: str
    municipality: str
    responsible_worker: str
    audience: Audience
    task_kind: TaskKind
    stage: str  # a clock's stage, or "notice" for a partner notice
    due_at: datetime
    # The participant as a mail may name them ("A. H."); never the name or personal number.
    # Defaults, so notices in histories recorded before the fields existed still decode.
    initials: str = ""
    organisation: str | None = None  # whose coordinator, for a partner notice
    about: str = ""  # a partner notice's action: withdraw or reactivate


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
